import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Float64, Int32, Int64, makeData, makeVector, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDeletionVector } from '../src/deletion-vectors/descriptor.ts';
import { decodeParquet } from '../src/parquet/decode.ts';
import { decodedToTable } from '../src/parquet/ffi-arrow.ts';
import { parquetFooterOfBytes, type RowGroupInfo } from '../src/parquet/footer.ts';
import { readPageIndex } from '../src/parquet/page-index.ts';
import { DecodePool } from '../src/parquet/worker-pool.ts';
import { runSpan } from '../src/scan/table-scan.ts';
import type { Snapshot } from '../src/snapshot/snapshot.ts';
import { openTable } from '../src/snapshot/table.ts';
import { openStorage } from '../src/storage/open.ts';
import { deleteRows } from '../src/write/delete-rows.ts';
import { writeTable } from '../src/write/write-table.ts';
import { duckdb, duckdbOverActiveFiles } from './support/corpus-copy.ts';

/*
 * Page skipping (scan/page-skipping.ts): rows of a row group whose pages the page index rules out are not decoded.
 * One data file of 130,000 rows in row groups of 50,000 (the writer cuts pages at 20,000 rows, or 20,480 for
 * nullable columns, so page starts differ between columns), with a deletion vector; every answer is compared with
 * DuckDB's read_parquet over the same file, less the rows the deletion vector marks (file_row_number).
 */

const ROWS = 130_000;
const GROUP_ROWS = 50_000;
let dir: string;
let file: string;
let snapshot: Snapshot;
let dead: number[];
let pageStarts: number[];
let nullPages: number;
const pool = new DecodePool(2);

// Deterministic shuffle: `rnd` holds no order a page could use.
function scrambled(i: number): number {
  return (i * 7919 + 13) % 100_003;
}

function table(): Table {
  const n = ROWS;
  return new Table({
    id: makeVector(
      makeData({ type: new Int64(), length: n, data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)) }),
    ),
    down: vectorFromArray(
      Array.from({ length: n }, (_, i) => n - i),
      new Int32(),
    ),
    rnd: vectorFromArray(
      Array.from({ length: n }, (_, i) => scrambled(i)),
      new Int32(),
    ),
    // Null for rows 20,000-46,999 (a whole page, 25,600-46,079, and parts of two), NaN every 1,000th row, else i / 10.
    maybe: vectorFromArray(
      Array.from({ length: n }, (_, i) => (i >= 20_000 && i < 47_000 ? null : i % 1000 === 7 ? Number.NaN : i / 10)),
      new Float64(),
    ),
    name: vectorFromArray(
      Array.from({ length: n }, (_, i) => `k${String(i).padStart(7, '0')}`),
      new Utf8(),
    ),
  });
}

beforeAll(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'meridian-page-skip-')), 't');
  await writeTable(dir, table(), {
    mode: 'create',
    rowGroupRows: GROUP_ROWS,
    configuration: { 'delta.enableDeletionVectors': 'true' },
  });
  // Deleted rows around page and row group bounds, inside the ranges the predicates below keep.
  await deleteRows(dir, 'id in (19999, 20000, 20001, 39999, 40000, 49999, 50000, 50001, 60000, 60001, 129999)');
  snapshot = await (await openTable(dir)).snapshot();
  const only = snapshot.files()[0];
  if (!only || snapshot.files().length !== 1 || !only.deletionVector) throw new Error('expected one file with a DV');
  file = join(dir, decodeURIComponent(only.path));
  dead = [...(await loadDeletionVector(openStorage(dir), only.deletionVector))];
  const bytes = new Uint8Array(await readFile(file));
  const footer = parquetFooterOfBytes(bytes, file);
  pageStarts = [];
  nullPages = 0;
  for (const group of footer.rowGroups) {
    const maybe = group.columns.find((c) => c.path[0] === 'maybe');
    const maybePages = readPageIndex({ start: 0, bytes }, maybe?.offsetIndex, maybe?.columnIndex, group.numRows);
    nullPages += maybePages?.filter((p) => p.allNull).length ?? 0;
    const chunk = group.columns.find((c) => c.path[0] === 'id');
    const pages = readPageIndex({ start: 0, bytes }, chunk?.offsetIndex, chunk?.columnIndex, group.numRows);
    for (const page of pages ?? []) pageStarts.push(group.firstRow + page.firstRow);
  }
});

afterAll(async () => {
  await pool.close();
  await rm(dir, { recursive: true, force: true });
});

