import { bucketName, type Component, type KubernetesCluster } from '@meridian/topology';

/**
 * How each kind of component looks. Classic flowchart shapes only (no `@{ shape }`), so the diagrams render
 * in every Mermaid a docs host runs, GitHub's included:
 * stores are cylinders, queues and streams are parallelograms leaning opposite ways, the edge (DNS, CDN, WAF)
 * is hexagons, entry points (gateways, load balancers, ingresses) trapezoids, compute rounded boxes, catalogs and
 * query engines double-sided boxes, clients stadiums and outside vendors flags.
 */
export type NodeShape =
  | 'cylinder'
  | 'lean-right'
  | 'lean-left'
  | 'hexagon'
  | 'trapezoid'
  | 'round'
  | 'subroutine'
  | 'stadium'
  | 'flag'
  | 'box';

const shapeOfKind: Readonly<Record<Component['kind'], NodeShape>> = {
  dns: 'hexagon',
  cdn: 'hexagon',
  waf: 'hexagon',
  apiGateway: 'trapezoid',
  loadBalancer: 'trapezoid',
  ingress: 'trapezoid',
  kubernetesCluster: 'box',
  workload: 'round',
  service: 'round',
  postgres: 'cylinder',
  mysql: 'cylinder',
  globalDatabase: 'cylinder',
  redis: 'cylinder',
  queue: 'lean-right',
  stream: 'lean-left',
  objectStore: 'cylinder',
  deltaTable: 'cylinder',
  catalog: 'subroutine',
  queryEngine: 'subroutine',
  secrets: 'box',
  containerRegistry: 'box',
  observability: 'box',
  client: 'stadium',
  external: 'flag',
};

/** The shape a component is drawn with. */
export function shapeOf(component: Component): NodeShape {
  return shapeOfKind[component.kind];
}

/** Opening and closing brackets of each shape around a quoted label. */
export const shapeBrackets: Readonly<Record<NodeShape, readonly [string, string]>> = {
  cylinder: ['[(', ')]'],
  'lean-right': ['[/', '/]'],
  'lean-left': ['[\\', '\\]'],
  hexagon: ['{{', '}}'],
  trapezoid: ['[/', '\\]'],
  round: ['(', ')'],
  subroutine: ['[[', ']]'],
  stadium: ['([', '])'],
  flag: ['>', ']'],
  box: ['[', ']'],
};

/** A component's display name: its `name`, else the last segment of its id. */
export function displayName(component: Component): string {
  return component.name ?? component.id.slice(component.id.lastIndexOf('/') + 1);
}

const count = (n: number): string =>
  n >= 1_000_000 ? `${trim(n / 1_000_000)}M` : n >= 1_000 ? `${trim(n / 1_000)}k` : String(n);
const trim = (n: number): string => String(Math.round(n * 10) / 10);

function replicas(component: Component): string | undefined {
  const r = component.replicas;
  if (!r) return undefined;
  return r.min === r.max ? `×${r.min}` : `×${r.min}–${r.max}`;
}

/** The second line of a node's label: what the component is, in a few words (kind, product, role, size). */
export function detailOf(component: Component): string {
  const parts = kindDetail(component);
  const size = replicas(component);
  if (size) parts.push(size);
  if (component.capacity?.maxRps !== undefined) parts.push(`${count(component.capacity.maxRps)} rps`);
  const placement = component.placement;
  if (typeof placement === 'object' && 'region' in placement && placement.zones?.length) {
    // AWS us-east-1a -> a, GCP us-central1-b -> b (Azure zones are already 1, 2, 3): the region is the subgraph around the node.
    const short = placement.zones.map((z) => /\d-?([a-z])$/.exec(z)?.[1] ?? z);
    parts.push(`zones ${short.join(', ')}`);
  }
  return parts.join(' · ');
}

function kindDetail(c: Component): string[] {
  switch (c.kind) {
    case 'dns':
      return [`DNS ${c.provider}`, c.routing ?? 'routing not stated'];
    case 'cdn':
      return [`CDN ${c.provider}`];
    case 'waf':
      return [`WAF ${c.provider}`];
    case 'apiGateway':
      return ['API gateway'];
    case 'loadBalancer':
      return [c.type.toUpperCase(), ...(c.scheme === 'internal' ? ['internal'] : [])];
    case 'ingress':
      return [`ingress ${c.className}`];
    case 'kubernetesCluster':
      return [clusterTitle(c)];
    case 'workload':
      return [c.workloadKind];
    case 'service':
      return [c.runtime];
    case 'postgres':
      return [`postgres ${c.platform}`, c.role, ...(c.multiAz ? ['multi-AZ'] : [])];
    case 'mysql':
      return [`${c.engine} ${c.platform}`, c.role, ...(c.multiAz ? ['multi-AZ'] : [])];
    case 'globalDatabase':
      return [`${c.service} ${c.writeRegions}-writer`, `${c.consistency} consistency`, `${c.regions.length} regions`];
    case 'redis':
      return [`redis ${c.platform}`, ...(c.clusterMode ? ['cluster mode'] : []), ...(c.multiAz ? ['multi-AZ'] : [])];
    case 'queue':
      return [`${c.provider} queue`, ...(c.fifo ? ['FIFO'] : [])];
    case 'stream':
      return [`${c.engine} stream`];
    case 'objectStore':
      return [`${c.provider} ${bucketName(c)}`];
    case 'deltaTable':
      return ['Delta table'];
    case 'catalog':
      return [`catalog ${c.provider}`];
    case 'queryEngine':
      return [`query engine ${c.engine}`];
    case 'secrets':
      return [c.provider];
    case 'containerRegistry':
      return [`registry ${c.provider}`];
    case 'observability':
      return [c.product];
    case 'client':
      return [c.clientKind, ...(c.population === undefined ? [] : [count(c.population)])];
    case 'external':
      return [`external ${c.vendor}`];
  }
}

/** A cluster's kind line, used as its subgraph title: `EKS 1.28`. */
export function clusterTitle(cluster: KubernetesCluster): string {
  const distribution = cluster.distribution === 'self-managed' ? 'Kubernetes' : cluster.distribution.toUpperCase();
  return cluster.version === undefined ? distribution : `${distribution} ${cluster.version}`;
}
