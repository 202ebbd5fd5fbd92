import type { Component, Topology } from '@meridian/topology';
import { expect } from 'vitest';
import { mermaidIds } from '../../../src/mermaid/ids.ts';
import { expectedDiagram } from './expected-diagram.ts';
import { type ParsedFlowchart, parseFlowchart } from './mermaid-parser.ts';

// The parser's name for each shape the emitter promises (mermaid flowDb vertex types).
const parsedShape: Partial<Record<Component['kind'], string>> = {
  postgres: 'cylinder',
  redis: 'cylinder',
  objectStore: 'cylinder',
  deltaTable: 'cylinder',
  queue: 'lean_right',
  stream: 'lean_left',
  workload: 'round',
  service: 'round',
  external: 'odd',
  dns: 'hexagon',
  client: 'stadium',
};

// Control characters would end a Mermaid statement; the emitter documents that they become spaces.
const nameOf = (c: Component) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
  (c.name ?? c.id.slice(c.id.lastIndexOf('/') + 1)).replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ');

/**
 * Parses `text` with the real Mermaid parser and checks it against the model: every component the view
 * shows is there once (a node, or a subgraph for a cluster with something inside), with its name, shape and
 * tier class, inside its region's (and cluster's) subgraph; the arrows are exactly the model's flows and
 * replication for that view, dotted where asynchronous; the primary region is marked.
 */
export async function expectDiagramOfModel(model: Topology, view: string, text: string): Promise<ParsedFlowchart> {
  const parsed = await parseFlowchart(text);
  const expected = expectedDiagram(model, view);
  const nodeId = mermaidIds(
    'n',
    model.components.map((c) => c.id),
  );
  const byId = new Map(model.components.map((c) => [c.id, c]));
  const shown = (id: string) => expected.focus.has(id) || expected.context.has(id);
  const id = (componentId: string) => nodeId.get(componentId) ?? `missing ${componentId}`;

  const parentOf = new Map<string, string>();
  for (const s of parsed.subgraphs.values()) for (const member of s.members) parentOf.set(member, s.id);
  const ancestors = (mermaidId: string): string[] => {
    const chain: string[] = [];
    for (let p = parentOf.get(mermaidId); p !== undefined; p = parentOf.get(p)) chain.push(p);
    return chain;
  };

  const visible = model.components.filter((c) => shown(c.id));
  const hasVisibleChild = (cluster: Component) =>
    model.components.some(
      (c) =>
        typeof c.placement === 'object' &&
        'cluster' in c.placement &&
        c.placement.cluster === cluster.id &&
        shown(c.id),
    );
  const asSubgraph = visible.filter((c) => c.kind === 'kubernetesCluster' && hasVisibleChild(c));
  const asNode = visible.filter((c) => !asSubgraph.includes(c));

  expect([...parsed.nodes.keys()].sort(), `nodes of ${view}`).toEqual(asNode.map((c) => id(c.id)).sort());
  for (const c of asNode) {
    const node = parsed.nodes.get(id(c.id));
    expect(node?.label.split('\n')[0], `label of ${c.id}`).toBe(nameOf(c));
    const shape = parsedShape[c.kind];
    if (shape) expect(node?.shape, `shape of ${c.id} (${c.kind})`).toBe(shape);
    expect(node?.classes, `classes of ${c.id}`).toContain(expected.context.has(c.id) ? 'context' : `tier_${c.tier}`);
    if (c.kind === 'external') expect(node?.classes).toContain('vendor');
  }
  for (const c of asSubgraph) {
    expect(parsed.subgraphs.get(id(c.id))?.title.startsWith(nameOf(c)), `cluster subgraph ${c.id}`).toBe(true);
  }

  // Containment: region > cluster > tier, clients and global services outside every region.
  for (const c of visible) {
    const chain = ancestors(id(c.id));
    const placement = c.placement;
    if (c.kind === 'client') expect(chain.at(-1)).toBe('g_clients');
    else if (placement === 'global') expect(chain.at(-1)).toBe('g_global');
    else if ('cluster' in placement) {
      expect(chain, `${c.id} inside its cluster`).toContain(id(placement.cluster));
      const cluster = byId.get(placement.cluster);
      if (cluster && typeof cluster.placement === 'object' && 'region' in cluster.placement) {
        expect(parsed.subgraphs.get(chain.at(-1) ?? '')?.title.startsWith(cluster.placement.region)).toBe(true);
      }
    } else {
      expect(
        parsed.subgraphs.get(chain.at(-1) ?? '')?.title.startsWith(placement.region),
        `${c.id} inside region ${placement.region}`,
      ).toBe(true);
    }
  }
  for (const s of parsed.subgraphs.values()) {
    if (!s.id.startsWith('t_')) continue;
    for (const member of s.members) {
      const component = model.components.find((c) => id(c.id) === member);
      if (component) expect(component.tier, `${component.id} in tier subgraph ${s.title}`).toBe(s.title);
    }
  }
  for (const region of model.regions.filter((r) => r.role === 'primary')) {
    const subgraph = [...parsed.subgraphs.values()].find((s) => s.title.startsWith(`${region.id} `));
    if (subgraph) {
      expect(subgraph.title).toContain('primary');
      expect(subgraph.classes).toContain('primaryRegion');
    }
  }

  const pairs = (list: readonly { from: string; to: string }[]) => list.map((e) => `${e.from} -> ${e.to}`).sort();
  expect(pairs(parsed.edges), `edges of ${view}`).toEqual(
    pairs(expected.edges.map((e) => ({ from: id(e.from), to: id(e.to) }))),
  );
  for (const e of expected.edges) {
    const drawn = parsed.edges.filter((p) => p.from === id(e.from) && p.to === id(e.to));
    expect(
      drawn.some((p) => (p.stroke === 'dotted') === e.dotted),
      `${e.from} -> ${e.to} dotted=${e.dotted}`,
    ).toBe(true);
    if (e.replication && e.label === undefined) {
      expect(
        drawn.some((p) => /^(replicates|mirrors) · \S/.test(p.label)),
        `${e.from} -> ${e.to} labelled with its replication mode`,
      ).toBe(true);
    }
    if (view === 'data' && e.dataClasses.length > 0) {
      expect(
        drawn.some((p) => e.dataClasses.every((d) => p.label.includes(d))),
        `${e.from} -> ${e.to} names its data classes`,
      ).toBe(true);
    }
  }
  return parsed;
}
