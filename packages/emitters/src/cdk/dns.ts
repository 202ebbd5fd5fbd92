import type { Dns } from '@meridian/topology';
import {
  asideReason,
  type DnsTarget,
  dnsTargets,
  healthCheckEndpoint,
  type RecordPolicy,
  type RoutedDns,
  recordPolicies,
  refuseMultivalueAlias,
  routedDns,
} from '../aws/route53.ts';
import { healthCheckAlarm } from './alarms.ts';
import { code, quote, type TsValue, tsValue } from './code.ts';
import type { CdkContext, StackPlan } from './context.ts';
import { pascalCase } from './names.ts';

/** Where a record points: an alias target (a load balancer, a distribution), a host name, or addresses. */
type Endpoint =
  | { readonly kind: 'alias'; readonly target: (evaluateTargetHealth: boolean) => string; readonly domain: string }
  | { readonly kind: 'host'; readonly name: string }
  | { readonly kind: 'addresses'; readonly list: string };

/**
 * Route 53 records and health checks in the global stack, as the Terraform emitter writes them (the routing rules
 * are shared: `src/aws/route53.ts`): for each Route 53 DNS component, one record per target it routes to, with the
 * model's routing policy (failover, latency, geolocation, weighted; simple routing to several targets answers with
 * all healthy ones), alias records for load balancers and CloudFront, CNAMEs for other hosts, each target of a
 * health-checked policy with a health check of the model's protocol, port and path, and its interval and threshold
 * where the model states them (else Route 53's defaults: 30 s, 3 failures). The hosted zone is a CloudFormation
 * parameter: the model names none.
 */
export function planDns(ctx: CdkContext): void {
  for (const dns of ctx.globalOnAws('dns')) {
    const targets = dnsTargets(ctx.model, dns);
    const routed = routedDns('cdk', dns, targets);
    if (targets.length) planRecords(ctx, ctx.global(), routed, targets, dns.routing !== undefined);
  }
}

function parameter(stack: StackPlan, name: string, description: string, type = 'String'): string {
  stack.useCore('CfnParameter');
  return `const ${name} = new CfnParameter(this, ${quote(pascalCase(name))}, ${tsValue({ type, description })});`;
}

