import type { KindName } from '../model/kinds.ts';
import type { Component } from '../model/schema.ts';
import { serviceScope } from '../model/service-scope.ts';
import type { CheckContext } from './context.ts';

/** One place where a component keeps or handles the rows it is given. */
export type Residence =
  /** A region of the model; `replica` when a global database keeps a replica there without being placed there. */
  | {
      readonly at: 'region';
      readonly region: string;
      readonly jurisdiction: string | undefined;
      readonly replica: boolean;
    }
  /** Its provider's network, outside any one region: in every jurisdiction the provider runs in. */
  | { readonly at: 'provider'; readonly service: string }
  /**
   * Placed in no region, and its kind does not say where it is: somewhere the model does not name. `unplaced` is the
   * component to place: itself, or the object store a Delta table's files are in.
   */
  | { readonly at: 'unstated'; readonly unplaced: Component };

/**
 * What a component placed in no region does with the rows it is given, by kind (every kind must say: a new kind
 * left out does not compile):
 * - `origin`: clients are where the data comes from and goes back to (users, their devices, the applications calling
 *   in); residency judges where the system puts the data, not its owners.
 * - `no-rows`: a DNS answer names an address; the rows never pass through DNS (a flow through it draws the path).
 * - `edge`: a CDN or an edge WAF terminates TLS and handles (a CDN caches) requests and responses at whichever of its
 *   provider's edge locations the client reached: every jurisdiction the provider has edges in.
 * - `replicas`: a global database keeps a replica of its rows in each region it lists.
 * - `store`: a Delta table's rows are files in its object store, wherever that is.
 * - `service`: the provider's service decides (service-scope.ts): a global one (Pub/Sub, Google's global load
 *   balancer, GHCR) spans its provider's network; a regional or self-run one is in a region the model does not name.
 */
const unplacedHolding: Record<KindName, 'origin' | 'no-rows' | 'edge' | 'replicas' | 'store' | 'service'> = {
  client: 'origin',
  dns: 'no-rows',
  cdn: 'edge',
  waf: 'edge',
  globalDatabase: 'replicas',
  apiGateway: 'service',
  loadBalancer: 'service',
  ingress: 'service',
  kubernetesCluster: 'service',
  workload: 'service',
  service: 'service',
  postgres: 'service',
  mysql: 'service',
  redis: 'service',
  queue: 'service',
  stream: 'service',
  objectStore: 'service',
  deltaTable: 'store',
  catalog: 'service',
  queryEngine: 'service',
  secrets: 'service',
  containerRegistry: 'service',
  observability: 'service',
  external: 'service',
};

/**
 * Where `component` keeps or handles the rows it is given: its region, each region of a global database, its
 * provider's whole network, or nowhere the model says; empty for what holds no rows to judge (DNS, clients).
 * @example residenceOf(context, cloudfront) // [{ at: 'provider', service: 'a global cdn (cloudfront)' }]
 */
export function residenceOf(context: CheckContext, component: Component): Residence[] {
  const inRegion = (region: string, replica: boolean): Residence => ({
    at: 'region',
    region,
    jurisdiction: context.regions.get(region)?.jurisdiction,
    replica,
  });
  const placed = context.regionOf(component.id);
  const regions: Residence[] = placed === undefined ? [] : [inRegion(placed, false)];
  if (component.kind === 'globalDatabase')
    for (const region of component.regions) if (region !== placed) regions.push(inRegion(region, true));
  if (regions.length > 0) return regions;
  switch (unplacedHolding[component.kind]) {
    case 'origin':
    case 'no-rows':
      return [];
    case 'edge':
      return [{ at: 'provider', service: `a global ${component.kind} (${providerOf(component)})` }];
    case 'store': {
      // The store is an object store (validation checks the reference's kind), which never leads here again.
      const store = component.kind === 'deltaTable' ? context.components.get(component.store) : undefined;
      return store ? residenceOf(context, store) : [{ at: 'unstated', unplaced: component }];
    }
    // A global database lists at least one region, judged above; the service decides only for the rest.
    case 'replicas':
    case 'service': {
      const scope = serviceScope(component);
      return [
        scope?.scope === 'global'
          ? { at: 'provider', service: scope.service }
          : { at: 'unstated', unplaced: component },
      ];
    }
  }
}

function providerOf(component: Component): string {
  return 'provider' in component && typeof component.provider === 'string' ? component.provider : component.kind;
}
