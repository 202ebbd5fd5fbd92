import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTopology } from '@meridian/topology';
import { describe, expect, it } from 'vitest';
import { runEmit } from '../src/commands/emit.ts';
import { findChromium } from '../src/render/chromium.ts';

const chromium = findChromium();
// CI installs Debian's chromium (.ci/run), so a missing browser there is a failure; on a developer machine
// without one the test says why it skips, in its title, which scripts/test-summary.mjs prints beside the closing line.
const skipsWithoutChromium = !chromium && !process.env.CI;
const title = skipsWithoutChromium
  ? 'Mermaid to SVG in Chromium [SKIPPED: no Chromium (./dev test installs it with root or sudo; or set MERIDIAN_CHROMIUM)]'
  : 'Mermaid to SVG in Chromium';

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

describe.skipIf(skipsWithoutChromium)(title, () => {
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

describe('meridian emit mermaid --svg without a browser', () => {
  const cli = new URL('../src/cli.ts', import.meta.url).pathname;
  const file = new URL('../../../examples/tv-voting/topology.ts', import.meta.url).pathname;

  // A path that is not there, and one that is there but is no browser (it exits 1 at once).
  for (const browser of ['/nonexistent/chromium', '/bin/false']) {
    it(`writes the .mmd files, then fails naming what is missing, with no SVG (MERIDIAN_CHROMIUM=${browser})`, {
      timeout: 120_000,
    }, async () => {
      const out = mkdtempSync(join(tmpdir(), 'meridian-svg-missing-'));
      try {
        const run = spawnSync(
          process.execPath,
          ['--conditions=@meridian/source', '--import', 'tsx', cli, 'emit', 'mermaid', file, '--out', out, '--svg'],
          { encoding: 'utf8', env: { ...process.env, MERIDIAN_CHROMIUM: browser } },
        );
        expect(run.status, run.stderr).toBe(2);
        expect(run.stderr).not.toMatch(/\n\s+at /);
        // Every diagram emit writes without --svg is there; not one SVG.
        const expected = await runEmit('mermaid', file, { out: mkdtempSync(join(tmpdir(), 'meridian-svg-plain-')) });
        const written = readdirSync(out).sort();
        expect(written).toEqual(expected.files.map((f) => f.path).sort());
        expect(written.filter((name) => !name.endsWith('.mmd'))).toEqual([]);
        rmSync(expected.out, { recursive: true, force: true });
        // What is missing, that the diagrams are there, and how to get a browser.
        expect(run.stderr).toContain(browser);
        expect(run.stderr).toContain(`wrote the ${written.length} .mmd files to ${out}, no SVG`);
        expect(run.stderr).toMatch(/hint: .*MERIDIAN_CHROMIUM/);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });
  }
});
