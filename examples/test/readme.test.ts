import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check } from '@meridian/topology';
import { afterAll, describe, expect, it } from 'vitest';
import { loadExample } from './load-example.ts';

// The README's DSL example and the findings it quotes are part of the product's documentation:
// both must stay what the code gives today.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
// The snippet is saved where a user would keep it, outside the repo: a temp dir of its own (never a folder of the
// repo, which other tests list while this one runs). Its node_modules links @meridian/topology to the workspace
// package, as an install would.
const scratch = mkdtempSync(join(tmpdir(), 'meridian-readme-'));

function fencedBlocks(markdown: string, language: string): string[] {
  const blocks: string[] = [];
  const fence = new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm');
  for (const match of markdown.matchAll(fence)) blocks.push(match[1] ?? '');
  return blocks;
}

describe('README', () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('has a DSL example that loads, and check reports exactly the findings the README quotes', async () => {
    const [snippet] = fencedBlocks(readme, 'ts');
    expect(snippet).toContain("from '@meridian/topology'");
    mkdirSync(join(scratch, 'node_modules', '@meridian'), { recursive: true });
    symlinkSync(join(repoRoot, 'packages', 'topology'), join(scratch, 'node_modules', '@meridian', 'topology'), 'dir');
    writeFileSync(
      join(scratch, 'package.json'),
      JSON.stringify({ name: 'readme-snippet', private: true, type: 'module' }),
    );
    const file = join(scratch, 'topology.ts');
    writeFileSync(file, snippet ?? '');
    const model = await loadExample(file);
    const result = check(model);

    // The quoted block is the CLI's output without code frames and hints: one heading line per finding, in the
    // order check reports them, then the closing count. Exactly those: a finding missing from the README, or one
    // the README quotes that check no longer gives, fails.
    const lines = fencedBlocks(readme, '').flatMap((block) => block.split('\n'));
    const quoted = lines.filter((line) => /^topology\.ts:\d+:\d+ {2}(error|warning|info) {2}/.test(line));
    const shown = result.findings.map(
      (f) => `topology.ts:${f.location?.line}:${f.location?.column}  ${f.severity}  ${f.rule}  ${f.message}`,
    );
    expect(quoted).toEqual(shown);
    const count = (severity: string) => result.findings.filter((f) => f.severity === severity).length;
    expect(lines.filter((line) => line.startsWith('topology.ts: '))).toEqual([
      `topology.ts: ${count('error')} errors, ${count('warning')} warnings, ${count('info')} info`,
    ]);
    expect(quoted.length).toBeGreaterThan(0);
  });
});
