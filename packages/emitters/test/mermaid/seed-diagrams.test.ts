import { readFileSync } from 'node:fs';
import { loadTopology } from '@meridian/topology';
import { describe, expect, it } from 'vitest';
import { mermaidIds } from '../../src/mermaid/ids.ts';
import { toMermaid } from '../../src/mermaid/to-mermaid.ts';
import { seedDiagrams } from './fixtures/seeds/seeds.ts';
import { parseFlowchart } from './support/mermaid-parser.ts';

// Issue 5: the generated diagram of each seed example shows at least every component and flow of the seed
// document's own diagram; whatever it draws differently is listed (fixtures/seeds/seeds.ts and the README).
describe.each(seedDiagrams)('seed diagram of examples/$example', ({ example, diagrams, nodes, differences }) => {
  it('every seed node and edge is in the generated whole diagram, or listed as a difference', {
    timeout: 60_000,
  }, async () => {
    const model = await loadTopology(new URL(`../../../../examples/${example}/topology.ts`, import.meta.url).pathname);
    const ours = await parseFlowchart(toMermaid(model));
    const ids = mermaidIds(
      'n',
      model.components.map((c) => c.id),
    );
    const drawn = new Set([...ours.nodes.keys(), ...ours.subgraphs.keys()]);
    const arrows = new Set(ours.edges.map((e) => `${e.from} ${e.to}`));
    const mapped = (seedNode: string) => (nodes[seedNode] ?? []).map((id) => ids.get(id) ?? `unknown component ${id}`);
    const connected = (from: string, to: string) =>
      mapped(from).some((a) => mapped(to).some((b) => arrows.has(`${a} ${b}`)));
    const used = new Set<string>();

    for (const file of diagrams) {
      const seed = await parseFlowchart(readFileSync(new URL(`./fixtures/seeds/${file}`, import.meta.url), 'utf8'));
      const seedNodes = new Set([...seed.nodes.keys(), ...seed.edges.flatMap((e) => [e.from, e.to])]);
      for (const node of seedNodes) {
        if (differences[node] !== undefined) {
          used.add(node);
          continue;
        }
        expect(nodes[node], `${file}: seed node ${node} is mapped to components`).toBeDefined();
        for (const id of mapped(node)) expect(drawn.has(id), `${file}: ${node} -> ${id} is drawn`).toBe(true);
      }
      for (const edge of seed.edges) {
        const key = `${edge.from}->${edge.to}`;
        const isDifference = differences[key] !== undefined;
        if (isDifference) used.add(key);
        // `---` has no direction; `<-->` goes both ways.
        const ok =
          edge.arrow === 'arrow_open'
            ? connected(edge.from, edge.to) || connected(edge.to, edge.from)
            : edge.arrow === 'double_arrow_point'
              ? connected(edge.from, edge.to) && connected(edge.to, edge.from)
              : connected(edge.from, edge.to);
        expect(
          ok,
          `${file}: seed edge ${key} ${isDifference ? 'is listed as a difference but drawn' : 'is drawn'}`,
        ).toBe(!isDifference);
      }
    }
    expect([...used].sort(), 'every listed difference is one').toEqual(Object.keys(differences).sort());
  });
});
