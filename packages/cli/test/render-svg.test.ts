import { describe, expect, it } from 'vitest';
import { findChromium } from '../src/render/chromium.ts';
import { openMermaidRenderer } from '../src/render/svg.ts';

const chromium = findChromium();

// Mermaid writes each label as HTML in a foreignObject: <span class="nodeLabel|edgeLabel"><p>text</p></span>.
function labelsIn(svg: string): string[] {
  const entities: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'", nbsp: ' ' };
  return [...svg.matchAll(/<span class="(?:nodeLabel|edgeLabel)"[^>]*>(?:<p>)?(.*?)(?:<\/p>)?<\/span>/g)]
    .map((m) => (m[1] ?? '').replace(/<br\s*\/?>/g, '\n').replace(/&(#\d+|\w+);/g, (_, e: string) => (e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : (entities[e] ?? `&${e};`))))
    .filter((text) => text !== '');
}
// CI installs Debian's chromium (.ci/run), so a missing browser there is a failure; on a developer machine
// without one the test says why it skips.
if (!chromium && !process.env.CI) {
  console.warn('render-svg.test.ts: skipped, no Chromium (apt-get install -y chromium, or set MERIDIAN_CHROMIUM)');
}

describe.skipIf(!chromium && !process.env.CI)('Mermaid to SVG in Chromium', () => {
  it('renders every node label, including escaped ones, into the SVG', { timeout: 60_000 }, async () => {
    expect(chromium, 'CI must have Chromium: .ci/run installs it').toBeDefined();
    const renderer = await openMermaidRenderer();
    try {
      const svg = await renderer.svg(
        'flowchart TB\n  subgraph r["eu-west-1 · primary"]\n    a[("orders #quot;db#quot;")]\n    b("vote")\n  end\n  b -->|"write"| a\n',
      );
      expect(svg.startsWith('<svg')).toBe(true);
      expect(labelsIn(svg).sort()).toEqual(['eu-west-1 · primary', 'orders "db"', 'vote', 'write'].sort());
    } finally {
      await renderer.close();
    }
  });
});
