import { type Component, type Dns, type Flow, placementOf } from '@meridian/topology';
import { EmitError } from '../errors.ts';
import type { Endpoint, TerraformContext } from './context.ts';
import type { TfAddress, TfObject } from './document.ts';
import { tfName } from './names.ts';

// Route 53 geolocation continent codes (Route 53 API, "GeoLocation": AF, AN, AS, EU, OC, NA, SA).
const CONTINENTS = new Set(['AF', 'AN', 'AS', 'EU', 'OC', 'NA', 'SA']);
// Route 53 health checks run every 10 ("fast") or 30 seconds, and fail after 1 to 10 failures (Route 53 API,
// "HealthCheckConfig": RequestInterval, FailureThreshold).
const INTERVALS = [10, 30];

/** The Route 53 health checks emitted, by target component id (alarms.ts watches them). */
export type EmittedHealthChecks = Map<string, TfAddress>;

/**
 * dns.tf.json: for each Route 53 DNS component, one record per target it routes to (its flows), with the routing
 * policy of the model: failover PRIMARY/SECONDARY, latency by the target's region, geolocation by the flow's
 * locations (continents, countries, `*` for the default), weighted by the flow's weight; simple routing to several
 * targets answers with all healthy ones (multivalue). Alias records for load balancers and CloudFront, CNAMEs (with
 * the model's TTL) for other hosts; targets with no AWS endpoint get a variable. Each target of a health-checked
 * policy gets a health check with the model's interval, threshold, protocol, port and path.
 */
export function emitDns(ctx: TerraformContext): EmittedHealthChecks {
  const checks: EmittedHealthChecks = new Map();
  for (const dns of ctx.globalOnAws('dns')) emitZoneRecords(ctx, dns, checks);
  return checks;
}

/** A DNS component whose routing is known: stated by the model, or the only one its single target allows. */
type RoutedDns = Dns & { readonly routing: NonNullable<Dns['routing']> };

/**
 * The routing the records are written with. Unstated routing to one target is simple routing (the only record there
 * is); to several it is refused, since which policy answers (failover, latency, geolocation, weighted or all of them)
 * is the design's choice and a guess would ship a different one.
 */
function routed(dns: Dns, targets: readonly Target[]): RoutedDns {
  if (dns.routing !== undefined) return { ...dns, routing: dns.routing };
  if (targets.length <= 1) return { ...dns, routing: 'simple' };
  throw new EmitError(
    'terraform-unsupported',
    `${dns.id}: routes to ${targets.length} targets (${targets.map((t) => t.component.id).join(', ')}) but the model does not say how Route 53 chooses between them`,
    {
      path: ['components', dns.id, 'routing'],
      hint: "state routing: 'failover' (with routing.failover on each flow), 'latency', 'geolocation', 'weighted' or 'simple' (all healthy targets answer)",
    },
  );
}

interface Target {
  readonly component: Component;
  readonly flow: Flow;
}

/** What a DNS flow reaches: a WAF is no DNS target, the CDN it protects is (or whatever it passes traffic to). */
function targetsOf(ctx: TerraformContext, dns: Dns): Target[] {
  const out: Target[] = [];
  for (const flow of ctx.model.flows) {
    if (flow.from !== dns.id || flow.to === dns.id) continue;
    const component = ctx.component(flow.to);
    if (!component) continue;
    if (component.kind !== 'waf') {
      out.push({ component, flow });
      continue;
    }
    const behind = ctx.model.flows.filter((f) => f.from === component.id).map((f) => ctx.component(f.to));
    const cdns = behind.filter((c) => c?.kind === 'cdn');
    for (const next of cdns.length ? cdns : behind) if (next) out.push({ component: next, flow });
  }
  return out;
}

/** Refuses a health check Route 53 cannot run, whether or not a target gets one. */
function checkHealthCheck(dns: Dns): void {
  const config = dns.healthCheck;
  if (!config) return;
  // Unstated values are left out of the configuration: Route 53 then applies its defaults (30 s, 3 failures).
  if (config.intervalSeconds !== undefined && !INTERVALS.includes(config.intervalSeconds)) {
    throw new EmitError(
      'terraform-unsupported',
      `${dns.id}: Route 53 checks every 10 or 30 s, not ${config.intervalSeconds} s`,
      {
        path: ['components', dns.id, 'healthCheck', 'intervalSeconds'],
        hint: 'use 10 (fast) or 30 (standard)',
      },
    );
  }
  if (config.failureThreshold !== undefined && config.failureThreshold > 10) {
    throw new EmitError('terraform-unsupported', `${dns.id}: Route 53 fails a check after at most 10 failures`, {
      path: ['components', dns.id, 'healthCheck', 'failureThreshold'],
      hint: 'use a failureThreshold from 1 to 10',
    });
  }
}

