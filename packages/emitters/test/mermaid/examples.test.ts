import { readdirSync } from 'node:fs';
import { loadTopology, type Topology } from '@meridian/topology';
import { describe, expect, it } from 'vitest';
import { toMermaid } from '../../src/mermaid/to-mermaid.ts';
import { mermaidViews } from '../../src/mermaid/views.ts';
import { expectDiagramOfModel } from './support/assert-diagram.ts';

// Every example in examples/*/topology.ts, every view: parsed by the real Mermaid parser and compared with the model.
const examplesDir = new URL('../../../../examples/', import.meta.url);
const examples = readdirSync(examplesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && readdirSync(new URL(`${d.name}/`, examplesDir)).includes('topology.ts'))
  .map((d) => d.name)
  .sort();

describe.each(examples)('examples/%s', (name) => {
  let model: Topology;

  it('loads and has a view for the whole, each region and the data flows', { timeout: 60_000 }, async () => {
    model = await loadTopology(new URL(`${name}/topology.ts`, examplesDir).pathname);
    const views = mermaidViews(model);
    expect(views).toContain('whole');
    expect(views).toContain('data');
    for (const region of model.regions) expect(views).toContain(`region:${region.id}`);
  });

  it('every view parses and shows exactly the model', async () => {
    for (const view of mermaidViews(model)) await expectDiagramOfModel(model, view, toMermaid(model, { view }));
  });
});

it('finds the seed examples', () => {
  expect(examples).toEqual(expect.arrayContaining(['aragora', 'hld-global', 'nexora', 'orasi-telemetry', 'tv-voting']));
});
