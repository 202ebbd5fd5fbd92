import { topology } from '@meridian/topology';

// Seed 001 ("High-Level Design: Deployment Topology"), modelled as written, flaws included:
// this file is an input for `meridian check`, not a design to copy. See README.md for the inventory.

export default topology('hld-global', (t) => {
  // Section 5, "Environment-Specific Configurations": separate configurations for development, staging and
  // production; this file is production (the only one the document describes).
  t.environment('production', ['development', 'staging', 'production']);

  // Section 1.1, "Why Multi-Region?": "data sovereignty laws that require user data to be stored within the
  // country's borders".
  const euUserData = t.dataClass('eu-user-data', {
    jurisdictions: ['EU'],
    description: 'Data of users served from Europe',
  });

  const users = t.client('users', { clientKind: 'users' });
  // Diagram 1.1: node A sits inside "Global Load Balancer (Route53 + Cloudflare)" and routes users to the
  // region "close to them" (section 1.1, "Low Latency"); no health check is described.
  const globalLb = t.dns('global-lb', {
    name: 'Global Load Balancer (Route53 + Cloudflare)',
    provider: 'route53',
    additionalProviders: ['cloudflare'],
    routing: 'latency',
  });
  t.flow(users, globalLb, { carries: [euUserData] });
  t.flow(globalLb, globalLb); // A --> A

  // Diagram 1.2 ("Each region is built on ..."): traffic enters each full-stack region's VPC through its Internet Gateway.
  const network = { internetGateway: true };
  const useast1 = t.region('us-east-1', {
    role: 'primary',
    jurisdiction: 'US',
    zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
    network,
  });
  const euwest1 = t.region('eu-west-1', {
    role: 'secondary',
    jurisdiction: 'EU',
    zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    network,
  });
  // "AWS Region: ap-southeast-1 (APAC)": Read Replicas and Edge Compute only.
  const apsoutheast1 = t.region('ap-southeast-1', { role: 'edge', jurisdiction: 'APAC' });

  // Diagram 1.2: the master in AZ 1, a replica in AZ 2, ElastiCache in AZ 3. Masters exist only in the primary (1.1).
  const master = useast1.inZones(['us-east-1a']).postgres('rds-master', { description: 'Master Databases' });

  // Section 2.2: Istio with mTLS between services.
  const istio = { provider: 'istio' as const, mtls: true };
  // Section 3: the Git repositories ArgoCD syncs from, and GitHub Actions building the images.
  const github = t.external('github', { vendor: 'GitHub', service: 'Repositories and Actions' });

  // Section 2.1, "EKS Node Groups".
  const nodeGroups = [
    { name: 'system', description: 'Critical system components like the Kubernetes control plane, CoreDNS' },
    { name: 'application', description: 'General-purpose microservices' },
    { name: 'compute-intensive', description: 'CPU-bound workloads like ML inference' },
    { name: 'memory-intensive', description: 'Memory-bound workloads like our analytics services' },
  ];

  // Diagram 1.2 ("Each region is built on ... multiple Availability Zones"), repeated in both full-stack regions.
  const fullStacks = [
    { region: useast1, az: ['us-east-1a', 'us-east-1b', 'us-east-1c'] as const, carries: [] },
    { region: euwest1, az: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] as const, carries: [euUserData] },
  ];
  for (const { region, az, carries } of fullStacks) {
    const alb = region.loadBalancer('alb', { type: 'alb' });
    // Section 2.1 names four node groups with their purpose, but no instance types or sizes.
    const eks = region.kubernetesCluster('eks', { serviceMesh: istio, nodeGroups, dataClasses: carries });
    const replica = region.inZones([az[1]]).postgres(region === useast1 ? 'rds-replica' : 'read-replicas', {
      role: 'replica',
      replicaOf: master,
      dataClasses: [euUserData],
    });
    const elasticache = region.inZones([az[2]]).redis('elasticache', { dataClasses: carries });
    // Section 3.2: ArgoCD syncs each cluster with Git (Argo Rollouts drives its canaries).
    const argocd = eks.deployment('argocd', { description: 'ArgoCD with Argo Rollouts' });

    t.flow(globalLb, alb, { carries }); // A --> B, A --> D
    t.flow(alb, eks, { carries }); // ALB --> EKS1/2/3
    t.flow(eks, master, { kind: 'write', carries }); // EKS1 --> RDS_M: in eu-west-1 the master is in us-east-1
    t.flow(eks, replica, { kind: 'read' }); // EKS2 --> RDS_R
    t.flow(eks, elasticache, { carries }); // EKS3 --> EC
    t.flow(master, replica, { kind: 'replicate', replicationMode: 'async', carries: [euUserData] });
    t.flow(argocd, github, { kind: 'read' });
  }

  const apReplicas = apsoutheast1.postgres('read-replicas', {
    role: 'replica',
    replicaOf: master,
    dataClasses: [euUserData],
  });
  t.flow(master, apReplicas, { kind: 'replicate', replicationMode: 'async', carries: [euUserData] });
  t.flow(globalLb, apReplicas); // A --> F: users sent straight to the APAC read replicas
  apsoutheast1.service('edge-compute', { runtime: 'other', description: 'Edge Compute' }); // G: no edge

  // Section 3.1: GitHub Actions pushes images "to our container registry" (which registry is not said).
  const registry = t.containerRegistry('container-registry');
  t.flow(github, registry, { kind: 'write' });

  // Section 4: the three pillars; where they run and what feeds them is not described.
  const prometheus = t.observability('prometheus', { product: 'prometheus', signals: ['metrics'] });
  const grafana = t.observability('grafana', { product: 'grafana' });
  const elasticsearch = t.observability('elasticsearch', { product: 'elasticsearch', signals: ['logs'] });
  const logstash = t.observability('logstash', { product: 'logstash', signals: ['logs'] });
  const kibana = t.observability('kibana', { product: 'kibana' });
  t.observability('jaeger', { product: 'jaeger', signals: ['traces'] });
  t.flow(grafana, prometheus, { kind: 'query' });
  t.flow(logstash, elasticsearch, { kind: 'write' });
  t.flow(kibana, elasticsearch, { kind: 'query' });
});
