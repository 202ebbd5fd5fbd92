import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const reference = join(root, 'examples/reference/topology.ts');
const orasi = join(root, 'examples/orasi-telemetry/topology.ts');
const scratch = mkdtempSync(join(tmpdir(), 'meridian-query-cli-'));
// tsx by its path: `--import tsx` resolves from the child's cwd, which may be a temp dir.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

function meridian(...args: string[]) {
  const run = spawnSync(process.execPath, ['--conditions=@meridian/source', '--import', 'tsx', cli, ...args], {
    cwd: root,
    maxBuffer: 64 << 20,
  });
  return { code: run.status, stdout: run.stdout.toString('utf8'), stderr: run.stderr.toString('utf8') };
}

const refDir = join(scratch, 'reference');
const locations = [
  '--location',
  `eu-west-1=${join(refDir, 'eu-west-1/orders-table')}`,
  '--location',
  `eu-central-1=${join(refDir, 'eu-central-1/orders-table')}`,
];

beforeAll(() => {
  const run = meridian('demo-data', reference, '--out', refDir, '--rows', '1500', '--json');
  expect(run.code, run.stderr).toBe(0);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('meridian demo-data', () => {
  // Two CLI runs that each write every table: 83 s on a loaded 2-core machine in a full ./dev test (a hang guard,
  // not a speed check; vitest's 60 s default failed the run there).
  it('writes one table per deltaTable with the declared columns, and the same rows on every run', {
    timeout: 240_000,
  }, () => {
    const first = JSON.parse(
      meridian('demo-data', reference, '--out', join(scratch, 'again'), '--rows', '1500', '--json').stdout,
    ) as {
      component: string;
      columns: string[];
      rows: number;
    }[];
    expect(first.map((t) => t.component)).toEqual(['eu-west-1/orders-table', 'eu-central-1/orders-table']);
    expect(first[0]?.columns).toEqual(['order_id', 'customer_id', 'amount', 'currency', 'created_at', 'order_date']);
    const a = meridian('query', reference, '--table', 'orders-table', '--from', 'EU', ...locations, '--format', 'csv');
    const b = meridian(
      'query',
      reference,
      '--table',
      'orders-table',
      '--from',
      'EU',
      '--format',
      'csv',
      '--location',
      `eu-west-1=${join(scratch, 'again/eu-west-1/orders-table')}`,
      '--location',
      `eu-central-1=${join(scratch, 'again/eu-central-1/orders-table')}`,
    );
    expect(a.code).toBe(0);
    expect(a.stdout.split('\n').sort()).toEqual(b.stdout.split('\n').sort());
    expect(a.stdout.trim().split('\n')).toHaveLength(1 + 2 * 1500);
  });

  it('says so for a topology without Delta tables', () => {
    const run = meridian('demo-data', join(root, 'examples/tv-voting/topology.ts'), '--out', join(scratch, 'none'));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('declares no deltaTable components');
  });
});

describe('meridian query', () => {
  it("prints DuckDB's aggregate over the same files", async () => {
    const run = meridian(
      'query',
      reference,
      '--table',
      'orders-table',
      '--from',
      'eu-west-1',
      ...locations,
      '--where',
      "currency = 'EUR'",
      '--group-by',
      '_region',
      '--agg',
      'count',
      '--agg',
      'sum:amount=total',
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as {
      rows: { _region: string; count: string; total: string }[];
      missingRegions: unknown[];
    };
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const union = ['eu-west-1', 'eu-central-1']
      .map(
        (r) =>
          `SELECT *, '${r}' AS region FROM read_parquet('${join(refDir, r, 'orders-table')}/*/*.parquet', hive_partitioning = true)`,
      )
      .join(' UNION ALL ');
    const duck = (
      await connection.runAndReadAll(
        `SELECT region, count(*)::VARCHAR AS n, sum(amount)::VARCHAR AS s FROM (${union}) WHERE currency = 'EUR' GROUP BY region`,
      )
    ).getRowObjectsJS();
    connection.closeSync();
    instance.closeSync();
    expect(json.rows.map((r) => [r._region, String(r.count), r.total]).sort()).toEqual(
      duck.map((d) => [d.region, d.n, d.s]).sort(),
    );
    expect(json.missingRegions).toEqual([]);
  });

  // Six CLI runs: a hang guard on a loaded machine, not a speed check.
  it('runs --sql to the same answer as the flags, and refuses SQL it cannot run', { timeout: 300_000 }, () => {
    const flags = meridian(
      'query',
      reference,
      '--table',
      'orders-table',
      '--from',
      'EU',
      ...locations,
      '--where',
      "currency = 'EUR'",
      '--group-by',
      '_region',
      '--agg',
      'count',
      '--agg',
      'sum:amount=total',
      '--json',
    );
    const sql = meridian(
      'query',
      reference,
      '--from',
      'EU',
      ...locations,
      '--sql',
      'SELECT _region, count(*), sum(amount) AS total FROM "orders-table" WHERE currency = \'EUR\' GROUP BY _region',
      '--json',
    );
    expect(sql.code, sql.stderr).toBe(0);
    const rows = (run: { stdout: string }) =>
      (JSON.parse(run.stdout) as { rows: unknown[] }).rows.map((r) => JSON.stringify(r)).sort();
    expect(rows(sql)).toEqual(rows(flags));
    expect(rows(sql)).toHaveLength(2);
    const join = meridian(
      'query',
      reference,
      '--from',
      'EU',
      ...locations,
      '--sql',
      'SELECT o.id FROM "orders-table" o FULL JOIN "orders-table" x ON o.id = x.id',
    );
    // Equi-joins run (test below); a FULL join is refused by name and position.
    expect(join.code).toBe(2);
    expect(join.stderr).toContain('unsupported-sql');
    expect(join.stderr).toMatch(/FULL JOIN at line 1, column \d+ is not supported/);
    expect(join.stderr).not.toMatch(/\n\s+at /);
    const explained = meridian(
      'query',
      reference,
      '--from',
      'eu-west-1',
      ...locations,
      '--sql',
      'SELECT currency, count(*) FROM "orders-table" WHERE order_date >= \'2024-01-02\' GROUP BY currency',
      '--explain',
      '--analyze',
    );
    expect(explained.code, explained.stderr).toBe(0);
    expect(explained.stdout).toMatch(/files +\d+ of \d+ read \(\d+ pruned by partition/);
    expect(explained.stdout).toMatch(
      /eu-central-1 -> eu-west-1 {2}partial aggregates {2}within EU {2}est [\d.]+ \w*B {2}actual [\d.]+ \w*B/,
    );
    const both = meridian('query', reference, '--from', 'EU', '--table', 'orders-table', '--sql', 'SELECT * FROM x');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--table');
  });

  it('writes a lake with lake init and queries it with --lake and SQL, as DuckDB reads its files', {
    timeout: 300_000,
  }, async () => {
    const lake = join(scratch, 'lake');
    const init = meridian('lake', 'init', reference, '--out', lake, '--rows', '700', '--json');
    expect(init.code, init.stderr).toBe(0);
    expect((JSON.parse(init.stdout) as { path: string }[]).map((t) => t.path)).toEqual([
      join(lake, 'eu-west-1', 'orders-table'),
      join(lake, 'eu-central-1', 'orders-table'),
    ]);
    const run = meridian(
      'query',
      reference,
      '--lake',
      lake,
      '--from',
      'EU',
      '--json',
      '--sql',
      'SELECT _region, count(*) AS n, count(DISTINCT currency) AS d FROM "orders-table" GROUP BY _region',
    );
    expect(run.code, run.stderr).toBe(0);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const duck = (
      await connection.runAndReadAll(
        ['eu-west-1', 'eu-central-1']
          .map(
            (r) =>
              `SELECT '${r}' AS region, count(*)::VARCHAR AS n, count(DISTINCT currency)::VARCHAR AS d FROM read_parquet('${join(lake, r, 'orders-table')}/*/*.parquet', hive_partitioning = true)`,
          )
          .join(' UNION ALL '),
      )
    ).getRowObjectsJS();
    connection.closeSync();
    instance.closeSync();
    const rows = (JSON.parse(run.stdout) as { rows: { _region: string; n: string; d: string }[] }).rows;
    expect(rows.map((r) => [r._region, String(r.n), String(r.d)]).sort()).toEqual(
      duck.map((d) => [d.region, d.n, d.d]).sort(),
    );
    expect(meridian('lake', 'drop', reference).code).toBe(2);
  });

  it('streams JSON lines with _region and honours --limit and --columns', () => {
    const run = meridian(
      'query',
      reference,
      '--table',
      'orders-table',
      '--from',
      'EU',
      ...locations,
      '--columns',
      'order_id,amount',
      '--limit',
      '7',
      '--format',
      'jsonl',
    );
    expect(run.code, run.stderr).toBe(0);
    const rows = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(7);
    for (const row of rows) expect(Object.keys(row)).toEqual(['order_id', 'amount', '_region']);
    expect(run.stderr).toMatch(/^read eu-west-1: /m);
  });

  it('says which regions the printed rows came from, not only how many regions were read', () => {
    // Both regions are read, but only eu-west-1's order ids (order-eu-west-1-NNNNNN) pass the filter.
    const oneRegion = meridian(
      'query',
      reference,
      '--table',
      'orders-table',
      '--from',
      'EU',
      ...locations,
      '--where',
      "order_id > 'order-eu-d'",
      '--limit',
      '3',
    );
    expect(oneRegion.stdout.trimEnd().split('\n').at(-1)).toBe('(3 rows from eu-west-1; 2 regions read)');
    for (const run of [
      oneRegion,
      meridian('query', reference, '--table', 'orders-table', '--from', 'EU', ...locations, '--limit', '3'),
    ]) {
      expect(run.code, run.stderr).toBe(0);
      const shown = [...run.stdout.matchAll(/ (eu-west-1|eu-central-1)\s*$/gm)].map((m) => m[1]);
      expect(shown).toHaveLength(3);
      const giving = [...new Set(shown)];
      expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(
        giving.length === 2 ? '(3 rows from 2 regions)' : `(3 rows from ${giving.join(', ')}; 2 regions read)`,
      );
    }
  });

  it('--help gives examples that run as written from the repo root', () => {
    const help = meridian('query', '--help').stdout;
    const examples = help
      .slice(help.indexOf('Examples:'))
      .split('\n')
      .filter((line) => line.startsWith('meridian '));
    expect(examples.length).toBeGreaterThan(2);
    // A root of its own with the repo's examples/ in it, so that what the examples write lands in a temp dir.
    const cwd = join(scratch, 'help-examples');
    mkdirSync(cwd);
    symlinkSync(join(root, 'examples'), join(cwd, 'examples'), 'dir');
    for (const example of examples) {
      // The shell's quoting of the examples: words, or one '...' or "..." string.
      const words = [...example.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
      const run = spawnSync(
        process.execPath,
        ['--conditions=@meridian/source', '--import', tsx, cli, ...words.slice(1)],
        {
          cwd,
          encoding: 'utf8',
        },
      );
      expect(run.status, `${example}\n${run.stderr}`).toBe(0);
      expect(run.stdout).not.toBe('');
    }
    // One process per example, each compiling the CLI's TypeScript: minutes on a loaded two-core machine.
  }, 240_000);

  // Several CLI processes, each compiling the CLI's TypeScript: over a minute on a loaded two-core machine.
  it('refuses a residency violation and bad input with exit 2, a hint and no stack trace', { timeout: 240_000 }, () => {
    const refused = meridian('query', reference, '--table', 'orders-table', '--from', 'us-east-1', ...locations);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('error residency-violation');
    expect(refused.stderr).toContain('hint: query from a region in EU');
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    for (const args of [
      ['--table', 'ordres', '--from', 'EU'],
      ['--from', 'EU'],
      ['--table', 'orders-table', '--from', 'EU', '--location', 'nonsense'],
      ['--table', 'orders-table', '--from', 'EU', '--limit', 'many'],
      ['--table', 'orders-table', '--from', 'EU', '--where', 'amount >'],
    ]) {
      const run = meridian('query', reference, ...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toContain('hint:');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('fails naming a dead region, or with --partial lists it and exits 1', () => {
    const dead = [
      '--location',
      `eu-west-1=${join(refDir, 'eu-west-1/orders-table')}`,
      '--location',
      `eu-central-1=${join(scratch, 'deleted')}`,
    ];
    const failed = meridian('query', reference, '--table', 'orders-table', '--from', 'EU', ...dead, '--limit', '3');
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain(
      `error region-failed: region eu-central-1 (eu-central-1/orders-table at ${join(scratch, 'deleted')})`,
    );
    const partial = meridian(
      'query',
      reference,
      '--table',
      'orders-table',
      '--from',
      'EU',
      ...dead,
      '--partial',
      '--format',
      'csv',
    );
    expect(partial.code).toBe(1);
    expect(partial.stdout.trim().split('\n')).toHaveLength(1 + 1500);
    expect(partial.stderr).toContain('missing eu-central-1: eu-central-1/orders-table');
  });

  it('explains the plan over orasi-telemetry: regional tables with different schemas', () => {
    const run = meridian('query', orasi, '--table', 'delta-lake', '--from', 'eu-west-1', '--explain');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('query delta-lake: 3 regions, results to eu-west-1 (EU)');
    expect(run.stdout).toContain('s3://orasi-telemetry-us-west-2/delta-lake (from the model)');
    const refused = meridian('query', orasi, '--table', 'delta-lake', '--from', 'us-east-1', '--explain');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("'eu-telemetry' from eu-west-1/delta-lake");
  });

  it('runs a SQL join over a lake as DuckDB joins its files, explains the broadcast, and refuses one residency forbids', {
    timeout: 300_000,
  }, async () => {
    const lake = join(scratch, 'orasi-lake');
    const init = meridian('lake', 'init', orasi, '--out', lake, '--rows', '200', '--json');
    expect(init.code, init.stderr).toBe(0);
    const sql =
      'SELECT t.service_name, count(*) AS n, count(DISTINCT m.metric_name) AS metrics FROM telemetry_data t JOIN metrics_data m ON t.service_name = m.service_name WHERE t.status_code = 200 GROUP BY t.service_name';
    const run = meridian('query', orasi, '--lake', lake, '--from', 'EU', '--json', '--sql', sql);
    expect(run.code, run.stderr).toBe(0);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const table = (name: string) =>
      `(SELECT * FROM read_parquet('${join(lake, 'us-east-1', name)}/**/*.parquet', hive_partitioning = true))`;
    const duck = (
      await connection.runAndReadAll(
        sql
          .replace('FROM telemetry_data t', `FROM ${table('telemetry_data')} t`)
          .replace('JOIN metrics_data m', `JOIN ${table('metrics_data')} m`),
      )
    ).getRowObjectsJS();
    connection.closeSync();
    instance.closeSync();
    const rows = (JSON.parse(run.stdout) as { rows: Record<string, unknown>[] }).rows;
    expect(rows.length).toBeGreaterThan(2);
    const line = (r: Record<string, unknown>) => `${r.service_name} ${r.n} ${r.metrics}`;
    expect(rows.map(line).sort()).toEqual(duck.map(line).sort());
    const explain = meridian('query', orasi, '--lake', lake, '--from', 'EU', '--explain', '--sql', sql);
    expect(explain.code, explain.stderr).toBe(0);
    expect(explain.stdout).toContain('inner join telemetry_data with metrics_data on t.service_name = m.service_name');
    expect(explain.stdout).toMatch(/join: \w+ is broadcast \([\d.]+ KiB, 200 rows by its Delta log/);
    // The broadcast limit: refused under it, with the flag that raises it in the hint.
    const tooLarge = meridian('query', orasi, '--lake', lake, '--from', 'EU', '--max-broadcast', '1000', '--sql', sql);
    expect(tooLarge.code).toBe(2);
    expect(tooLarge.stderr).toContain('broadcast-too-large');
    expect(tooLarge.stderr).toMatch(/raise the limit: --max-broadcast \d+/);
    expect(tooLarge.stderr).not.toContain('maxBroadcastBytes');
    // delta-lake lives in three regions and metrics_data (eu-telemetry) in us-east-1: neither may go to the other.
    const refused = meridian(
      'query',
      orasi,
      '--lake',
      lake,
      '--from',
      'EU',
      '--sql',
      'SELECT d.service_name, count(*) FROM "delta-lake" d JOIN metrics_data m ON d.service_name = m.service_name GROUP BY d.service_name',
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      "broadcasting us-east-1/metrics_data into us-west-2 (US) for the join would move 'eu-telemetry' there",
    );
    expect(refused.stderr).not.toContain('    at ');
  });
});