function emitZoneRecords(ctx: TerraformContext, component: Dns, checks: EmittedHealthChecks): void {
  checkHealthCheck(component);
  const name = ctx.name(component.id);
  const provider = ctx.globalRegion().provider;
  const targets = targetsOf(ctx, component);
  if (targets.length === 0) return;
  const dns = routed(component, targets);
  const zoneId = ctx.doc.variable(`${name}_zone_id`, {
    type: 'string',
    description: `The Route 53 hosted zone of ${dns.domain ?? dns.id}'s records`,
  }).ref;
  const recordName =
    dns.domain ??
    ctx.doc.variable(`${name}_record_name`, {
      type: 'string',
      description: `The name ${dns.id} answers for (the model gives no domain)`,
    }).ref;
  const multivalue = dns.routing === 'simple' && targets.length > 1;
  const healthChecked = dns.routing !== 'simple' || multivalue;
  const endpoints = targets.map((target) => endpointOf(ctx, dns, target.component, multivalue));
  // One name holds either alias A records or CNAMEs, never both (Route 53 Developer Guide, "Choosing between alias
  // and non-alias records"): when the targets mix them, the CNAME targets are answered under a name of their own.
  const mixed = endpoints.some((e) => e.kind === 'alias') && endpoints.some((e) => e.kind === 'host');
  checkGeolocations(dns, targets);
  for (const [i, target] of targets.entries()) {
    const targetName = tfName(target.component.id);
    const endpoint = endpoints[i] ?? endpointOf(ctx, dns, target.component, multivalue);
    // A target that cannot share the record set is served under another name, a simple record named by a variable:
    // one with no failover role beside failover records (nexora's CloudFront beside its two ALBs), or a CNAME
    // beside alias records (hld-global's APAC read replicas beside the ALBs).
    const why =
      dns.routing === 'failover' && !target.flow.routing?.failover
        ? 'which has no failover role'
        : mixed && endpoint.kind === 'host'
          ? 'a CNAME that cannot share a name with the alias records'
          : undefined;
    const aside = why !== undefined;
    const check =
      healthChecked && !aside && dns.healthCheck
        ? healthCheck(ctx, dns, target.component, endpoint, checks)
        : undefined;
    const policies: [string, TfObject][] = aside ? [['', {}]] : routingPolicies(ctx, dns, target);
    for (const [suffix, policy] of policies) {
      const record: TfObject = {
        provider,
        zone_id: zoneId,
        name: aside
          ? ctx.doc.variable(`${name}_${targetName}_record_name`, {
              type: 'string',
              description: `The name ${dns.id} answers for with ${target.component.id}, ${why}`,
            }).ref
          : recordName,
        set_identifier:
          !aside && (policies.length > 1 || dns.routing !== 'simple' || multivalue)
            ? `${target.component.id}${suffix ? `-${suffix}` : ''}`
            : undefined,
        health_check_id: check?.attr('id'),
        ...policy,
        ...recordValue(ctx, dns, endpoint, healthChecked && !aside),
      };
      ctx.doc.resource(
        'dns.tf.json',
        'aws_route53_record',
        `${name}_${targetName}${suffix ? `_${tfName(suffix)}` : ''}`,
        record,
      );
    }
  }
}

type Resolved = Endpoint | { readonly kind: 'addresses'; readonly name: string };

function endpointOf(ctx: TerraformContext, dns: Dns, target: Component, multivalue: boolean): Resolved {
  const known = ctx.endpoints.get(target.id);
  if (known && multivalue && known.kind === 'alias') {
    throw new EmitError(
      'terraform-unsupported',
      `${dns.id}: simple routing to several targets, and ${target.id} is an alias target`,
      {
        path: ['components', dns.id, 'routing'],
        hint: "Route 53 answers with several targets only for A records of addresses: use 'latency', 'failover' or 'weighted' routing",
      },
    );
  }
  if (known) return known;
  const name = `${ctx.name(dns.id)}_${tfName(target.id)}`;
  if (multivalue) {
    return {
      kind: 'addresses',
      name: ctx.doc.variable(`${name}_addresses`, {
        type: 'list(string)',
        description: `The IPv4 addresses ${dns.id} answers with for ${target.id} (the model has no AWS endpoint for it)`,
      }).ref,
    };
  }
  return {
    kind: 'host',
    name: ctx.doc.variable(`${name}_host`, {
      type: 'string',
      description: `The host name ${dns.id} sends ${target.id}'s traffic to (the model has no AWS endpoint for it)`,
    }).ref,
  };
}

