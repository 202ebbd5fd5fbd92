import { MultiDirectedGraph } from 'graphology';
import { type KindTraits, traitsOf } from '../model/kinds.ts';
import { placementOf } from '../model/placement.ts';
import { componentReferences } from '../model/references.ts';
import type { Component, Flow, Region, Topology } from '../model/schema.ts';

/** A component node: the component, and where it runs (resolved through its cluster). */
export interface ComponentNodeAttributes {
  readonly type: 'component';
  readonly component: Component;
  /** What its kind is: data service, router, stateful, ... (see `kindTraits`). */
  readonly traits: KindTraits;
  /** Region id, undefined for global components. */
  readonly region: string | undefined;
  /** The cluster it runs in, for workloads and other in-cluster components. */
  readonly cluster: string | undefined;
}

/** A region node, the root of containment. */
export interface RegionNodeAttributes {
  readonly type: 'region';
  readonly region: Region;
}

/** Node attributes of a {@link TopologyGraph}. */
export type TopologyNodeAttributes = ComponentNodeAttributes | RegionNodeAttributes;

/** A flow between components: traffic or data, sync or not. */
export interface FlowEdgeAttributes {
  readonly type: 'flow';
  readonly flow: Flow;
  /** The flow's kind (request, write, replicate, ...). */
  readonly kind: Flow['kind'];
  /** True when the caller waits for the answer. */
  readonly sync: boolean;
  /** Data classes the flow carries. */
  readonly carries: readonly string[];
}

/** Containment: region > cluster or component, cluster > workload. Algorithms over flows exclude these. */
export interface ContainsEdgeAttributes {
  readonly type: 'contains';
}

/** A field of one component naming another (replicaOf, store, dlq, reads, ...). */
export interface ReferenceEdgeAttributes {
  readonly type: 'reference';
  readonly path: readonly (string | number)[];
}

/** Edge attributes of a {@link TopologyGraph}. */
export type TopologyEdgeAttributes = FlowEdgeAttributes | ContainsEdgeAttributes | ReferenceEdgeAttributes;

/** The topology as a graphology multigraph: component ids and `region:<id>` as node keys. */
export type TopologyGraph = MultiDirectedGraph<TopologyNodeAttributes, TopologyEdgeAttributes>;

/** The node key of a region. */
export function regionKey(regionId: string): string {
  return `region:${regionId}`;
}

/**
 * The topology as a graphology graph, for your own analyses (graphology's algorithms run on it as is) and the one
 * the checker reads: one node per component and per region, a `flow` edge per flow (keyed by the flow id),
 * `contains` edges region > cluster > workload, and `reference` edges for fields that name components.
 * Unknown ends (a model that skipped validation) are left out rather than thrown on: checks never throw.
 */
export function toGraph(model: Topology): TopologyGraph {
  const graph: TopologyGraph = new MultiDirectedGraph();
  for (const region of model.regions) {
    if (!graph.hasNode(regionKey(region.id))) graph.addNode(regionKey(region.id), { type: 'region', region });
  }
  const byId = new Map<string, Component>();
  for (const component of model.components) if (!byId.has(component.id)) byId.set(component.id, component);
  for (const component of byId.values()) {
    const { region, cluster } = placementOf(model, component);
    graph.addNode(component.id, { type: 'component', component, traits: traitsOf(component.kind), region, cluster });
  }
  for (const component of byId.values()) {
    const attributes = graph.getNodeAttributes(component.id) as ComponentNodeAttributes;
    const parent = attributes.cluster ?? (attributes.region === undefined ? undefined : regionKey(attributes.region));
    if (parent !== undefined && graph.hasNode(parent))
      graph.addDirectedEdge(parent, component.id, { type: 'contains' });
    for (const reference of componentReferences(component)) {
      if (reference.path[0] === 'placement' || !graph.hasNode(reference.id)) continue;
      graph.addDirectedEdge(component.id, reference.id, { type: 'reference', path: reference.path });
    }
  }
  for (const flow of model.flows) {
    if (!byId.has(flow.from) || !byId.has(flow.to) || graph.hasEdge(flow.id)) continue;
    graph.addDirectedEdgeWithKey(flow.id, flow.from, flow.to, {
      type: 'flow',
      flow,
      kind: flow.kind,
      sync: flow.sync,
      carries: flow.dataClasses,
    });
  }
  return graph;
}

/** The `[from, to]` pairs of the graph's edges that `keep` accepts, in the graph's edge order. */
export function edgesOf(
  graph: TopologyGraph,
  keep: (attributes: TopologyEdgeAttributes) => boolean,
): [from: string, to: string][] {
  const edges: [string, string][] = [];
  graph.forEachEdge((_key, attributes, source, target) => {
    if (keep(attributes)) edges.push([source, target]);
  });
  return edges;
}
