import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findDiagramBlocks, toMermaid } from '@meridian/emitters';
import { check, loadTopology } from '@meridian/topology';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { updateDocs } from '../src/commands/docs.ts';

const fixtures = new URL('./fixtures/docs/', import.meta.url).pathname;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meridian-docs-'));
  cpSync(fixtures, dir, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('updateDocs', () => {
  it('check mode reports each stale block and writes nothing', async () => {
    const before = readFileSync(join(dir, 'architecture.md'), 'utf8');
    const result = await updateDocs(['architecture.md'], { check: true, cwd: dir });
    expect(result.problems).toEqual([]);
    expect(result.stale).toBe(2);
    expect(result.files).toEqual([
      {
        file: 'architecture.md',
        written: false,
        blocks: [
          { line: 5, src: 'shop.yaml', view: 'whole', isStale: true },
          { line: 10, src: 'shop.yaml', view: 'region:eu-west-1', isStale: true },
        ],
      },
    ]);
    expect(readFileSync(join(dir, 'architecture.md'), 'utf8')).toBe(before);
  });

  it('writes the diagrams the model gives, then check mode finds them current', async () => {
    const written = await updateDocs(['architecture.md'], { cwd: dir });
    expect(written.files[0]?.written).toBe(true);
    const text = readFileSync(join(dir, 'architecture.md'), 'utf8');
    const model = await loadTopology(join(dir, 'shop.yaml'));
    const blocks = findDiagramBlocks(text);
    expect(blocks.map((b) => b.body)).toEqual([
      `\`\`\`mermaid\n${toMermaid(model)}\`\`\`\n`,
      `\`\`\`mermaid\n${toMermaid(model, { view: 'region:eu-west-1', direction: 'LR' })}\`\`\`\n`,
    ]);
    expect(text.startsWith('# Shop\n\nThe whole shop:\n\n<!-- meridian:diagram src=shop.yaml -->\n```mermaid\n')).toBe(
      true,
    );
    const again = await updateDocs(['architecture.md'], { check: true, cwd: dir });
    expect(again.stale).toBe(0);
  });

  it('a model change makes the block stale again', async () => {
    await updateDocs(['architecture.md'], { cwd: dir });
    const yaml = readFileSync(join(dir, 'shop.yaml'), 'utf8');
    writeFileSync(join(dir, 'shop.yaml'), yaml.replace('runtime: ecs-fargate', 'runtime: lambda'));
    const result = await updateDocs(['architecture.md'], { check: true, cwd: dir });
    expect(result.files[0]?.blocks.map((b) => b.isStale)).toEqual([true, true]);
  });

  it('findings=check overlays what meridian check finds', async () => {
    writeFileSync(
      join(dir, 'checked.md'),
      '<!-- meridian:diagram src=shop.yaml findings=check -->\n<!-- /meridian:diagram -->\n',
    );
    await updateDocs(['checked.md'], { cwd: dir });
    const model = await loadTopology(join(dir, 'shop.yaml'));
    const [block] = findDiagramBlocks(readFileSync(join(dir, 'checked.md'), 'utf8'));
    expect(block?.body).toBe(
      `\`\`\`mermaid\n${toMermaid(model, { findings: check(model, { explain: false }).findings })}\`\`\`\n`,
    );
    expect(block?.body).toMatch(/<b>(error|warning): /);
  });

  it('reports unknown src and unknown view with file:line, and writes nothing anywhere', async () => {
    const before = readFileSync(join(dir, 'architecture.md'), 'utf8');
    const result = await updateDocs(['*.md'], { cwd: dir });
    expect(result.problems.map((p) => [p.file, p.line, p.code])).toEqual([
      ['bad.md', 3, 'unknown-src'],
      ['bad.md', 6, 'unknown-region'],
    ]);
    expect(readFileSync(join(dir, 'architecture.md'), 'utf8')).toBe(before);
  });
});

describe('meridian docs (the command)', () => {
  const run = async (...args: string[]) => {
    const cli = new URL('../src/cli.ts', import.meta.url).pathname;
    try {
      // The temp dir has no node_modules: tsx is named by its resolved URL.
      const tsx = import.meta.resolve('tsx');
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        ['--conditions=@meridian/source', '--import', tsx, cli, ...args],
        { cwd: dir },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('exits 1 on stale blocks, 0 once regenerated, 2 on bad markers with file:line', { timeout: 60_000 }, async () => {
    const stale = await run('docs', '--check', 'architecture.md');
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain('architecture.md:5  stale  src=shop.yaml view=whole');
    expect((await run('docs', 'architecture.md')).code).toBe(0);
    expect((await run('docs', '--check', 'architecture.md')).code).toBe(0);
    const bad = await run('docs', '--check', 'bad.md');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bad.md:3  error  unknown-src');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
