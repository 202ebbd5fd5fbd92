import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, loadTopology } from '@meridian/topology';
import { afterAll, describe, expect, it } from 'vitest';

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
    const model = await loadTopology(file);
    const result = check(model);

    const quoted = fencedBlocks(readme, '')
      .flatMap((block) => block.split('\n'))
      .filter((line) => /^topology\.ts:\d+:\d+ {2}(error|warning)/.test(line));
    expect(quoted.length).toBeGreaterThan(0);
    for (const line of quoted) {
      const [, lineNo, column, severity, rule, message] =
        /^topology\.ts:(\d+):(\d+) {2}(\w+) {2}([\w-]+) {2}(.*)$/.exec(line) ?? [];
      const finding = result.findings.find((f) => f.rule === rule && f.message === message);
      expect(finding, `README quotes a finding check no longer gives: ${line}`).toBeDefined();
      expect(finding?.severity).toBe(severity);
      expect(finding?.location).toMatchObject({ line: Number(lineNo), column: Number(column) });
    }
  });
});
