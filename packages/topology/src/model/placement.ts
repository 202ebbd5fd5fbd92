import { traitsOf } from './kinds.ts';
import type { Component, Region, Topology } from './schema.ts';

/** Where a component runs, resolved through its cluster: what `placementOf` returns. */
export interface ComponentPlacement {
  /** Region id; undefined for global components. */
  readonly region: string | undefined;
  /** The Kubernetes cluster it runs in, for workloads and other in-cluster components. */
  readonly cluster: string | undefined;
  /**
   * The zones it runs in: its own placement's, else its cluster's node groups', else (for self-run compute) the
   * zones its region declares; empty when the model does not pin it (managed services span the provider's zones).
   */
  readonly zones: readonly string[];
}

interface ModelIndex {
  readonly components: ReadonlyMap<string, Component>;
  readonly regions: ReadonlyMap<string, Region>;
  readonly placements: Map<string, ComponentPlacement>;
}

// A validated model is not changed after parsing; its lookups are built once per model object.
const indexes = new WeakMap<Topology, ModelIndex>();

function indexOf(model: Topology): ModelIndex {
  let index = indexes.get(model);
  if (!index) {
    const components = new Map<string, Component>();
    for (const c of model.components) if (!components.has(c.id)) components.set(c.id, c);
    const regions = new Map<string, Region>();
    for (const r of model.regions) if (!regions.has(r.id)) regions.set(r.id, r);
    index = { components, regions, placements: new Map() };
    indexes.set(model, index);
  }
  return index;
}

const nowhere: ComponentPlacement = { region: undefined, cluster: undefined, zones: [] };

/**
 * The region, cluster and zones of a component of `model`: the one answer the checker, the emitters and the
 * query client share. `placementOf(model, 'eu-west-1/eks/api')` is `{ region: 'eu-west-1', cluster: 'eu-west-1/eks', zones: [...] }`.
 */
export function placementOf(model: Topology, component: Component | string): ComponentPlacement {
  const index = indexOf(model);
  const id = typeof component === 'string' ? component : component.id;
  const known = index.placements.get(id);
  if (known) return known;
  const found = index.components.get(id);
  const placement = found ? resolve(found, index, new Set()) : nowhere;
  index.placements.set(id, placement);
  return placement;
}

function resolve(component: Component, index: ModelIndex, visiting: Set<string>): ComponentPlacement {
  const own = component.placement;
  if (own === 'global') return nowhere;
  if ('region' in own) {
    const zones =
      own.zones && own.zones.length > 0
        ? own.zones
        : component.kind === 'kubernetesCluster' && component.nodeGroups.some((g) => g.zones?.length)
          ? [...new Set(component.nodeGroups.flatMap((group) => group.zones ?? []))]
          : // Self-run compute can only be in the zones its region declares; managed services (S3, SQS, ...) span
            // the provider's zones whatever the model lists, so they do not inherit the declaration.
            traitsOf(component.kind).selfRunCompute
            ? (index.regions.get(own.region)?.zones ?? [])
            : [];
    return { region: own.region, cluster: undefined, zones };
  }
  const cluster = index.components.get(own.cluster);
  // A cluster placed in itself (or in a loop of clusters) is a model error reported by validation: no region.
  if (!cluster || cluster === component || visiting.has(cluster.id)) return nowhere;
  visiting.add(component.id);
  const host = resolve(cluster, index, visiting);
  return { region: host.region, cluster: cluster.id, zones: host.zones };
}
