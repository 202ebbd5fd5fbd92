import { execFile, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
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

describe('updateDocs confines src to the repository', () => {
  // A marker is data in a Markdown file; loading its src runs a .ts file. A src outside the repository must never
  // be loaded, or editing a Markdown file is enough to run any code on a CI host (issue 16, item 1).
  let outside: string;
  let ran: string;
  beforeEach(() => {
    outside = mkdtempSync(join(tmpdir(), 'meridian-docs-outside-'));
    ran = join(outside, 'ran');
    writeFileSync(
      join(outside, 'evil.ts'),
      `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(ran)}, 'yes');\nexport default {};\n`,
    );
    cpSync(join(dir, 'shop.yaml'), join(outside, 'shop.yaml'));
    mkdirSync(join(dir, 'repo', 'docs'), { recursive: true });
    writeFileSync(join(dir, 'repo', 'package.json'), '{}');
  });
  afterEach(() => rmSync(outside, { recursive: true, force: true }));

  const marker = (src: string) => `<!-- meridian:diagram src=${src} -->\n<!-- /meridian:diagram -->\n`;
  const codes = (result: Awaited<ReturnType<typeof updateDocs>>) => result.problems.map((p) => p.code);

  it('refuses an absolute src and never runs it, even in check mode', async () => {
    writeFileSync(join(dir, 'repo', 'docs', 'a.md'), marker(join(outside, 'evil.ts')));
    const result = await updateDocs(['docs/a.md'], { check: true, cwd: join(dir, 'repo') });
    expect(codes(result)).toEqual(['src-outside-root']);
    expect(() => readFileSync(ran)).toThrow();
  });

  it('refuses ../ out of the repository root (nearest folder with package.json or .git)', async () => {
    // repo/docs -> repo -> dir -> the temp folder holding `outside`
    writeFileSync(join(dir, 'repo', 'docs', 'a.md'), marker(`../../../${basename(outside)}/shop.yaml`));
    const result = await updateDocs(['docs/a.md'], { check: true, cwd: join(dir, 'repo') });
    expect(codes(result)).toEqual(['src-outside-root']);
    expect(result.problems[0]?.message).toContain('outside');
  });

  it('never follows a symlink out of the root', async () => {
    symlinkSync(join(outside, 'evil.ts'), join(dir, 'repo', 'docs', 'link.ts'));
    symlinkSync(outside, join(dir, 'repo', 'elsewhere'));
    writeFileSync(join(dir, 'repo', 'docs', 'a.md'), `${marker('link.ts')}\n${marker('elsewhere/shop.yaml')}`);
    const result = await updateDocs(['docs/a.md'], { check: true, cwd: join(dir, 'repo') });
    expect(codes(result)).toEqual(['src-outside-root', 'src-outside-root']);
    expect(() => readFileSync(ran)).toThrow();
  });

  it('--root widens or narrows the confinement', async () => {
    writeFileSync(join(dir, 'repo', 'docs', 'a.md'), marker('../../shop.yaml'));
    const narrow = await updateDocs(['docs/a.md'], { check: true, cwd: join(dir, 'repo') });
    expect(codes(narrow)).toEqual(['src-outside-root']);
    const wide = await updateDocs(['docs/a.md'], { check: true, cwd: join(dir, 'repo'), root: dir });
    expect(codes(wide)).toEqual([]);
    expect(wide.stale).toBe(1);
  });

  it('resolves src against the Markdown file, then the repository root (not the current directory)', async () => {
    cpSync(join(dir, 'shop.yaml'), join(dir, 'repo', 'shop.yaml'));
    writeFileSync(join(dir, 'repo', 'docs', 'a.md'), marker('shop.yaml'));
    const fromDocs = await updateDocs(['a.md'], { check: true, cwd: join(dir, 'repo', 'docs') });
    expect(codes(fromDocs)).toEqual([]);
    expect(fromDocs.stale).toBe(1);
  });
});

describe('updateDocs writes all files or none', () => {
  it('a Markdown path that is a directory is a clear error, nothing written', async () => {
    mkdirSync(join(dir, 'folder.md'));
    const before = readFileSync(join(dir, 'architecture.md'), 'utf8');
    await expect(updateDocs(['architecture.md', 'folder.md'], { cwd: dir })).rejects.toMatchObject({
      name: 'CliInputError',
      code: 'not-a-file',
    });
    expect(readFileSync(join(dir, 'architecture.md'), 'utf8')).toBe(before);
  });

  // root ignores file modes (access(W_OK) succeeds on a 0444 file), so as root the case is run as another user:
  // the command in a child process with uid and gid 65534 (nobody), over files it owns.
  const asRoot = process.getuid?.() === 0;
  it('a read-only Markdown file is a clear error, no other file written', { timeout: 60_000 }, async () => {
    cpSync(join(dir, 'architecture.md'), join(dir, 'z-readonly.md'));
    chmodSync(join(dir, 'z-readonly.md'), 0o444);
    const before = readFileSync(join(dir, 'architecture.md'), 'utf8');
    if (!asRoot) {
      await expect(updateDocs(['architecture.md', 'z-readonly.md'], { cwd: dir })).rejects.toMatchObject({
        code: 'not-writable',
      });
    } else {
      const nobody = 65_534;
      for (const name of ['', ...readdirSync(dir, { recursive: true }).map(String)]) {
        chownSync(join(dir, name), nobody, nobody);
      }
      const cli = new URL('../src/cli.ts', import.meta.url).pathname;
      const run = spawnSync(
        process.execPath,
        [
          '--conditions=@meridian/source',
          '--import',
          import.meta.resolve('tsx'),
          cli,
          'docs',
          'architecture.md',
          'z-readonly.md',
        ],
        { cwd: dir, uid: nobody, gid: nobody, encoding: 'utf8', env: { ...process.env, HOME: dir } },
      );
      expect(run.stderr).toContain('z-readonly.md is read-only; no file was written');
      expect(run.status).toBe(2);
    }
    expect(readFileSync(join(dir, 'architecture.md'), 'utf8')).toBe(before);
    expect(readdirSync(dir).filter((name) => name.includes('meridian-docs-tmp'))).toEqual([]);
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

  it('a directory given as Markdown exits 2 with a message, no stack trace', { timeout: 60_000 }, async () => {
    mkdirSync(join(dir, 'folder.md'));
    const result = await run('docs', 'folder.md');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('folder.md');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
