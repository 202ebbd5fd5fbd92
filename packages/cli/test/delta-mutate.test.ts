import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'meridian-delta-mutate-cli-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function meridian(...args: string[]) {
  const run = spawnSync(process.execPath, ['--conditions=@meridian/source', '--import', 'tsx', cli, ...args], {
    cwd: root,
    maxBuffer: 64 << 20,
  });
  return { code: run.status, stdout: run.stdout.toString('utf8'), stderr: run.stderr.toString('utf8') };
}

function rows(table: string): string[] {
  const run = meridian('delta', 'scan', table, '--format', 'jsonl');
  expect(run.code).toBe(0);
  return run.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const r = JSON.parse(l) as { id: unknown; status: unknown; qty: unknown };
      return `${r.id}:${r.status}:${r.qty}`;
    })
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
}

describe('meridian delta delete|update|merge|optimize', () => {
  const table = join(scratch, 'orders');

  it('changes rows with one-line summaries; --dry-run writes nothing', () => {
    const csv = join(scratch, 'orders.csv');
    writeFileSync(csv, 'id,status,qty\n1,new,5\n2,new,7\n3,paid,1\n4,paid,9\n');
    expect(meridian('delta', 'write', table, '--from', csv, '--mode', 'create').code).toBe(0);
    writeFileSync(csv, 'id,status,qty\n5,new,2\n');
    expect(meridian('delta', 'write', table, '--from', csv).code).toBe(0);

    const dry = meridian('delta', 'delete', table, '--where', 'qty > 6', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^delete dry run on .* at version 1: would have deleted 2 rows; read 1 of 2 files/);
    expect(rows(table)).toHaveLength(5);

    const del = meridian('delta', 'delete', table, '--where', 'qty > 6');
    expect(del.code).toBe(0);
    expect(del.stdout).toMatch(/^delete on .*: deleted 2 rows as version 2; read 1 of 2 files \(1 skipped/);
    expect(rows(table)).toEqual(['1:new:5', '3:paid:1', '5:new:2']);

    const upd = meridian(
      'delta',
      'update',
      table,
      '--where',
      "status = 'new'",
      '--set',
      'status=shipped',
      '--set',
      'qty=null',
      '--json',
    );
    expect(upd.code).toBe(0);
    expect(JSON.parse(upd.stdout)).toMatchObject({ action: 'update', rowsMatched: 2, committed: true, version: 3 });
    expect(rows(table)).toEqual(['1:shipped:null', '3:paid:1', '5:shipped:null']);

    const changes = join(scratch, 'changes.csv');
    writeFileSync(changes, 'id,status,qty\n3,refunded,0\n6,new,4\n');
    const merge = meridian(
      'delta',
      'merge',
      table,
      '--from',
      changes,
      '--on',
      'id',
      '--when-matched',
      'update',
      '--when-not-matched',
      'insert',
    );
    expect(merge.code).toBe(0);
    expect(merge.stdout).toMatch(/^merge on .*: matched 1 row, inserted 1 row as version 4/);
    expect(rows(table)).toEqual(['1:shipped:null', '3:refunded:0', '5:shipped:null', '6:new:4']);

    const opt = meridian('delta', 'optimize', table, '--target-size', '1M');
    expect(opt.code).toBe(0);
    expect(opt.stdout).toMatch(/^optimize on .*: compacted \d+ files .* into 1 /);
    expect(rows(table)).toEqual(['1:shipped:null', '3:refunded:0', '5:shipped:null', '6:new:4']);
    const info = JSON.parse(meridian('delta', 'info', table, '--json').stdout) as { files: number; rows: number };
    expect(info).toMatchObject({ files: 1, rows: 4 });

    // Z-order into files of about 1 byte: one row a file, in Z-order of qty and id; the rows stay.
    const z = meridian('delta', 'optimize', table, '--zorder', 'qty,id', '--target-size', '1');
    expect(z.code).toBe(0);
    expect(z.stdout).toMatch(/^optimize on .*: Z-ordered by qty, id: rewrote 1 file .* as 4 /);
    expect(rows(table)).toEqual(['1:shipped:null', '3:refunded:0', '5:shipped:null', '6:new:4']);
  }, 600_000);

  it.each([
    [['delete', '--dry-run'], 'needs --where'],
    [['delete', '--where', 'nope = 1'], 'nope'],
    [['update', '--where', 'id = 1'], 'needs --set'],
    [['update', '--where', 'id = 1', '--set', 'qty'], 'is not column=value'],
    [['update', '--where', 'id = 1', '--set', 'qty=lots'], 'qty'],
    [['merge', '--from', 'x.csv', '--on', 'id'], '--when-matched'],
    [['merge', '--from', 'x.csv', '--on', 'id', '--when-matched', 'upsert'], 'update or delete'],
    [['merge', '--on', 'id', '--when-matched', 'update'], 'needs --from'],
    [['optimize', '--target-size', 'big'], '--target-size'],
    [['optimize', '--zorder', 'nosuch'], 'nosuch'],
  ])(
    'bad input %j: exit 2 with the problem and a hint, table unchanged',
    (args, text) => {
      const [action, ...rest] = args as [string, ...string[]];
      const log = () => readdirSync(join(table, '_delta_log')).sort();
      const before = log();
      const run = meridian('delta', action, table, ...rest);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(text);
      expect(run.stderr).toMatch(/hint|→|meridian delta/i);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(log()).toEqual(before);
    },
    120_000,
  );
});
