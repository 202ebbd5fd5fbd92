import { traitsOf } from '../model/kinds.ts';
import type { Component, Flow } from '../model/schema.ts';
import { type IndexedGraph, indexGraph } from './algorithms/adjacency.ts';
import { type DependencyOrder, dependencyOrder } from './algorithms/dependency-order.ts';
import { type SeriesParallel, seriesParallel } from './algorithms/series-parallel.ts';
import { stronglyConnectedComponents } from './algorithms/strongly-connected.ts';
import { clusterEntries } from './cluster-entry.ts';
import { type ComponentProfile, componentProfile } from './component-profile.ts';
import type { CheckContext } from './context.ts';
import { type Route, routesByRequest, routesOf } from './routes.ts';

/**
 * The request-path view shared by the spof, sla and capacity-n1 rules: which component waits on which
 * (sync flows, plus implicit needs: in-cluster components need their cluster, a Delta table its object store,
 * a query engine the tables it reads), where traffic enters, and which dependencies are interchangeable.
 */
export interface RequestPaths {
  readonly graph: IndexedGraph;
  readonly order: DependencyOrder;
  readonly reduced: SeriesParallel;
  readonly profiles: readonly ComponentProfile[];
  /** Entry points: clients, else components nothing calls that call something. */
  readonly entries: readonly number[];
  /** The sync flow (if any) behind each dependency edge `from>to`, for locations and messages. */
  readonly flowOf: ReadonlyMap<string, Flow>;
  /** Each router's routes (flows and ingress rules), with the requests they serve. */
  readonly routes: ReadonlyMap<string, readonly Route[]>;
}

// Reference fields a component cannot serve without: a Delta table's object store, the tables a query engine reads.
const implicitNeeds = new Set(['store', 'reads']);

/** Builds the request-path view of a topology. */
export function requestPaths(context: CheckContext): RequestPaths {
  const ids = [...context.components.keys()];
  const edges: [string, string][] = [];
  const flowOf = new Map<string, Flow>();
  // A flow into a cluster reaches what serves in it (its Ingresses, else its listening workloads), as a flow drawn
  // to them would; those need the cluster through their `contains` edge (check/cluster-entry.ts).
  const entered = clusterEntries(context);
  const reached = (source: string, target: string): readonly string[] => {
    const members = entered.get(target)?.members ?? [];
    return members.length > 0 && context.clusterOf(source)?.id !== target ? members : [target];
  };
  context.graph.forEachEdge((_key, edge, source, target) => {
    if (edge.type === 'flow') {
      // A dependency read only at start-up is not on the request path (the rto rule judges it for recovery).
      if (!edge.sync || edge.flow.when === 'startup') return;
      for (const to of reached(source, target)) {
        edges.push([source, to]);
        if (!flowOf.has(`${source}>${to}`)) flowOf.set(`${source}>${to}`, edge.flow);
      }
    } else if (edge.type === 'contains') {
      // An in-cluster component needs its cluster (regions contain too, but are not components).
      if (context.components.has(source)) edges.push([target, source]);
    } else if (implicitNeeds.has(edge.path[0] as string)) {
      edges.push([source, target]);
    }
  });
  // Routes are traffic (issue 20): an ingress rule sends requests to its backend even when no flow is drawn.
  const routes = new Map(
    [...routesOf(context)].map(([router, list]) => [
      router,
      list.flatMap((route) => reached(router, route.target).map((target) => ({ ...route, target }))),
    ]),
  );
  for (const list of routes.values())
    for (const route of list) if (!route.flow) edges.push([route.router, route.target]);
  const indexed = indexGraph(ids, edges);
  // Edges inside a synchronous cycle are the cycle rule's finding; which of them a fold would drop depends on
  // visiting order, so all are left out here and the components on the cycle are judged on their other needs.
  const component = new Int32Array(ids.length);
  stronglyConnectedComponents(indexed.out).forEach((members, i) => {
    for (const member of members) component[member] = i;
  });
  const graph = {
    ...indexed,
    out: indexed.out.map((targets, from) => targets.filter((to) => component[to] !== component[from])),
  };
  const order = dependencyOrder(graph.out);
  const components = ids.map((id) => context.components.get(id) as Component);
  const alternatives = (node: number, dependencies: readonly number[]): number[][] => {
    const component = components[node] as Component;
    if (!traitsOf(component.kind).routesTraffic) return [];
    // Only the targets it routes to can stand in for each other: what it needs to run at all (the cluster an
    // Ingress lives in, through a `contains` edge) is in series with every route, never a route itself. And only
    // targets serving the same request: `/api/*` and `/*` are two requests, each needed, not two alternatives.
    const present = new Set(dependencies);
    return routesByRequest(routes.get(component.id) ?? []).map((targets) =>
      interchangeable(
        component,
        targets.map((id) => graph.index.get(id) as number).filter((d) => present.has(d)),
      ),
    );
  };
  const interchangeable = (component: Component, targets: number[]): number[] => {
    if (targets.length < 2) return [];
    const routed = targets.filter((d) => flowOf.get(`${component.id}>${ids[d]}`)?.routing?.failover !== undefined);
    if (routed.length >= 2) return routed;
    // Unstated routing is assumed simple (no failover), the conservative reading (check/assumptions.ts).
    if (component.kind === 'dns' && (component.routing === 'simple' || component.routing === undefined)) return [];
    // Route 53 returns an unhealthy record anyway unless a health check watches it ("How Route 53 chooses records when health checking is configured").
    if (component.kind === 'dns' && component.routing !== 'failover' && component.healthCheck === undefined) return [];
    // Targets in two or more regions are interchangeable; global targets (a CDN next to the regions) stay in series.
    const regional = targets.filter((d) => context.regionOf(ids[d] as string) !== undefined);
    const regions = new Set(regional.map((d) => context.regionOf(ids[d] as string)));
    return regions.size >= 2 ? regional : [];
  };
  const reduced = seriesParallel(graph.out, order, alternatives);
  const profiles = components.map((component) => componentProfile(component, context));
  // Entry points are where flows start: clients, else what no sync flow reaches but sends sync flows (the implicit
  // needs on clusters and stores do not make an idle workload an entry).
  const called = new Set<string>();
  const calling = new Set<string>();
  for (const flow of flowOf.values()) {
    calling.add(flow.from);
    called.add(flow.to);
    for (const member of reached(flow.from, flow.to)) called.add(member);
  }
  for (const list of routes.values()) {
    for (const route of list) {
      calling.add(route.router);
      called.add(route.target);
    }
  }
  const clients = ids.flatMap((id, i) => (components[i]?.kind === 'client' && calling.has(id) ? [i] : []));
  const entries =
    clients.length > 0
      ? clients
      : ids.flatMap((id, i) =>
          calling.has(id) && !called.has(id) && components[i]?.kind !== 'observability' ? [i] : [],
        );
  return { graph, order, reduced, profiles, entries, flowOf, routes };
}