type Row = [bigint, number, number, number | null, string];

function sortRows(rows: Row[]): Row[] {
  return rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

async function duckRows(sqlWhere: string): Promise<Row[]> {
  const rows = await duckdb(
    `select id, down, rnd, maybe, name from read_parquet('${file}', file_row_number = true)
     where file_row_number not in (${dead.join(', ')}) and (${sqlWhere})`,
  );
  return sortRows(
    rows.map(
      (r): Row => [BigInt(r.id as bigint), Number(r.down), Number(r.rnd), r.maybe as number | null, String(r.name)],
    ),
  );
}

function ourRows(t: Table): Row[] {
  return sortRows(
    t.toArray().map((r): Row => {
      const o = r.toJSON() as Record<string, unknown>;
      return [o.id as bigint, o.down as number, o.rnd as number, o.maybe as number | null, o.name as string];
    }),
  );
}

/** Rows a scan returns, on the calling thread and in the pool (collected and streamed): the three must agree. */
async function scanned(where: string): Promise<{ rows: Row[]; decoded: number }> {
  const scan = snapshot.scan({ where, decoder: 'main-thread' });
  const rows = ourRows(await scan.toArrow());
  const pooled = ourRows(await snapshot.toArrow({ where, decoder: pool }));
  const streamed: Row[] = [];
  for await (const batch of snapshot.scan({ where, decoder: pool })) streamed.push(...ourRows(new Table(batch)));
  expect(pooled).toEqual(rows);
  expect(sortRows(streamed)).toEqual(rows);
  return { rows, decoded: scan.metrics.rowsDecoded };
}

describe('page skipping', () => {
  it('reads a file whose row groups hold several pages, with a deletion vector', () => {
    // Every row group starts a page; each holds more than one.
    expect(pageStarts.length).toBeGreaterThan(6);
    expect(pageStarts).toEqual(expect.arrayContaining([0, 50_000, 100_000]));
    expect(dead).toHaveLength(11);
    expect(nullPages).toBeGreaterThan(0);
  });

  it('never drops a row whose value lies exactly on a page bound', async () => {
    for (const b of pageStarts.filter((s) => s > 0)) {
      for (const [ours, sql] of [
        [`id = ${b}`, `id = ${b}`],
        [`id = ${b - 1}`, `id = ${b - 1}`],
        [`id >= ${b - 1} and id <= ${b}`, `id >= ${b - 1} and id <= ${b}`],
        [`id > ${b - 2} and id < ${b + 2}`, `id > ${b - 2} and id < ${b + 2}`],
        [`down >= ${ROWS - b} and down <= ${ROWS - b + 1}`, `down >= ${ROWS - b} and down <= ${ROWS - b + 1}`],
        [
          `name >= 'k${String(b - 1).padStart(7, '0')}' and name <= 'k${String(b).padStart(7, '0')}'`,
          `name >= 'k${String(b - 1).padStart(7, '0')}' and name <= 'k${String(b).padStart(7, '0')}'`,
        ],
      ] as const) {
        const { rows, decoded } = await scanned(ours);
        expect(rows, ours).toEqual(await duckRows(sql));
        // At most the pages around the bound are decoded (the id pages; other columns' pages start elsewhere).
        expect(decoded, ours).toBeLessThan(ROWS / 2);
      }
    }
  }, 240_000);

  it('keeps a range over a row group bound and skips the pages outside it (sorted and descending data)', async () => {
    const cases: [string, string][] = [
      ['id >= 45000 and id < 65000', 'id >= 45000 and id < 65000'],
      ['down > 70000 and down <= 90000', 'down > 70000 and down <= 90000'],
      ['id >= 125000', 'id >= 125000'],
      ['id < 10 or down < 10', 'id < 10 or down < 10'],
    ];
    for (const [ours, sql] of cases) {
      const { rows, decoded } = await scanned(ours);
      const expected = await duckRows(sql);
      expect(expected.length, ours).toBeGreaterThan(0);
      expect(rows, ours).toEqual(expected);
      expect(decoded, ours).toBeLessThan(ROWS);
    }
  });

  it('reads every row of unsorted data and of ranges no page rules out', async () => {
    const target = scrambled(77_777);
    for (const [ours, sql] of [
      [`rnd = ${target}`, `rnd = ${target}`],
      ['rnd >= 50000 and rnd < 50100', 'rnd >= 50000 and rnd < 50100'],
    ] as const) {
      const { rows } = await scanned(ours);
      expect(rows.length, ours).toBeGreaterThan(0);
      expect(rows, ours).toEqual(await duckRows(sql));
    }
  });

  it('treats null pages, nulls and NaN as the unskipped scan does', async () => {
    // Nulls: as DuckDB answers.
    for (const where of [
      'maybe is null',
      'maybe is null and id >= 44000',
      'maybe is not null and id >= 15000 and id < 50000',
      'maybe = 4600 or maybe is null',
    ]) {
      const { rows } = await scanned(where);
      const expected = await duckRows(where);
      expect(expected.length, where).toBeGreaterThan(0);
      expect(
        rows.map((r) => r[0]),
        where,
      ).toEqual(expected.map((r) => r[0]));
    }
    // NaN: the scan compares as IEEE 754 does (NaN matches nothing but <>, so `not (x < c)` holds for it). DuckDB
    // orders NaN above every number and its reader prunes NaN rows by statistics, so the reference here is the
    // unskipped scan (no predicate, every row decoded) filtered in JavaScript.
    const all = ourRows(await snapshot.toArrow({ decoder: 'main-thread' }));
    const value = (r: Row) => r[3];
    const nan = (r: Row) => value(r) !== null && Number.isNaN(value(r));
    expect(all.filter(nan).length).toBeGreaterThan(100);
    const cases: [string, (r: Row) => boolean][] = [
      ['maybe > 12000', (r) => value(r) !== null && (value(r) as number) > 12000],
      ['maybe <= 100.7', (r) => value(r) !== null && (value(r) as number) <= 100.7],
      ['maybe <> 3000', (r) => value(r) !== null && value(r) !== 3000],
      ['not (maybe < 12500)', (r) => value(r) !== null && !((value(r) as number) < 12500)],
      [
        'not (maybe >= 1000) and id < 30000',
        (r) => value(r) !== null && !((value(r) as number) >= 1000) && r[0] < 30000n,
      ],
    ];
    for (const [where, keep] of cases) {
      const { rows } = await scanned(where);
      const expected = all.filter(keep);
      expect(expected.length, where).toBeGreaterThan(0);
      expect(
        rows.map((r) => r[0]),
        where,
      ).toEqual(expected.map((r) => r[0]));
      if (where.startsWith('not') || where.includes('<>')) expect(rows.some(nan), where).toBe(true);
    }
  });

  it('applies the deletion vector to rows counted from the span, not the row group', async () => {
    // Rows 40,000-59,999 decode from an offset inside row group 0; the deleted rows there must still be dropped.
    const { rows, decoded } = await scanned('id >= 40000 and id < 60002');
    expect(decoded).toBeLessThan(2 * GROUP_ROWS);
    const ids = rows.map((r) => Number(r[0]));
    for (const d of [40000, 49999, 50000, 50001, 60000, 60001]) expect(ids).not.toContain(d);
    expect(ids).toContain(40001);
    expect(ids).toContain(59999);
    expect(rows).toEqual(await duckRows('id >= 40000 and id < 60002'));
  });

  it('projects the same rows (the projected decoder honours the span)', async () => {
    const where = 'id >= 41000 and id < 61000';
    const projected = await snapshot.toArrow({ where, columns: ['name'], decoder: 'main-thread' });
    const duck = await duckRows(where);
    expect(
      projected
        .toArray()
        .map((r) => String(r.name))
        .sort(),
    ).toEqual(duck.map((r) => r[4]).sort());
  });
});

describe('page indexes written by Spark (../shared/delta-corpus)', () => {
  const corpus = fileURLToPath(new URL('../../../../shared/delta-corpus/', import.meta.url));

  /** Chunks of the snapshot's files whose page index this reader parses: the cases below go through page skipping. */
  async function indexedChunks(table: string, snap: Snapshot): Promise<number> {
    let count = 0;
    for (const f of snap.files()) {
      const bytes = new Uint8Array(await readFile(join(corpus, table, decodeURIComponent(f.path))));
      for (const group of parquetFooterOfBytes(bytes, f.path).rowGroups)
        for (const c of group.columns)
          if (readPageIndex({ start: 0, bytes }, c.offsetIndex, c.columnIndex, group.numRows)) count++;
    }
    return count;
  }

  it('answers as DuckDB does over the same files, with a deletion vector', async () => {
    const table = 'table-with-dv-small';
    const snap = await (await openTable(join(corpus, table))).snapshot();
    expect(await indexedChunks(table, snap)).toBeGreaterThan(0);
    const only = snap.files()[0];
    if (!only?.deletionVector) throw new Error('expected a deletion vector');
    const gone = [...(await loadDeletionVector(openStorage(join(corpus, table)), only.deletionVector))];
    const path = join(corpus, table, decodeURIComponent(only.path));
    const matched: string[] = [];
    for (const where of ['value >= 3', 'value = 0', 'value = 5', 'value < 2 or value > 7', 'value is null']) {
      const ours = (await snap.toArrow({ where, decoder: 'main-thread' })).toArray().map((r) => Number(r.value));
      const duck = await duckdb(
        `select value from read_parquet('${path}', file_row_number = true) where file_row_number not in (${gone.join(', ')}) and (${where})`,
      );
      expect(ours.sort(), where).toEqual(duck.map((r) => Number(r.value)).sort());
      matched.push(`${where}: ${ours.length}`);
    }
    expect(matched.filter((m) => !m.endsWith(': 0')).length, matched.join('; ')).toBeGreaterThanOrEqual(3);
  });

  it('answers as DuckDB does over a table of many column types', async () => {
    const table = 'delta-1.2.1-only-struct-stats';
    const dir = join(corpus, table);
    const snap = await (await openTable(dir)).snapshot();
    expect(await indexedChunks(table, snap)).toBeGreaterThan(50);
    const matched: string[] = [];
    for (const where of [
      'integer >= 5',
      'integer = 3 or double < 2.5',
      "string >= '5'",
      "date > '2022-10-23'",
      'decimal > 5',
      'double is not null and integer <= 1',
    ]) {
      const ours = (await snap.toArrow({ where, columns: ['integer'], decoder: 'main-thread' }))
        .toArray()
        .map((r) => Number(r.integer));
      const duck = await duckdbOverActiveFiles(dir, snap, (files) => `select integer from ${files} where ${where}`);
      expect(ours.sort(), where).toEqual(duck.map((r) => Number(r.integer)).sort());
      matched.push(`${where}: ${ours.length}`);
    }
    expect(matched.filter((m) => !m.endsWith(': 0')).length, matched.join('; ')).toBeGreaterThanOrEqual(4);
  });
});

describe('a decode with an offset', () => {
  it('skips the same rows in a worker as on the calling thread, counted over the selected row groups', async () => {
    const bytes = new Uint8Array(await readFile(file));
    const options = { rowGroups: [0, 2], offset: 45_000, limit: 10_000, batchSize: 65_536 };
    const here = decodedToTable(await decodeParquet(bytes, options));
    const there = await pool.decode({ bytes: bytes.slice(), ...options, where: file });
    const ids = (t: Table) => t.toArray().map((r) => Number(r.id));
    expect(here.numRows).toBe(10_000);
    // Rows 45,000-49,999 of group 0, then 0-4,999 of group 2 (file rows 100,000-104,999).
    expect(ids(here)[0]).toBe(45_000);
    expect(ids(here)[5_000]).toBe(100_000);
    expect(ids(there)).toEqual(ids(here));
  });
});

describe('runSpan', () => {
  const group = (index: number, firstRow: number, numRows: number): RowGroupInfo => ({
    index,
    numRows,
    firstRow,
    columns: [],
  });
  const g0 = group(0, 0, 100);
  const g1 = group(1, 100, 100);
  const g3 = group(3, 300, 50);

  it('spans from the first to the last kept row, counted over the run', () => {
    expect(
      runSpan(
        [g0, g1],
        new Map([
          [0, [[40, 100]]],
          [1, [[0, 30]]],
        ]),
      ),
    ).toEqual({ offset: 40, limit: 90 });
    // Non-consecutive groups: offsets count the decoded rows (g1 skipped), not file rows.
    expect(
      runSpan(
        [g0, g3],
        new Map([
          [
            0,
            [
              [10, 20],
              [70, 80],
            ],
          ],
          [3, [[5, 6]]],
        ]),
      ),
    ).toEqual({ offset: 10, limit: 96 });
  });

  it('keeps every row of a group the page index says nothing about', () => {
    expect(runSpan([g0, g1], new Map([[1, [[0, 30]]]]))).toEqual({ offset: 0, limit: 130 });
    expect(runSpan([g0, g1], new Map([[1, [[0, 100]]]]))).toBeUndefined();
    expect(runSpan([g0, g1], new Map([[0, [[50, 60]]]]))).toEqual({ offset: 50, limit: 150 });
    expect(runSpan([g0], new Map([[0, [[0, 100]]]]))).toBeUndefined();
  });
});
