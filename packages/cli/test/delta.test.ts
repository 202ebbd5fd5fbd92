import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const corpus = join(root, '../shared/delta-corpus');
const requests = join(corpus, 'http_requests');
const scratch = mkdtempSync(join(tmpdir(), 'meridian-delta-cli-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function meridian(...args: string[]) {
  const run = spawnSync(process.execPath, ['--conditions=@meridian/source', '--import', 'tsx', cli, ...args], {
    cwd: root,
    maxBuffer: 64 << 20,
  });
  return {
    code: run.status,
    stdout: run.stdout.toString('utf8'),
    bytes: run.stdout,
    stderr: run.stderr.toString('utf8'),
  };
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

describe('meridian delta info', () => {
  it('describes the latest snapshot, and an older one with --version', () => {
    const text = meridian('delta', 'info', requests);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^version {4}1 /m);
    expect(text.stdout).toContain('partitions date');
    expect(text.stdout).toMatch(/^files {6}2 \([\d,]+ bytes\)$/m);
    expect(text.stdout).toMatch(/^rows {7}1,581 \(by the files' statistics\)$/m);
    expect(text.stdout).toMatch(/EdgeStartTimestamp +timestamp/);
    const json = JSON.parse(meridian('delta', 'info', requests, '--version', '0', '--json').stdout) as {
      version: number;
      files: number;
      partitionColumns: string[];
      protocol: { minReaderVersion: number };
      schema: { name: string; type: string }[];
    };
    expect(json.version).toBe(0);
    expect(json.files).toBe(0); // version 0 created the table; version 1 wrote both files
    expect(json.partitionColumns).toEqual(['date']);
    expect(json.protocol.minReaderVersion).toBe(1);
    expect(json.schema.find((f) => f.name === 'EdgeResponseBytes')?.type).toBe('long');
    const atTime = JSON.parse(
      meridian('delta', 'info', requests, '--timestamp', '2999-01-01T00:00:00Z', '--json').stdout,
    ) as { version: number };
    expect(atTime.version).toBe(1);
  });
});

describe('meridian delta info row count', () => {
  function scanned(table: string): number {
    const run = meridian('delta', 'scan', join(corpus, table), '--format', 'jsonl');
    expect(run.code).toBe(0);
    return run.stdout.split('\n').filter((line) => line !== '').length;
  }

  // table-with-dv-small (Databricks) holds 10 rows in its one file, 2 of them deleted by a deletion vector;
  // cdf-table-with-cdc-and-dvs and table_with_deletion_logs have deletion vectors too.
  for (const table of ['table-with-dv-small', 'cdf-table-with-cdc-and-dvs', 'table_with_deletion_logs']) {
    it(`gives the rows a scan of ${table} returns, less those its deletion vectors delete`, () => {
      const rows = scanned(table);
      const run = meridian('delta', 'info', join(corpus, table));
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        new RegExp(
          `^rows {7}${rows.toLocaleString('en-US')} \\([\\d,]+ by the files' statistics, less [\\d,]+ deleted by deletion vectors\\)$`,
          'm',
        ),
      );
      const json = JSON.parse(meridian('delta', 'info', join(corpus, table), '--json').stdout) as {
        rows: number;
        deletedRows: number;
      };
      expect(json.rows).toBe(rows);
      expect(json.deletedRows).toBeGreaterThan(0);
    });
  }

  it('says the count is unknown when a file has no numRecords statistic, instead of a number', () => {
    const table = join(corpus, 'delta-stats-optional');
    const run = meridian('delta', 'info', table);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^rows {7}unknown \(1 of 2 files have no numRecords statistic; /m);
    const json = JSON.parse(meridian('delta', 'info', table, '--json').stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ rows: null, filesWithoutRowCount: 1 });
  });
});

describe('meridian delta scan', () => {
  it('returns the rows DuckDB finds for the same filter, as JSON lines', async () => {
    const run = meridian(
      'delta',
      'scan',
      requests,
      '--columns',
      'EdgeStartTimestamp,EdgeResponseBytes,date',
      '--where',
      "date = '2023-04-14' and EdgeResponseBytes >= 305",
      '--format',
      'jsonl',
    );
    expect(run.code).toBe(0);
    const rows = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { EdgeStartTimestamp: string; EdgeResponseBytes: string; date: string });
    const expected = await duck(
      `select strftime(EdgeStartTimestamp at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ') as ts, EdgeResponseBytes as bytes
       from read_parquet('${requests}/date=2023-04-14/*.parquet') where EdgeResponseBytes >= 305`,
    );
    expect(rows.length).toBe(expected.length);
    expect(rows.length).toBeGreaterThan(0);
    expect(Object.keys(rows[0] ?? {})).toEqual(['EdgeStartTimestamp', 'EdgeResponseBytes', 'date']);
    expect(rows.every((r) => r.date === '2023-04-14')).toBe(true);
    expect(rows.map((r) => `${r.EdgeStartTimestamp}|${r.EdgeResponseBytes}`).sort()).toEqual(
      expected.map((e) => `${String(e.ts)}|${String(e.bytes)}`).sort(),
    );
    expect(run.stderr).toBe(`${rows.length} rows\n`);
  });

  it('prints a table, CSV, and parquet another reader can open', async () => {
    const table = meridian('delta', 'scan', requests, '--columns', 'date,ClientIP', '--limit', '3');
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n').slice(0, 2)).toEqual(['date        ClientIP', '----------  ---------']);
    expect(table.stdout).toContain('(3 rows)');
    const csv = meridian(
      'delta',
      'scan',
      requests,
      '--columns',
      'date,ClientRequestURI',
      '--limit',
      '2',
      '--format',
      'csv',
    );
    expect(csv.stdout.split('\n')[0]).toBe('date,ClientRequestURI');
    expect(csv.stdout.trim().split('\n')).toHaveLength(3);
    const parquet = meridian(
      'delta',
      'scan',
      requests,
      '--where',
      "ClientRequestMethod = 'GET'",
      '--limit',
      '7',
      '--format',
      'parquet',
    );
    expect(parquet.code).toBe(0);
    const file = join(scratch, 'rows.parquet');
    writeFileSync(file, parquet.bytes);
    const [count] = await duck(
      `select count(*)::int as n, count(distinct date)::int as dates from read_parquet('${file}')`,
    );
    expect(count?.n).toBe(7);
  });

  it('exits 2 with the error and its hint, no stack trace, on bad input', () => {
    const badPredicate = meridian('delta', 'scan', requests, '--where', "date = '2023-04-14' and");
    expect(badPredicate.code).toBe(2);
    expect(badPredicate.stderr).toContain('error invalid-predicate:');
    expect(badPredicate.stderr).toContain('position 24');
    expect(badPredicate.stderr).toContain('hint:');
    expect(badPredicate.stderr).not.toMatch(/\n\s+at /);
    const unknownColumn = meridian('delta', 'scan', requests, '--where', 'dat = 1');
    expect(unknownColumn.code).toBe(2);
    expect(unknownColumn.stderr).toContain("no column 'dat'");
    const missing = meridian('delta', 'info', join(corpus, 'no-such-table'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error not-a-table: /);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const unsupported = meridian('delta', 'scan', join(corpus, 'simple_table_features'));
    expect(unsupported.code).toBe(2);
    expect(unsupported.stderr).toMatch(/^error unsupported-reader-/);
    expect(unsupported.stderr).toContain('blahabl');
    const unknownProjection = meridian('delta', 'scan', requests, '--columns', 'date,nope');
    expect(unknownProjection.code).toBe(2);
    expect(unknownProjection.stderr).toContain("no column 'nope'");
    const both = meridian('delta', 'info', requests, '--version', '0', '--timestamp', '2024-01-01');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give --version or --timestamp, not both');
    const badFormat = meridian('delta', 'scan', requests, '--format', 'xml');
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain("unknown format 'xml'");
  });
});
