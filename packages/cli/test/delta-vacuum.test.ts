import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'meridian-delta-vacuum-cli-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function meridian(...args: string[]) {
  const run = spawnSync(process.execPath, ['--conditions=@meridian/source', '--import', 'tsx', cli, ...args], {
    cwd: root,
    maxBuffer: 64 << 20,
  });
  return { code: run.status, stdout: run.stdout.toString('utf8'), stderr: run.stderr.toString('utf8') };
}

function ids(table: string): number[] {
  const run = meridian('delta', 'scan', table, '--format', 'jsonl');
  expect(run.code).toBe(0);
  return run.stdout
    .trim()
    .split('\n')
    .map((l) => Number((JSON.parse(l) as { id: unknown }).id))
    .sort((a, b) => a - b);
}

const old = new Date(Date.now() - 30 * 24 * 3_600_000);

describe('meridian delta vacuum', () => {
  it('lists with --dry-run, deletes old orphans and temp files, refuses a short window unless --force', () => {
    const table = join(scratch, 'orders');
    const first = join(scratch, 'first.csv');
    const second = join(scratch, 'second.csv');
    writeFileSync(first, 'id,region\n1,eu\n2,us\n');
    writeFileSync(second, 'id,region\n3,eu\n');
    expect(meridian('delta', 'write', table, '--from', first, '--mode', 'create').code).toBe(0);
    expect(meridian('delta', 'write', table, '--from', second, '--mode', 'overwrite').code).toBe(0);
    const orphan = join(table, 'part-00000-killed-writer-c000.zstd.parquet');
    const temp = join(table, '.meridian-tmp-killed-writer');
    for (const f of [orphan, temp]) {
      writeFileSync(f, 'left behind');
      utimesSync(f, old, old);
    }

    const dry = meridian('delta', 'vacuum', table, '--dry-run', '--json');
    expect(dry.code).toBe(0);
    const report = JSON.parse(dry.stdout) as { dryRun: boolean; files: { key: string; reason: string }[] };
    expect(report.dryRun).toBe(true);
    expect(report.files.map((f) => [f.key, f.reason])).toEqual([
      ['.meridian-tmp-killed-writer', 'temporary'],
      ['part-00000-killed-writer-c000.zstd.parquet', 'unreferenced'],
    ]);
    expect(existsSync(orphan) && existsSync(temp)).toBe(true);

    const run = meridian('delta', 'vacuum', table);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/deleted 2 files .* older than 168 hours/);
    expect(existsSync(orphan) || existsSync(temp)).toBe(false);
    expect(ids(table)).toEqual([3]);

    const short = meridian('delta', 'vacuum', table, '--retention-hours', '0');
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('error retention-too-short:');
    expect(short.stderr).not.toMatch(/\n\s+at /);
    const bad = meridian('delta', 'vacuum', table, '--retention-hours', 'soon');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error bad-retention:');

    const before = readdirSync(table).filter((f) => f.endsWith('.parquet')).length;
    const forced = meridian('delta', 'vacuum', table, '--retention-hours', '0', '--force');
    expect(forced.code).toBe(0);
    // The first version's file, removed by the overwrite, goes; the live one stays and reads the same.
    expect(readdirSync(table).filter((f) => f.endsWith('.parquet'))).toHaveLength(before - 1);
    expect(ids(table)).toEqual([3]);
  }, 120_000);

  it('documents vacuum in --help', () => {
    const help = meridian('delta', '--help');
    expect(help.stdout).toContain('meridian delta vacuum ./events --dry-run');
    expect(help.stdout).toContain('--retention-hours');
  });
});