function planRecords(
  ctx: CdkContext,
  stack: StackPlan,
  dns: RoutedDns,
  targets: readonly DnsTarget[],
  stated: boolean,
): void {
  stack.use('route53');
  const name = stack.variable(dns.id);
  const statements: string[] = [
    parameter(stack, `${name}ZoneId`, `The Route 53 hosted zone of ${dns.domain ?? dns.id}'s records.`),
    `const ${name}Zone = route53.HostedZone.fromHostedZoneAttributes(this, ${quote(`${pascalCase(name)}Zone`)}, ${tsValue(
      { hostedZoneId: code(`${name}ZoneId.valueAsString`), zoneName: dns.domain ?? dns.id },
    )});`,
  ];
  let recordName: string;
  if (dns.domain) {
    // A name ending in a dot is taken as it is, not under the zone's name.
    recordName = quote(`${dns.domain}.`);
  } else {
    statements.push(
      parameter(stack, `${name}RecordName`, `The name ${dns.id} answers for (the model gives no domain).`),
    );
    recordName = `\`\${${name}RecordName.valueAsString}.\``;
  }
  const multivalue = dns.routing === 'simple' && targets.length > 1;
  const healthChecked = dns.routing !== 'simple' || multivalue;
  const endpoints = targets.map((t) => endpointOf(ctx, stack, dns, t, multivalue, statements));
  const mixed = endpoints.some((e) => e.kind === 'alias') && endpoints.some((e) => e.kind === 'host');
  let ttl: string | undefined;
  const ttlOf = () => {
    if (dns.ttlSeconds !== undefined) return `Duration.seconds(${dns.ttlSeconds})`;
    if (ttl === undefined) {
      statements.push(
        parameter(stack, `${name}TtlSeconds`, `The TTL of ${dns.id}'s records (the model states none).`, 'Number'),
      );
      ttl = `Duration.seconds(${name}TtlSeconds.valueAsNumber)`;
    }
    return ttl;
  };
  for (const [i, target] of targets.entries()) {
    const endpoint = endpoints[i] as Endpoint;
    const targetId = pascalCase(stack.variable(target.component.id));
    const why = asideReason(dns, target, endpoint.kind === 'host', mixed);
    let check: string | undefined;
    if (healthChecked && !why && dns.healthCheck && endpoint.kind !== 'addresses')
      check = healthCheck(ctx, stack, dns, target, endpoint, statements);
    let ownName: string | undefined;
    if (why) {
      const variable = `${name}${targetId}RecordName`;
      statements.push(
        parameter(stack, variable, `The name ${dns.id} answers for with ${target.component.id}, ${why}.`),
      );
      ownName = `\`\${${variable}.valueAsString}.\``;
    }
    const policies: RecordPolicy[] = why
      ? [{ suffix: '', kind: 'simple' }]
      : recordPolicies('cdk', ctx.model, dns, target);
    for (const policy of policies) {
      const id = `${pascalCase(name)}${targetId}${policy.suffix ? pascalCase(policy.suffix) : ''}Record`;
      const setIdentifier =
        !why && (policies.length > 1 || dns.routing !== 'simple' || multivalue)
          ? `${target.component.id}${policy.suffix ? `-${policy.suffix}` : ''}`
          : undefined;
      statements.push(
        record(
          id,
          endpoint,
          {
            zone: code(`${name}Zone`),
            recordName: code(ownName ?? recordName),
            setIdentifier,
            healthCheck: check ? code(check) : undefined,
            ...routing(policy),
            ttl: endpoint.kind === 'alias' ? undefined : code(ttlOf()),
          },
          dns.evaluateTargetHealth ?? (healthChecked && !why),
        ),
      );
    }
  }
  if (endpoints.some((e) => e.kind !== 'alias')) stack.useCore('Duration');
  stack.add(
    [
      `${dns.id}: Route 53 records for ${dns.domain ?? 'the name given at deployment'}, ${dns.routing} routing${stated ? '' : ' (the model states none: to one target, that is simple routing)'}.`,
    ],
    statements,
  );
}

function routing(policy: RecordPolicy): Record<string, TsValue> {
  switch (policy.kind) {
    case 'simple':
      return {};
    case 'failover':
      return { failover: code(`route53.Failover.${policy.role}`) };
    case 'latency':
      return { region: policy.region };
    case 'weighted':
      return { weight: policy.weight };
    case 'geolocation': {
      const location = policy.location;
      if ('continent' in location)
        return {
          geoLocation: code(
            `route53.GeoLocation.continent(route53.Continent.${continents[location.continent] ?? location.continent})`,
          ),
        };
      if (location.country === '*') return { geoLocation: code('route53.GeoLocation.default()') };
      if (location.subdivision)
        return {
          geoLocation: code(
            `route53.GeoLocation.subdivision(${quote(location.subdivision)}, ${quote(location.country)})`,
          ),
        };
      return { geoLocation: code(`route53.GeoLocation.country(${quote(location.country)})`) };
    }
  }
}

// route53.Continent's member names, by Route 53's continent code.
const continents: Record<string, string> = {
  AF: 'AFRICA',
  AN: 'ANTARCTICA',
  AS: 'ASIA',
  EU: 'EUROPE',
  OC: 'OCEANIA',
  NA: 'NORTH_AMERICA',
  SA: 'SOUTH_AMERICA',
};

function record(
  id: string,
  endpoint: Endpoint,
  options: Record<string, TsValue>,
  evaluateTargetHealth: boolean,
): string {
  if (endpoint.kind === 'alias') {
    return `new route53.ARecord(this, ${quote(id)}, ${tsValue({
      ...options,
      target: code(`route53.RecordTarget.fromAlias(${endpoint.target(evaluateTargetHealth)})`),
    })});`;
  }
  if (endpoint.kind === 'host')
    return `new route53.CnameRecord(this, ${quote(id)}, ${tsValue({ ...options, domainName: code(endpoint.name) })});`;
  // Several addresses under simple routing: one multivalue answer record per target.
  return `new route53.ARecord(this, ${quote(id)}, ${tsValue({
    ...options,
    multiValueAnswer: true,
    target: code(`route53.RecordTarget.fromValues(...${endpoint.list})`),
  })});`;
}

