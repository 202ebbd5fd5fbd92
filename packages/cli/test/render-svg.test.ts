import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTopology } from '@meridian/topology';
import { describe, expect, it } from 'vitest';
import { runEmit } from '../src/commands/emit.ts';
import { findChromium } from '../src/render/chromium.ts';

const chromium = findChromium();
// CI installs Debian's chromium (.ci/run), so a missing browser there is a failure; on a developer machine
// without one the test says why it skips.
if (!chromium && !process.env.CI) {
  console.warn('render-svg.test.ts: skipped, no Chromium (apt-get install -y chromium, or set MERIDIAN_CHROMIUM)');
}

const entities: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'", nbsp: ' ' };
const decode = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&(#\d+|#x[0-9a-f]+|\w+);/gi, (whole, e: string) =>
      e.startsWith('#x')
        ? String.fromCodePoint(Number.parseInt(e.slice(2), 16))
        : e.startsWith('#')
          ? String.fromCodePoint(Number(e.slice(1)))
          : (entities[e] ?? whole),
    );

// Mermaid writes every node and subgraph label as HTML in a foreignObject:
// <span class="nodeLabel"><p>name<br /><small>kind</small></p></span>. The first line is the name.
function nodeLabelsIn(svg: string): string[] {
  return [...svg.matchAll(/<span[^>]*class="nodeLabel"[^>]*>(.*?)<\/span>/g)].map((m) =>
    decode((m[1] ?? '').split(/<br\s*\/?>/)[0] ?? ''),
  );
}

describe.skipIf(!chromium && !process.env.CI)('Mermaid to SVG in Chromium', () => {
  it('renders the tv-voting eu-west-1 view with a label for every component of the region', {
    timeout: 120_000,
  }, async () => {
    expect(chromium, 'CI must have Chromium: .ci/run installs it').toBeDefined();
    const file = new URL('../../../examples/tv-voting/topology.ts', import.meta.url).pathname;
    const out = mkdtempSync(join(tmpdir(), 'meridian-svg-'));
    try {
      const {
        files: [written],
      } = await runEmit('mermaid', file, { out, options: { views: ['region:eu-west-1'] }, svg: true });
      expect(written?.svg).toBe(join(out, 'tv-voting.region-eu-west-1.svg'));
      const svg = readFileSync(written?.svg ?? '', 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      const labels = nodeLabelsIn(svg);
      const model = await loadTopology(file);
      const inRegion = model.components.filter((c) => c.id.startsWith('eu-west-1/'));
      expect(inRegion.length).toBeGreaterThan(5);
      for (const c of inRegion) {
        const name = c.name ?? c.id.slice(c.id.lastIndexOf('/') + 1);
        // A node's label is its name; a cluster's subgraph title is `name · EKS 1.28`.
        expect(
          labels.some((l) => l === name || (c.kind === 'kubernetesCluster' && l.startsWith(`${name} · `))),
          `label of ${c.id} in ${labels.join(' | ')}`,
        ).toBe(true);
      }
      expect(labels).toContain('eu-west-1 · secondary · EU');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
