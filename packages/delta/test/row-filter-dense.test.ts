import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  DateDay,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  makeData,
  makeVector,
  Table,
  Timestamp,
  TimeUnit,
  vectorFromArray,
} from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../src/snapshot/snapshot.ts';
import { openTable } from '../src/snapshot/table.ts';
import { writeTable } from '../src/write/write-table.ts';

/*
 * The row filter's typed-array fast path (scan/row-filter.ts compareDense) on every column kind it takes (byte,
 * short, integer, long, float, double, date, timestamp_ntz; no nulls), read from a real parquet file we wrote, against
 * DuckDB reading the same file (issue 22). Every comparison is made at a value rows hold exactly (3, twice) and
 * between values: `l < 21474836480.5` gives a long column a number literal, which the fast path hands to the per-row path.
 */

const DAY = 86_400_000_000n;
let dir: string;
let snapshot: Snapshot;
let files: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meridian-row-filter-dense-'));
  const ints = [1, 2, 3, 3, 4, 6];
  const table = new Table({
    id: vectorFromArray([0, 1, 2, 3, 4, 5], new Int32()),
    b: vectorFromArray(ints, new Int8()),
    s: vectorFromArray(
      ints.map((v) => v * 1000),
      new Int16(),
    ),
    i: vectorFromArray(
      ints.map((v) => v * 1_000_000),
      new Int32(),
    ),
    l: vectorFromArray(
      ints.map((v) => BigInt(v) * 2n ** 33n),
      new Int64(),
    ),
    f: vectorFromArray(
      ints.map((v) => v + 0.5),
      new Float32(),
    ),
    d: vectorFromArray(
      ints.map((v) => v / 4),
      new Float64(),
    ),
    dt: makeVector(makeData({ type: new DateDay(), length: 6, data: Int32Array.from(ints.map((v) => 19_000 + v)) })),
    ts: makeVector(
      makeData({
        type: new Timestamp(TimeUnit.MICROSECOND, null),
        length: 6,
        data: BigInt64Array.from(ints.map((v) => BigInt(v) * DAY + 1n)),
      }),
    ),
  });
  await writeTable(join(dir, 't'), table, { mode: 'create' });
  snapshot = await (await openTable(join(dir, 't'))).snapshot();
  files = snapshot.files().map((f) => join(dir, 't', decodeURIComponent(f.path)));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the row filter fast path against DuckDB on the same parquet', () => {
  it('every comparison on every dense column kind, exactly on a value held twice and between values', async () => {
    // Literals as both engines read them: the value held by rows 2 and 3, and one between rows 1 and 2.
    const at: Record<string, [string, string]> = {
      b: ['3', '2.5'],
      s: ['3000', '2500'],
      i: ['3000000', '2500000'],
      l: [String(3n * 2n ** 33n), '21474836480.5'],
      f: ['3.5', '3.25'],
      d: ['0.75', '0.6'],
      dt: ["'2022-01-07'", "'2022-01-06'"],
      ts: ["'1970-01-04 00:00:00.000001'", "'1970-01-04 00:00:00'"],
    };
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const source = `read_parquet([${files.map((f) => `'${f}'`).join(', ')}])`;
      let compared = 0;
      for (const [column, literals] of Object.entries(at)) {
        for (const literal of literals) {
          for (const op of ['=', '<>', '<', '<=', '>', '>=']) {
            const where = `${column} ${op} ${literal}`;
            const duck = (await connection.runAndReadAll(`select id from ${source} where ${where} order by id`))
              .getRowObjectsJS()
              .map((r) => r.id);
            const ours = [...((await snapshot.toArrow({ where })).getChild('id')?.toArray() ?? [])].sort(
              (x, y) => x - y,
            );
            expect({ where, rows: ours }).toEqual({ where, rows: duck });
            compared++;
          }
        }
      }
      expect(compared).toBe(8 * 2 * 6);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('by hand: exactly on the bound, <= keeps both rows holding it and < neither; a long against 2.5 times 2^33 plus a half', async () => {
    const ids = async (where: string) =>
      [...((await snapshot.toArrow({ where })).getChild('id')?.toArray() ?? [])].sort((x, y) => x - y);
    expect(await ids('b <= 3')).toEqual([0, 1, 2, 3]);
    expect(await ids('b < 3')).toEqual([0, 1]);
    expect(await ids('f >= 3.5')).toEqual([2, 3, 4, 5]);
    expect(await ids('f > 3.5')).toEqual([4, 5]);
    expect(await ids('l < 21474836480.5')).toEqual([0, 1]);
    expect(await ids('l >= 21474836480.5')).toEqual([2, 3, 4, 5]);
    expect(await ids('l = 21474836480.5')).toEqual([]);
    expect(await ids('l <> 21474836480.5')).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
