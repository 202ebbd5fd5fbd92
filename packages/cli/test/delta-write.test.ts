import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeTable } from '@meridian/delta';
import { tableFromArrays } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'meridian-delta-write-cli-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function meridian(...args: string[]) {
  const run = spawnSync(process.execPath, ['--conditions=@meridian/source', '--import', 'tsx', cli, ...args], {
    cwd: root,
    maxBuffer: 64 << 20,
  });
  return { code: run.status, stdout: run.stdout.toString('utf8'), stderr: run.stderr.toString('utf8') };
}

async function duck(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function scanRows(table: string): Record<string, unknown>[] {
  const run = meridian('delta', 'scan', table, '--format', 'jsonl');
  expect(run.code).toBe(0);
  return run.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('meridian delta write', () => {
  const table = join(scratch, 'orders');
  const csv = join(scratch, 'orders.csv');
  const jsonl = join(scratch, 'more.jsonl');
  const parquet = join(scratch, 'more.parquet');

  it('creates a partitioned table from CSV, appends JSON lines and parquet, and reads back what DuckDB reads', async () => {
    writeFileSync(csv, 'id,region,amount,note\n1,eu,1.5,"a, quoted ""note"""\n2,us,2,\n3,eu,-0.25,x\n');
    const created = meridian('delta', 'write', table, '--from', csv, '--partition-by', 'region', '--json');
    expect(created.stderr).toContain('read 3 rows');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ version: 0, rows: 3, files: 2, skipped: false });

    writeFileSync(jsonl, `${JSON.stringify({ id: 4, region: 'us', amount: 10, note: null })}\n`);
    const appended = meridian('delta', 'write', table, '--from', jsonl);
    expect(appended.code).toBe(0);
    expect(appended.stdout).toMatch(
      /^append: wrote 1 rows in 1 file \(\d[\d,]* bytes\) to .* as version 1 in \d+ ms\n$/,
    );

    await duck(
      `COPY (SELECT 5::BIGINT AS id, 'ap' AS region, 7.5::DOUBLE AS amount, 'from duckdb' AS note) TO '${parquet}' (FORMAT parquet)`,
    );
    expect(meridian('delta', 'write', table, '--from', parquet).code).toBe(0);

    const rows = scanRows(table);
    expect(rows.map((r) => Number(r.id)).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(rows.find((r) => Number(r.id) === 1)?.note).toBe('a, quoted "note"');
    expect(rows.find((r) => Number(r.id) === 2)?.note).toBeNull();
    const info = JSON.parse(meridian('delta', 'info', table, '--json').stdout) as {
      schema: { name: string; type: string }[];
      partitionColumns: string[];
    };
    expect(info.partitionColumns).toEqual(['region']);
    expect(info.schema.map((f) => `${f.name}:${f.type}`)).toEqual([
      'id:long',
      'region:string',
      'amount:double',
      'note:string',
    ]);
    const [total] = await duck(
      `SELECT count(*) AS n, sum(amount) AS s FROM read_parquet('${table}/*/*.parquet', hive_partitioning = true)`,
    );
    expect(Number(total?.n)).toBe(5);
    expect(Number(total?.s)).toBe(rows.reduce((s, r) => s + Number(r.amount), 0));
  });

  it('lists the history newest first, and writes a checkpoint on demand', () => {
    const history = meridian('delta', 'history', table, '--json');
    expect(history.code).toBe(0);
    const entries = JSON.parse(history.stdout) as { version: number; operation: string }[];
    expect(entries.map((e) => e.version)).toEqual([2, 1, 0]);
    expect(entries.every((e) => e.operation === 'WRITE')).toBe(true);
    expect(meridian('delta', 'history', table, '--limit', '1').stdout.trim().split('\n')).toHaveLength(2);

    const cp = meridian('delta', 'checkpoint', table);
    expect(cp.code).toBe(0);
    expect(cp.stdout).toMatch(/^checkpoint of .* at version 2: \d+ actions/);
    const last = JSON.parse(readFileSync(join(table, '_delta_log', '_last_checkpoint'), 'utf8')) as { version: number };
    expect(last.version).toBe(2);
    expect(existsSync(join(table, '_delta_log', '00000000000000000002.checkpoint.parquet'))).toBe(true);
    expect(scanRows(table)).toHaveLength(5);
  });

  it('overwrites, keeping the partitioning, and refuses bad input with exit 2 and no stack trace', () => {
    const replacement = join(scratch, 'replacement.csv');
    writeFileSync(replacement, 'id,region,amount,note\n9,eu,1,z\n');
    const overwrite = meridian('delta', 'write', table, '--from', replacement, '--mode', 'overwrite');
    expect(overwrite.code).toBe(0);
    expect(overwrite.stdout).toMatch(/removed \d+ files/);
    expect(scanRows(table).map((r) => Number(r.id))).toEqual([9]);

    const cases: [string[], string][] = [
      [['delta', 'write', table], 'missing-from'],
      [['delta', 'write', table, '--from', replacement, '--mode', 'upsert'], 'unknown-mode'],
      [['delta', 'write', table, '--from', join(scratch, 'absent.csv')], 'bad-input-file'],
      [['delta', 'write', table, '--from', replacement, '--partition-by', 'id'], 'schema-mismatch'],
    ];
    const wrongType = join(scratch, 'wrong.csv');
    writeFileSync(wrongType, 'id,region,amount,note\nnot-a-number,eu,1,z\n');
    cases.push([['delta', 'write', table, '--from', wrongType], 'bad-input-file']);
    const otherColumns = join(scratch, 'other.jsonl');
    writeFileSync(otherColumns, '{"x":1}\n');
    cases.push([['delta', 'write', table, '--from', otherColumns], 'schema-mismatch']);
    for (const [args, code] of cases) {
      const run = meridian(...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toContain(`error ${code}:`);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    expect(scanRows(table).map((r) => Number(r.id))).toEqual([9]);
  });

  it('replaces only the rows a predicate matches, and adds columns with --merge-schema', () => {
    const dir = join(scratch, 'days');
    const first = join(scratch, 'days.csv');
    writeFileSync(first, 'day,n\nd1,1\nd2,2\nd3,3\n');
    expect(meridian('delta', 'write', dir, '--from', first, '--partition-by', 'day').code).toBe(0);
    const d2 = join(scratch, 'd2.csv');
    writeFileSync(d2, 'day,n\nd2,20\nd2,21\n');
    const replaced = meridian(
      'delta',
      'write',
      dir,
      '--from',
      d2,
      '--mode',
      'overwrite',
      '--replace-where',
      "day = 'd2'",
    );
    expect(replaced.code).toBe(0);
    expect(
      scanRows(dir)
        .map((r) => Number(r.n))
        .sort((a, b) => a - b),
    ).toEqual([1, 3, 20, 21]);
    const outside = meridian(
      'delta',
      'write',
      dir,
      '--from',
      first,
      '--mode',
      'overwrite',
      '--replace-where',
      "day = 'd2'",
    );
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('error constraint-violation:');

    const wider = join(scratch, 'wider.jsonl');
    writeFileSync(wider, `${JSON.stringify({ day: 'd4', n: 4, note: 'new column' })}\n`);
    expect(meridian('delta', 'write', dir, '--from', wider).code).toBe(2);
    expect(meridian('delta', 'write', dir, '--from', wider, '--merge-schema').code).toBe(0);
    const notes = scanRows(dir).map((r) => r.note);
    expect(notes.filter((n) => n === 'new column')).toHaveLength(1);
    expect(notes.filter((n) => n === null)).toHaveLength(4);
  });

  it('skips a rerun of the same --app-id/--app-version, so a retried job adds its rows once', () => {
    const dir = join(scratch, 'idempotent');
    const input = join(scratch, 'batch.csv');
    writeFileSync(input, 'id\n1\n2\n');
    const args = ['delta', 'write', dir, '--from', input, '--app-id', 'nightly', '--app-version', '1'];
    expect(meridian(...args).code).toBe(0);
    const rerun = meridian(...args, '--json');
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ skipped: true, rows: 0 });
    expect(scanRows(dir)).toHaveLength(2);
    const next = meridian('delta', 'write', dir, '--from', input, '--app-id', 'nightly', '--app-version', '2');
    expect(next.stdout).toMatch(/^append: wrote 2 rows/);
    expect(scanRows(dir)).toHaveLength(4);
    const half = meridian('delta', 'write', dir, '--from', input, '--app-id', 'nightly');
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('error bad-transaction:');
  });

  it("says what a checkpointing write removed of killed writers' leftovers", async () => {
    const events = join(scratch, 'events');
    await writeTable(events, tableFromArrays({ id: Int32Array.from([1, 2]) }), {
      mode: 'create',
      configuration: { 'delta.checkpointInterval': '1' },
    });
    // A killed writer's temp file, 8 days old: past the default 7-day retention window.
    mkdirSync(events, { recursive: true });
    const leftover = join(events, '.meridian-tmp-killed-writer.parquet');
    writeFileSync(leftover, 'x'.repeat(100));
    const old = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    utimesSync(leftover, old, old);
    writeFileSync(join(scratch, 'events.jsonl'), `${JSON.stringify({ id: 3 })}\n`);
    const run = meridian('delta', 'write', events, '--from', join(scratch, 'events.jsonl'));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/checkpoint at version 1 \(removed 1 leftover file of killed writers, 100 bytes\)/);
    expect(readdirSync(events)).not.toContain('.meridian-tmp-killed-writer.parquet');
  });

  it('documents the write actions in --help', () => {
    const help = meridian('delta', '--help');
    expect(help.stdout).toContain('meridian delta write ./events --from new-events.parquet');
    expect(help.stdout).toContain('--partition-by');
    expect(help.stdout).toContain('meridian delta history');
  });
});
