import { readdirSync } from 'node:fs';
import { loadTopology } from '@meridian/topology';
import { describe, expect, it } from 'vitest';
import { runEmitter } from '../../src/emitter.ts';
import { mermaidEmitter } from '../../src/mermaid/emitter.ts';
import { parseFlowchart } from './support/mermaid-parser.ts';

const examplesDir = new URL('../../../../examples/', import.meta.url);
const examples = readdirSync(examplesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && readdirSync(new URL(`${d.name}/`, examplesDir)).includes('topology.ts'))
  .map((d) => d.name);

// What `meridian emit mermaid` writes for every example, kept in test/mermaid/golden/ (`vitest run -u` rewrites
// them) and parsed by the real Mermaid parser, so a golden file cannot hold a diagram Mermaid rejects.
describe.each(examples)('mermaid golden files: %s', (example) => {
  it('are what the emitter writes, and every one parses', async () => {
    const model = await loadTopology(new URL(`${example}/topology.ts`, examplesDir).pathname);
    const files = runEmitter(mermaidEmitter, model, {});
    expect(files.length).toBeGreaterThan(2);
    for (const file of files) {
      await expect(file.contents).toMatchFileSnapshot(`./golden/${example}/${file.path}`);
      const parsed = await parseFlowchart(file.contents);
      expect(parsed.nodes.size, file.path).toBeGreaterThan(0);
    }
  });
});
