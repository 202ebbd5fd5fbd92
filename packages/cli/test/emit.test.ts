import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { emitters, mermaidViews, toMermaid } from '@meridian/emitters';
import { check, loadTopology } from '@meridian/topology';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliInputError } from '../src/command.ts';
import { runEmit } from '../src/commands/emit.ts';

const shop = new URL('./fixtures/docs/shop.yaml', import.meta.url).pathname;
const cli = new URL('../dist/cli.js', import.meta.url).pathname;
const run = promisify(execFile);
let out: string;
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), 'meridian-emit-'));
});
afterEach(() => rmSync(out, { recursive: true, force: true }));

async function meridian(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('meridian emit mermaid', () => {
  it('writes one .mmd per view of the model, each the emitter output', async () => {
    const model = await loadTopology(shop);
    const result = await runEmit('mermaid', shop, { out: join(out, 'nested') });
    expect(result.files.map((f) => f.path)).toEqual(mermaidViews(model).map((v) => `shop.${v.replace(':', '-')}.mmd`));
    expect(readdirSync(join(out, 'nested')).sort()).toEqual(result.files.map((f) => f.path).sort());
    for (const [i, view] of mermaidViews(model).entries()) {
      expect(readFileSync(result.files[i]?.written ?? '', 'utf8')).toBe(toMermaid(model, { view }));
    }
  });

  it('overlays findings from meridian check --format json', async () => {
    const findings = join(out, 'findings.json');
    writeFileSync(
      findings,
      JSON.stringify({
        findings: [{ rule: 'spof', severity: 'error', components: ['eu-west-1/orders'], message: 'm', hint: 'h' }],
        summary: {},
      }),
    );
    const { files } = await runEmit('mermaid', shop, { out, options: { views: ['whole'] }, findings });
    expect(readFileSync(files[0]?.written ?? '', 'utf8')).toContain('<b>error: spof</b>');
  });

  it('--with-check overlays the checker findings on the components they name', async () => {
    const model = await loadTopology(shop);
    const flagged = check(model, { explain: false }).findings.filter((f) => f.severity !== 'info');
    expect(flagged.length).toBeGreaterThan(0);
    const { files } = await runEmit('mermaid', shop, { out, options: { views: ['whole'] }, withCheck: true });
    const text = readFileSync(files[0]?.written ?? '', 'utf8');
    expect(text).toBe(toMermaid(model, { findings: check(model, { explain: false }).findings }));
    for (const f of flagged) expect(text).toContain(`${f.severity}: `);
  });

  it.each([
    ['{"findings": [{"rule": 1}]}', /findings\[0\]\.rule: .*a finding needs rule/],
    ['not json', /is not JSON/],
    ['{"other": []}', /no findings array/],
  ])('rejects a findings file %s as input', async (content, message) => {
    const findings = join(out, 'findings.json');
    writeFileSync(findings, content);
    await expect(runEmit('mermaid', shop, { out, findings })).rejects.toThrow(message);
    await expect(runEmit('mermaid', shop, { out, findings })).rejects.toBeInstanceOf(CliInputError);
  });

  it('checks every view before writing anything', async () => {
    await expect(runEmit('mermaid', shop, { out, options: { views: ['whole', 'tier:nope'] } })).rejects.toMatchObject({
      name: 'EmitError',
      code: 'unknown-tier',
    });
    expect(readdirSync(out)).toEqual([]);
  });

  it('refuses options the target does not have, naming the flag', async () => {
    await expect(runEmit('mermaid', shop, { out, options: { direction: 'diagonal' } })).rejects.toMatchObject({
      code: 'invalid-emitter-options',
      message: expect.stringContaining('--direction'),
    });
    await expect(runEmit('mermaid', shop, { out, options: { colour: 'red' } })).rejects.toMatchObject({
      code: 'invalid-emitter-options',
    });
  });
});

describe('meridian emit --check', () => {
  it('passes on fresh output, then names the stale, missing and extra files after the model changes', async () => {
    const dir = join(out, 'diagrams');
    await runEmit('mermaid', shop, { out: dir });
    expect((await runEmit('mermaid', shop, { out: dir, check: true })).drift).toEqual({
      stale: [],
      missing: [],
      extra: [],
    });
    // The model changes: a component renamed changes every view that shows it.
    const changed = join(out, 'shop.yaml');
    writeFileSync(changed, readFileSync(shop, 'utf8').replaceAll('orders', 'purchases'));
    const after = await runEmit('mermaid', changed, { out: dir, check: true });
    expect(after.drift?.stale.length).toBeGreaterThan(0);
    // A file removed by hand is missing; one the model no longer gives is extra.
    rmSync(join(dir, 'shop.whole.mmd'));
    writeFileSync(join(dir, 'shop.region-gone.mmd'), 'flowchart TB\n');
    writeFileSync(join(dir, 'README.md'), 'not ours');
    const drift = (await runEmit('mermaid', shop, { out: dir, check: true })).drift;
    expect(drift).toEqual({ stale: [], missing: ['shop.whole.mmd'], extra: ['shop.region-gone.mmd'] });
  });

  it('exits 0 when current and 1 naming each stale file, writing nothing', async () => {
    const dir = join(out, 'diagrams');
    expect((await meridian('emit', 'mermaid', shop, '--out', dir)).code).toBe(0);
    expect(await meridian('emit', 'mermaid', shop, '--out', dir, '--check')).toMatchObject({ code: 0 });
    writeFileSync(join(dir, 'shop.whole.mmd'), 'flowchart TB\n');
    const stale = await meridian('emit', 'mermaid', shop, '--out', dir, '--check');
    expect(stale.code).toBe(1);
    expect(stale.stdout).toContain(`stale    ${join(dir, 'shop.whole.mmd')}`);
    expect(readFileSync(join(dir, 'shop.whole.mmd'), 'utf8')).toBe('flowchart TB\n');
  });
});

describe('meridian emit, the command', () => {
  it('--list prints every registered target', async () => {
    const listed = await meridian('emit', '--list');
    expect(listed.code).toBe(0);
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(/\s+/)[0]),
    ).toEqual(emitters.map((e) => e.id));
  });

  it('refuses an unknown target with exit 2', async () => {
    const unknown = await meridian('emit', 'pulumi', shop, '--out', out);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown emit target 'pulumi'");
  });

  it('output is byte-identical from run to run', async () => {
    await meridian('emit', 'mermaid', shop, '--out', join(out, 'a'));
    await meridian('emit', 'mermaid', shop, '--out', join(out, 'b'));
    for (const name of readdirSync(join(out, 'a'))) {
      expect(readFileSync(join(out, 'b', name), 'utf8')).toBe(readFileSync(join(out, 'a', name), 'utf8'));
    }
  });

  it('never writes through a symlink out of --out', async () => {
    const dir = join(out, 'diagrams');
    const elsewhere = join(out, 'elsewhere');
    mkdirSync(dir);
    mkdirSync(elsewhere);
    symlinkSync(join(elsewhere, 'target.mmd'), join(dir, 'shop.whole.mmd'));
    const result = await meridian('emit', 'mermaid', shop, '--out', dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('symbolic link');
    expect(readdirSync(elsewhere)).toEqual([]);
    // Checked before anything is written: no other view landed either.
    expect(readdirSync(dir)).toEqual(['shop.whole.mmd']);
  });
});