function endpointOf(
  ctx: CdkContext,
  stack: StackPlan,
  dns: Dns,
  { component }: DnsTarget,
  multivalue: boolean,
  statements: string[],
): Endpoint {
  const owner = ctx.stackOf(component) ?? (component.kind === 'cdn' ? ctx.global() : undefined);
  const reach = owner?.reachable.get(component.id);
  if ((reach?.kind === 'load-balancer' || reach?.kind === 'distribution') && multivalue) {
    refuseMultivalueAlias('cdk', dns, component);
  }
  if (owner && reach?.kind === 'load-balancer') {
    stack.use('route53targets', 'elbv2');
    const type = reach.type === 'nlb' ? 'elbv2.NetworkLoadBalancer' : 'elbv2.ApplicationLoadBalancer';
    const lb = ctx.reference(stack, owner, reach.variable, type, `${component.id}: a target of ${dns.id}'s records.`);
    return {
      kind: 'alias',
      target: (evaluate) => `new route53targets.LoadBalancerTarget(${lb}, { evaluateTargetHealth: ${evaluate} })`,
      domain: `${lb}.loadBalancerDnsName`,
    };
  }
  if (owner && reach?.kind === 'distribution') {
    stack.use('route53targets');
    // Route 53 cannot evaluate a CloudFront distribution's health (Route 53 API, "AliasTarget").
    return {
      kind: 'alias',
      target: () => `new route53targets.CloudFrontTarget(${reach.variable})`,
      domain: `${reach.variable}.distributionDomainName`,
    };
  }
  const name = `${stack.variable(dns.id)}${pascalCase(stack.variable(component.id))}`;
  if (multivalue) {
    statements.push(
      parameter(
        stack,
        `${name}Addresses`,
        `The IPv4 addresses ${dns.id} answers with for ${component.id} (the model has no AWS endpoint for it).`,
        'CommaDelimitedList',
      ),
    );
    return { kind: 'addresses', list: `${name}Addresses.valueAsList` };
  }
  statements.push(
    parameter(
      stack,
      `${name}Host`,
      `The host name ${dns.id} sends ${component.id}'s traffic to (the model has no AWS endpoint for it).`,
    ),
  );
  return { kind: 'host', name: `${name}Host.valueAsString` };
}

function healthCheck(
  ctx: CdkContext,
  stack: StackPlan,
  dns: Dns,
  target: DnsTarget,
  endpoint: Exclude<Endpoint, { kind: 'addresses' }>,
  statements: string[],
): string {
  const config = dns.healthCheck ?? {};
  const { protocol, port } = healthCheckEndpoint(dns);
  const variable = `${stack.variable(dns.id)}${pascalCase(stack.variable(target.component.id))}Check`;
  if (config.intervalSeconds !== undefined) stack.useCore('Duration');
  statements.push(
    `const ${variable} = new route53.HealthCheck(this, ${quote(pascalCase(variable))}, ${tsValue({
      type: code(`route53.HealthCheckType.${protocol.toUpperCase()}`),
      fqdn: code(endpoint.kind === 'alias' ? endpoint.domain : endpoint.name),
      port,
      resourcePath: protocol === 'tcp' ? undefined : config.path,
      // Unstated interval and threshold are left out: aws-cdk-lib then writes Route 53's defaults (30 s, 3 failures).
      requestInterval:
        config.intervalSeconds !== undefined ? code(`Duration.seconds(${config.intervalSeconds})`) : undefined,
      failureThreshold: config.failureThreshold,
      insufficientDataHealthStatus: config.insufficientDataHealthStatus
        ? code(
            `route53.InsufficientDataHealthStatusEnum.${{ healthy: 'HEALTHY', unhealthy: 'UNHEALTHY', 'last-known-status': 'LAST_KNOWN_STATUS' }[config.insufficientDataHealthStatus]}`,
          )
        : undefined,
    })});`,
    ...healthCheckAlarm(ctx.model, stack, variable, target.component.id),
  );
  return variable;
}
