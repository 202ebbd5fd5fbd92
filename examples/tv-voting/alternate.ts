import { topology } from '@meridian/topology';

// tv-voting, modelled a second time from the seed text alone (issue 13): one tier at a time across the three
// regions (edge, then compute, then data) instead of one helper per region, and facts the document leaves unstated
// left out (the Route 53 health-check interval and threshold behind "30s detection", the EU and AP node types,
// replica counts of the secondary regions' Deployments). examples/test/alternate.test.ts checks that `meridian check`
// finds the same flaws here as in topology.ts.
export default topology('tv-voting', (t) => {
  // "to reach the 250k RPS peak".
  t.sla({ peakRps: 250_000 });

  // Internet and edge: Users --> TVApp --> Route53 --> WAF --> CloudFront.
  const users = t.client('global-users', { clientKind: 'users', population: 300_000_000 });
  const app = t.client('tv-app', { clientKind: 'tv' });
  const dns = t.dns('route53', { provider: 'route53', routing: 'geolocation', healthCheck: {} });
  const waf = t.waf('aws-waf', { provider: 'aws-waf' });
  const cdn = t.cdn('static-cdn', { provider: 'cloudfront' });
  const idp = t.external('auth0', { vendor: 'Auth0', service: 'Identity Provider' });
  t.flow(users, app).flow(app, dns).flow(dns, waf).flow(waf, cdn);

  const codes = ['us-east-1', 'eu-west-1', 'ap-southeast-1'] as const;
  const regions = codes.map((code, i) =>
    t.region(code, { role: i === 0 ? 'primary' : 'secondary', zones: ['a', 'b', 'c'].map((z) => `${code}${z}`) }),
  );
  const [primary] = regions;
  if (primary === undefined) throw new Error('three regions are declared above');

  // Compute tier, per region: API Gateway (100k RPS) -> ALB -> EKS Ingress -> auth, vote, results.
  const compute = regions.map((region, i) => {
    const gateway = region.apiGateway('apigw', { throttle: { rps: 100_000 }, authorizer: { type: 'lambda' } });
    const alb = region.loadBalancer('alb', { type: 'alb' });
    const eks = region.kubernetesCluster('eks', {
      nodeGroups: [
        {
          name: 'managed',
          instanceTypes: i === 0 ? ['m6i.2xlarge'] : [],
          min: 3,
          max: 10,
          zones: [...region.zones],
        },
      ],
      autoscaler: 'cluster-autoscaler',
    });
    const ingress = eks.ingress('main-ingress', { className: 'alb' });
    const hpa = { metrics: [{ type: 'cpu' as const }, { type: 'memory' as const }] };
    const auth = eks.deployment('auth-service', { replicas: { min: 3, max: 10 }, hpa });
    const vote = eks.deployment('vote-service', { replicas: { min: 10, max: 100 }, hpa });
    const results = eks.deployment('results-service', { replicas: { min: 5, max: 30 }, hpa });
    t.flow(waf, gateway).flow(gateway, alb).flow(alb, ingress);
    for (const workload of [auth, vote, results]) t.flow(ingress, workload);
    t.flow(auth, idp);
    return { region, eks, auth, vote, results };
  });

  // Data tier: the RDS primary in us-east-1 (Multi-AZ, data subnets AZ-a and AZ-b), read replicas elsewhere;
  // ElastiCache and an SQS vote buffer with its DLQ in every region.
  const rdsPrimary = primary.postgres('rds', { instanceClass: 'db.r6g.4xlarge', multiAz: true });
  compute.forEach(({ region, auth, vote, results }, i) => {
    const cache = region.redis('elasticache', { clusterMode: true, shards: 3 });
    const buffer = region.queue('sqs', { dlq: region.queue('sqs-dlq') });
    t.flow(vote, buffer, { kind: 'publish' });
    t.flow(vote, cache).flow(results, cache).flow(auth, cache);
    if (i === 0) {
      t.flow(buffer, vote, { kind: 'consume' });
      t.flow(vote, rdsPrimary, { kind: 'write' }).flow(results, rdsPrimary, { kind: 'read' });
      return;
    }
    const replica = region.postgres('rds-replica', { role: 'replica', replicaOf: rdsPrimary });
    t.flow(rdsPrimary, replica, { kind: 'replicate', replicationMode: 'async' });
    // "Workloads --> |Reads| RDS replica", "Workloads -.-> |Writes| RDS1".
    t.flow(results, replica, { kind: 'read' });
    t.flow(vote, rdsPrimary, { kind: 'write' });
  });

  // Shared Services, drawn outside the regions but used only by EKS1: placed in the primary region (declared
  // outside any region, regional-scope would rightly say their region is unstated).
  const eks1 = compute[0]?.eks;
  if (eks1 === undefined) throw new Error('three regions are declared above');
  const secrets = primary.secrets('secrets-manager', { syncTo: { operator: 'external-secrets', clusters: [eks1] } });
  const logs = primary.observability('cloudwatch', { product: 'cloudwatch', signals: ['logs', 'metrics'] });
  primary.containerRegistry('ecr', { provider: 'ecr' });
  const audit = primary.objectStore('audit-logs', { lifecycle: [{ afterDays: 90, action: 'transition' }] });
  const primaryApps = compute[0];
  if (primaryApps === undefined) throw new Error('three regions are declared above');
  t.flow(primaryApps.auth, secrets, { kind: 'read' });
  t.flow(primaryApps.vote, logs, { kind: 'write', sync: false });
  t.flow(primaryApps.vote, audit, { kind: 'write', sync: false });

  // Observability: Prometheus in-cluster, Prometheus --> Grafana.
  const prometheus = eks1.observability('prometheus', { product: 'prometheus', signals: ['metrics'] });
  t.flow(primary.observability('grafana', { product: 'grafana' }), prometheus, { kind: 'query' });
});