function recordValue(ctx: TerraformContext, dns: Dns, endpoint: Resolved, healthChecked: boolean): TfObject {
  if (endpoint.kind === 'alias') {
    return {
      type: 'A',
      alias: {
        name: endpoint.name,
        zone_id: endpoint.zoneId,
        evaluate_target_health: dns.evaluateTargetHealth ?? healthChecked,
      },
    };
  }
  const ttl =
    dns.ttlSeconds ??
    ctx.doc.variable('dns_ttl_seconds', {
      type: 'number',
      description: 'The TTL of records whose DNS component states none',
    }).ref;
  if (endpoint.kind === 'addresses')
    return { type: 'A', ttl, records: endpoint.name, multivalue_answer_routing_policy: true };
  return { type: 'CNAME', ttl, records: [endpoint.name] };
}

function refuse(dns: Dns, flow: Flow, message: string, hint: string): never {
  throw new EmitError('terraform-unsupported', `${dns.id} -> ${flow.to}: ${message}`, {
    path: ['flows', flow.id, 'routing'],
    hint,
  });
}

/** The routing policy block(s) of a target's record(s): one, or one per geolocation. */
function routingPolicies(ctx: TerraformContext, dns: RoutedDns, { component, flow }: Target): [string, TfObject][] {
  switch (dns.routing) {
    case 'simple':
      return [['', {}]];
    case 'failover': {
      const role = flow.routing?.failover;
      if (!role)
        refuse(
          dns,
          flow,
          'failover routing, but the flow is neither primary nor secondary',
          "give the flow routing: { failover: 'primary' } or 'secondary'",
        );
      return [['', { failover_routing_policy: { type: role.toUpperCase() } }]];
    }
    case 'latency': {
      const region = placementOf(ctx.model, component).region;
      const code = ctx.model.regions.find((r) => r.id === region)?.code;
      if (!code) refuse(dns, flow, 'latency routing to a target in no region', 'route to a regional component');
      return [['', { latency_routing_policy: { region: code } }]];
    }
    case 'weighted': {
      const weight = flow.routing?.weight;
      if (weight === undefined)
        refuse(dns, flow, 'weighted routing, but the flow has no weight', 'give the flow routing: { weight: N }');
      return [['', { weighted_routing_policy: { weight } }]];
    }
    case 'geolocation': {
      const locations = flow.routing?.locations?.length ? flow.routing.locations : ['*'];
      return locations.map((location) => [
        location === '*' ? (locations.length > 1 ? 'default' : '') : location,
        { geolocation_routing_policy: geolocation(location) },
      ]);
    }
  }
}

/** Refuses geolocation routing that sends one location (or the default) to two targets: Route 53 cannot. */
function checkGeolocations(dns: Dns, targets: readonly Target[]): void {
  if (dns.routing !== 'geolocation') return;
  const seen = new Map<string, string>();
  for (const { component, flow } of targets) {
    for (const location of flow.routing?.locations?.length ? flow.routing.locations : ['*']) {
      const other = seen.get(location.toUpperCase());
      if (other !== undefined && other !== component.id) {
        refuse(
          dns,
          flow,
          `geolocation ${location === '*' ? 'default (no locations)' : location} also goes to ${other}`,
          'give each target its own routing.locations; at most one target without locations',
        );
      }
      seen.set(location.toUpperCase(), component.id);
    }
  }
}

function geolocation(location: string): TfObject {
  const code = location.toUpperCase();
  if (code === '*') return { country: '*' };
  if (CONTINENTS.has(code)) return { continent: code };
  const [country, subdivision] = code.split('-');
  return { country, subdivision };
}

function healthCheck(
  ctx: TerraformContext,
  dns: Dns,
  target: Component,
  endpoint: Resolved,
  checks: EmittedHealthChecks,
): TfAddress | undefined {
  const config = dns.healthCheck;
  if (!config || endpoint.kind === 'addresses') return undefined;
  const protocol = config.protocol ?? 'https';
  const address = ctx.doc.resource(
    'dns.tf.json',
    'aws_route53_health_check',
    `${ctx.name(dns.id)}_${tfName(target.id)}`,
    {
      provider: ctx.globalRegion().provider,
      fqdn: endpoint.name,
      type: protocol.toUpperCase(),
      port: config.port ?? (protocol === 'http' ? 80 : 443),
      resource_path: protocol === 'tcp' ? undefined : config.path,
      request_interval: config.intervalSeconds,
      failure_threshold: config.failureThreshold,
      insufficient_data_health_status: config.insufficientDataHealthStatus
        ? { healthy: 'Healthy', unhealthy: 'Unhealthy', 'last-known-status': 'LastKnownStatus' }[
            config.insufficientDataHealthStatus
          ]
        : undefined,
      tags: { ...ctx.tags(dns.id), 'meridian:target': target.id, Name: `${dns.id} -> ${target.id}` },
    },
  );
  checks.set(target.id, address);
  return address;
}
