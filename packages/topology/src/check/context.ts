import { placementOf } from '../model/placement.ts';
import { findProviderRegion } from '../model/regions.ts';
import type { Component, Flow, KubernetesCluster, Region, Topology } from '../model/schema.ts';
import type { FindingLocation } from './finding.ts';
import { type TopologyGraph, toGraph } from './graph.ts';

/**
 * What every rule reads: the model, its graph, and lookups derived once (placement, zones, flows by end).
 * Rules stay pure functions of this context.
 */
export interface CheckContext {
  readonly model: Topology;
  readonly graph: TopologyGraph;
  readonly components: ReadonlyMap<string, Component>;
  readonly regions: ReadonlyMap<string, Region>;
  /** Flows leaving / entering each component, in model order. */
  readonly outgoing: ReadonlyMap<string, readonly Flow[]>;
  readonly incoming: ReadonlyMap<string, readonly Flow[]>;
  /** Region id of a component (through its cluster), undefined for global ones. */
  regionOf(id: string): string | undefined;
  /** The cluster a component runs in. */
  clusterOf(id: string): KubernetesCluster | undefined;
  /** The zones a component runs in: its own, its cluster's node groups', or empty when unknown. */
  zonesOf(id: string): readonly string[];
  /** The zones a region offers (declared, else the provider's published list). */
  regionZones(regionId: string): readonly string[];
  /** Where a component was declared. */
  locate(id: string): FindingLocation | undefined;
  /** Where a flow was declared, else where its source component was. */
  locateFlow(flow: Flow): FindingLocation | undefined;
  /** A component's display: its id. */
  name(id: string): string;
}

/** Builds the shared context of one check run. */
export function createContext(model: Topology): CheckContext {
  const graph = toGraph(model);
  const components = new Map<string, Component>();
  for (const component of model.components) if (!components.has(component.id)) components.set(component.id, component);
  const regions = new Map<string, Region>();
  for (const region of model.regions) if (!regions.has(region.id)) regions.set(region.id, region);
  const outgoing = new Map<string, Flow[]>();
  const incoming = new Map<string, Flow[]>();
  for (const flow of model.flows) {
    if (!components.has(flow.from) || !components.has(flow.to)) continue;
    push(outgoing, flow.from, flow);
    push(incoming, flow.to, flow);
  }
  const placement = (id: string) => placementOf(model, id);
  const regionZones = (regionId: string): readonly string[] => {
    const region = regions.get(regionId);
    if (!region) return [];
    if (region.zones.length > 0) return region.zones;
    return findProviderRegion(region.provider, region.code)?.zones ?? [];
  };
  const clusterOf = (id: string): KubernetesCluster | undefined => {
    const clusterId = placement(id).cluster;
    const cluster = clusterId === undefined ? undefined : components.get(clusterId);
    return cluster?.kind === 'kubernetesCluster' ? cluster : undefined;
  };
  const zonesOf = (id: string): readonly string[] => placement(id).zones;
  const locate = (id: string) => components.get(id)?.source;
  return {
    model,
    graph,
    components,
    regions,
    outgoing,
    incoming,
    regionOf: (id) => placement(id).region,
    clusterOf,
    zonesOf,
    regionZones,
    locate,
    locateFlow: (flow) => flow.source ?? locate(flow.from),
    name: (id) => id,
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
