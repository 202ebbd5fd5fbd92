import { type Component, type Dns, type Flow, placementOf, type Topology } from '@meridian/topology';
import { type AwsTarget, unsupported } from './unsupported.ts';

// Route 53 geolocation continent codes (Route 53 API, "GeoLocation": AF, AN, AS, EU, OC, NA, SA).
const CONTINENTS = new Set(['AF', 'AN', 'AS', 'EU', 'OC', 'NA', 'SA']);
// Route 53 health checks run every 10 ("fast") or 30 seconds, and fail after 1 to 10 failures (Route 53 API,
// "HealthCheckConfig": RequestInterval, FailureThreshold). Unstated values are left to Route 53's defaults (30 s, 3).
const INTERVALS = [10, 30];

/** A component a DNS component routes to, and the flow that says so. */
export interface DnsTarget {
  readonly component: Component;
  readonly flow: Flow;
}

/** A DNS component whose routing is known: stated by the model, or the only one its single target allows. */
export type RoutedDns = Dns & { readonly routing: NonNullable<Dns['routing']> };

/** What a DNS flow reaches: a WAF is no DNS target, the CDN it protects is (or whatever it passes traffic to). */
export function dnsTargets(model: Topology, dns: Dns): DnsTarget[] {
  const byId = new Map(model.components.map((c) => [c.id, c]));
  const out: DnsTarget[] = [];
  for (const flow of model.flows) {
    if (flow.from !== dns.id || flow.to === dns.id) continue;
    const component = byId.get(flow.to);
    if (!component) continue;
    if (component.kind !== 'waf') {
      out.push({ component, flow });
      continue;
    }
    const behind = model.flows.filter((f) => f.from === component.id).map((f) => byId.get(f.to));
    const cdns = behind.filter((c) => c?.kind === 'cdn');
    for (const next of cdns.length ? cdns : behind) if (next) out.push({ component: next, flow });
  }
  return out;
}

/**
 * The routing the records are written with. Unstated routing to one target is simple routing (the only record there
 * is); to several it is refused, since which policy answers (failover, latency, geolocation, weighted or all of them)
 * is the design's choice and a guess would ship a different one. Also refuses a health check Route 53 cannot run
 * and geolocations Route 53 cannot answer.
 */
export function routedDns(target: AwsTarget, dns: Dns, targets: readonly DnsTarget[]): RoutedDns {
  checkHealthCheck(target, dns);
  let routing = dns.routing;
  if (routing === undefined) {
    if (targets.length > 1) {
      throw unsupported(
        target,
        `${dns.id}: routes to ${targets.length} targets (${targets.map((t) => t.component.id).join(', ')}) but the model does not say how Route 53 chooses between them`,
        {
          path: ['components', dns.id, 'routing'],
          hint: "state routing: 'failover' (with routing.failover on each flow), 'latency', 'geolocation', 'weighted' or 'simple' (all healthy targets answer)",
        },
      );
    }
    routing = 'simple';
  }
  const routed = { ...dns, routing };
  checkGeolocations(target, routed, targets);
  return routed;
}

function checkHealthCheck(target: AwsTarget, dns: Dns): void {
  const config = dns.healthCheck;
  if (!config) return;
  if (config.intervalSeconds !== undefined && !INTERVALS.includes(config.intervalSeconds)) {
    throw unsupported(target, `${dns.id}: Route 53 checks every 10 or 30 s, not ${config.intervalSeconds} s`, {
      path: ['components', dns.id, 'healthCheck', 'intervalSeconds'],
      hint: 'use 10 (fast) or 30 (standard)',
    });
  }
  if (config.failureThreshold !== undefined && config.failureThreshold > 10) {
    throw unsupported(target, `${dns.id}: Route 53 fails a check after at most 10 failures`, {
      path: ['components', dns.id, 'healthCheck', 'failureThreshold'],
      hint: 'use a failureThreshold from 1 to 10',
    });
  }
}

function refuse(target: AwsTarget, dns: Dns, flow: Flow, message: string, hint: string): never {
  throw unsupported(target, `${dns.id} -> ${flow.to}: ${message}`, { path: ['flows', flow.id, 'routing'], hint });
}

