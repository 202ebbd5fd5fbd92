import type { Component, Flow, Topology } from '@meridian/topology';

/** How an edge is drawn: solid for synchronous calls, dotted for asynchronous ones, dotted and coloured for replication. */
type EdgeStyle = 'sync' | 'async' | 'replication';

/** One arrow of the diagram, between two component ids. */
export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly style: EdgeStyle;
  /** Plain text; escaped when printed. Empty for plain requests. */
  readonly label: string;
  /** The flow it draws, or undefined for replication the model states on a component (replicaOf, mirrorOf, ...). */
  readonly flow: Flow | undefined;
}

/**
 * The arrows of the whole topology: every flow, then the replication the model states on components
 * (postgres `replicaOf`, stream `mirrorOf`, object store `replication.to`, Redis global datastore) unless a
 * `replicate` flow already draws it, so a replica is never left unconnected in the picture.
 */
export function diagramEdges(model: Topology, options: { dataLabels: boolean }): DiagramEdge[] {
  const byId = new Map(model.components.map((c) => [c.id, c]));
  const edges: DiagramEdge[] = model.flows.map((flow) => ({
    from: flow.from,
    to: flow.to,
    style: flow.kind === 'replicate' ? 'replication' : flow.sync ? 'sync' : 'async',
    label: flowLabel(flow, byId, options.dataLabels),
    flow,
  }));
  const replicated = new Set(
    model.flows.filter((f) => f.kind === 'replicate').flatMap((f) => [`${f.from}\n${f.to}`, `${f.to}\n${f.from}`]),
  );
  for (const component of model.components) {
    const stated = statedReplication(component);
    if (stated && byId.has(stated.from) && byId.has(stated.to) && !replicated.has(`${stated.from}\n${stated.to}`)) {
      edges.push({ ...stated, style: 'replication', flow: undefined });
    }
  }
  return edges;
}

function statedReplication(component: Component): { from: string; to: string; label: string } | undefined {
  const to = component.id;
  switch (component.kind) {
    case 'postgres':
      return component.replicaOf === undefined
        ? undefined
        : { from: component.replicaOf, to, label: `replicates · ${component.replicationMode ?? 'async'}` };
    case 'stream':
      return component.mirrorOf === undefined
        ? undefined
        : { from: component.mirrorOf, to, label: `mirrors · ${component.mirroring ?? 'async'}` };
    case 'redis':
      return component.globalDatastore?.role === 'secondary' && component.globalDatastore.primary !== undefined
        ? { from: component.globalDatastore.primary, to, label: 'replicates · global datastore' }
        : undefined;
    case 'objectStore':
      return component.replication === undefined
        ? undefined
        : { from: component.id, to: component.replication.to, label: `replicates · ${component.replication.mode}` };
    default:
      return undefined;
  }
}

function flowLabel(flow: Flow, byId: ReadonlyMap<string, Component>, dataLabels: boolean): string {
  const parts: string[] = [];
  if (flow.label !== undefined) parts.push(flow.label);
  else if (flow.kind === 'replicate') parts.push(`replicates · ${replicationMode(flow, byId)}`);
  else if (flow.kind !== 'request') parts.push(flow.kind);
  if (dataLabels && flow.dataClasses.length > 0) parts.push(flow.dataClasses.join(', '));
  return parts.join(' · ');
}

// The flow's own mode, else the replica's declared mode, else what the flow's sync flag says.
function replicationMode(flow: Flow, byId: ReadonlyMap<string, Component>): string {
  if (flow.replicationMode !== undefined) return flow.replicationMode;
  const target = byId.get(flow.to);
  if (target?.kind === 'postgres' && target.replicationMode !== undefined) return target.replicationMode;
  return flow.sync ? 'sync' : 'async';
}
