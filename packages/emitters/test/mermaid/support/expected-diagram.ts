import type { Component, Topology } from '@meridian/topology';

/**
 * What a diagram of `model` must show for a view, worked out from the model alone (an oracle written apart
 * from the emitter, so a test compares the parsed picture with the model, not the emitter with itself).
 */
export interface ExpectedDiagram {
  /** Components the view is about. */
  readonly focus: ReadonlySet<string>;
  /** Components outside the view drawn because they exchange flows with it (region views). */
  readonly context: ReadonlySet<string>;
  /** Arrows between component ids, with whether they are dotted and whether they are replication. */
  readonly edges: readonly {
    from: string;
    to: string;
    dotted: boolean;
    replication: boolean;
    dataClasses: readonly string[];
    label?: string | undefined;
  }[];
}

const stores = new Set(['postgres', 'redis', 'queue', 'stream', 'objectStore', 'deltaTable']);

function regionOf(c: Component, byId: Map<string, Component>): string | undefined {
  if (c.placement === 'global') return undefined;
  if ('region' in c.placement) return c.placement.region;
  const cluster = byId.get(c.placement.cluster);
  return cluster ? regionOf(cluster, byId) : undefined;
}

export function expectedDiagram(model: Topology, view: string): ExpectedDiagram {
  const byId = new Map(model.components.map((c) => [c.id, c]));
  const replicateFlows = new Set(
    model.flows.filter((f) => f.kind === 'replicate').map((f) => [f.from, f.to].sort().join(' ')),
  );
  const stated: ExpectedDiagram['edges'][number][] = [];
  const addStated = (from: string | undefined, to: string) => {
    if (from !== undefined && byId.has(from) && byId.has(to) && !replicateFlows.has([from, to].sort().join(' '))) {
      stated.push({ from, to, dotted: true, replication: true, dataClasses: [] });
    }
  };
  for (const c of model.components) {
    if (c.kind === 'postgres') addStated(c.replicaOf, c.id);
    if (c.kind === 'stream') addStated(c.mirrorOf, c.id);
    if (c.kind === 'redis' && c.globalDatastore?.role === 'secondary') addStated(c.globalDatastore.primary, c.id);
    if (c.kind === 'objectStore' && c.replication) addStated(c.id, c.replication.to);
  }
  const flows = model.flows.filter((f) => view !== 'data' || f.kind !== 'request' || f.dataClasses.length > 0);
  const all = [
    ...flows.map((f) => ({
      from: f.from,
      to: f.to,
      dotted: !f.sync || f.kind === 'replicate',
      replication: f.kind === 'replicate',
      dataClasses: f.dataClasses,
      label: f.label,
    })),
    ...stated,
  ];

  let focus: Set<string>;
  if (view === 'whole') focus = new Set(byId.keys());
  else if (view === 'data')
    focus = new Set([
      ...model.components.filter((c) => stores.has(c.kind)).map((c) => c.id),
      ...all.flatMap((e) => [e.from, e.to]),
    ]);
  else if (view.startsWith('region:'))
    focus = new Set(model.components.filter((c) => regionOf(c, byId) === view.slice(7)).map((c) => c.id));
  else if (view.startsWith('tier:'))
    focus = new Set(model.components.filter((c) => c.tier === view.slice(5)).map((c) => c.id));
  else throw new Error(`oracle: unknown view ${view}`);

  const context = new Set<string>();
  if (view.startsWith('region:')) {
    for (const e of all) {
      if (focus.has(e.from) !== focus.has(e.to)) context.add(focus.has(e.from) ? e.to : e.from);
    }
  }
  const shown = (id: string) => focus.has(id) || context.has(id);
  return {
    focus,
    context,
    edges: all.filter((e) => shown(e.from) && shown(e.to) && (focus.has(e.from) || focus.has(e.to))),
  };
}