/** Refuses geolocation routing that sends one location (or the default) to two targets: Route 53 cannot. */
function checkGeolocations(target: AwsTarget, dns: RoutedDns, targets: readonly DnsTarget[]): void {
  if (dns.routing !== 'geolocation') return;
  const seen = new Map<string, string>();
  for (const { component, flow } of targets) {
    for (const location of flow.routing?.locations?.length ? flow.routing.locations : ['*']) {
      const other = seen.get(location.toUpperCase());
      if (other !== undefined && other !== component.id) {
        refuse(
          target,
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

/** A Route 53 geolocation: a continent, a country (`*` is the default location), or a country's subdivision. */
type Geolocation =
  | { readonly continent: string }
  | { readonly country: string; readonly subdivision?: string | undefined };

/** The routing of one record: its policy's value, and the suffix its set identifier gets (one per geolocation). */
export type RecordPolicy = { readonly suffix: string } & (
  | { readonly kind: 'simple' }
  | { readonly kind: 'failover'; readonly role: 'PRIMARY' | 'SECONDARY' }
  | { readonly kind: 'latency'; readonly region: string }
  | { readonly kind: 'weighted'; readonly weight: number }
  | { readonly kind: 'geolocation'; readonly location: Geolocation }
);

/** The record(s) a target gets under the DNS component's routing: one, or one per geolocation. */
export function recordPolicies(
  target: AwsTarget,
  model: Topology,
  dns: RoutedDns,
  { component, flow }: DnsTarget,
): RecordPolicy[] {
  switch (dns.routing) {
    case 'simple':
      return [{ suffix: '', kind: 'simple' }];
    case 'failover': {
      const role = flow.routing?.failover;
      if (!role)
        refuse(
          target,
          dns,
          flow,
          'failover routing, but the flow is neither primary nor secondary',
          "give the flow routing: { failover: 'primary' } or 'secondary'",
        );
      return [{ suffix: '', kind: 'failover', role: role === 'primary' ? 'PRIMARY' : 'SECONDARY' }];
    }
    case 'latency': {
      const region = placementOf(model, component).region;
      const code = model.regions.find((r) => r.id === region)?.code;
      if (!code) refuse(target, dns, flow, 'latency routing to a target in no region', 'route to a regional component');
      return [{ suffix: '', kind: 'latency', region: code }];
    }
    case 'weighted': {
      const weight = flow.routing?.weight;
      if (weight === undefined)
        refuse(
          target,
          dns,
          flow,
          'weighted routing, but the flow has no weight',
          'give the flow routing: { weight: N }',
        );
      return [{ suffix: '', kind: 'weighted', weight }];
    }
    case 'geolocation': {
      const locations = flow.routing?.locations?.length ? flow.routing.locations : ['*'];
      return locations.map((location) => ({
        suffix: location === '*' ? (locations.length > 1 ? 'default' : '') : location,
        kind: 'geolocation',
        location: geolocation(location),
      }));
    }
  }
}

function geolocation(location: string): Geolocation {
  const code = location.toUpperCase();
  if (code === '*') return { country: '*' };
  if (CONTINENTS.has(code)) return { continent: code };
  const [country = code, subdivision] = code.split('-');
  return { country, subdivision };
}

/**
 * Why a target is answered under a name of its own (a simple record) instead of in the routed record set, or
 * undefined: one with no failover role beside failover records (nexora's CloudFront beside its two ALBs), or a
 * CNAME beside alias records, since one name holds either alias A records or CNAMEs, never both (Route 53 Developer
 * Guide, "Choosing between alias and non-alias records"; hld-global's APAC read replicas beside the ALBs).
 */
export function asideReason(dns: RoutedDns, target: DnsTarget, isHost: boolean, mixed: boolean): string | undefined {
  if (dns.routing === 'failover' && !target.flow.routing?.failover) return 'which has no failover role';
  if (mixed && isHost) return 'a CNAME that cannot share a name with the alias records';
  return undefined;
}

/** The protocol and port a Route 53 health check of `dns` probes: the model's, else HTTPS, on its standard port. */
export function healthCheckEndpoint(dns: Dns): { protocol: 'http' | 'https' | 'tcp'; port: number } {
  const protocol = dns.healthCheck?.protocol ?? 'https';
  return { protocol, port: dns.healthCheck?.port ?? (protocol === 'http' ? 80 : 443) };
}

/** Refuses simple routing to several targets when one is an alias target: only address records answer together. */
export function refuseMultivalueAlias(target: AwsTarget, dns: Dns, component: Component): never {
  throw unsupported(target, `${dns.id}: simple routing to several targets, and ${component.id} is an alias target`, {
    path: ['components', dns.id, 'routing'],
    hint: "Route 53 answers with several targets only for A records of addresses: use 'latency', 'failover' or 'weighted' routing",
  });
}
