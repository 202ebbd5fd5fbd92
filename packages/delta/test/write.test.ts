import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  Bool,
  DateDay,
  Decimal,
  Field,
  Float64,
  Int32,
  Int64,
  makeData,
  makeVector,
  Struct,
  Table,
  TimestampMicrosecond,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalize, hashLines } from '../scripts/conformance/canonical.ts';
import { DeltaError } from '../src/errors.ts';
import { parseCommit } from '../src/log/actions.ts';
import { openTable } from '../src/snapshot/table.ts';
import { LocalStorage } from '../src/storage/local.ts';
import type { Storage } from '../src/storage/storage.ts';
import { commit, commitKey } from '../src/write/commit.ts';
import { deltaSchemaOf } from '../src/write/schema.ts';
import { writeTable } from '../src/write/write-table.ts';
import { random } from './fixtures/random.ts';

const run = promisify(execFile);
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'meridian-delta-write-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let counter = 0;
const freshDir = () => join(root, `t${counter++}`);

const DAY = 19_723; // 2024-01-01 in days since the epoch

/** Orders: strings, longs, ints, nullable doubles, decimals, dates, timestamps, booleans and a struct. */
function orders(rows: number, seed = 1, firstId = 0): Table {
  const next = random(seed);
  const id = new BigInt64Array(rows);
  const qty = new Int32Array(rows);
  const days = new Int32Array(rows);
  const ts = new BigInt64Array(rows);
  const amount = new Uint32Array(rows * 4);
  const customer: string[] = [];
  const price: (number | null)[] = [];
  const paid: boolean[] = [];
  const city: (string | null)[] = [];
  for (let i = 0; i < rows; i++) {
    id[i] = BigInt(firstId + i);
    qty[i] = 1 + Math.floor(next() * 9);
    days[i] = DAY + Math.floor(next() * 4);
    // Sub-millisecond microseconds, so the statistics' millisecond bounds are exercised.
    ts[i] = BigInt(days[i] as number) * 86_400_000_000n + BigInt(Math.floor(next() * 86_400_000_000));
    const cents = Math.floor(next() * 1_000_000) - 1000;
    const unscaled = BigInt.asUintN(128, BigInt(cents));
    for (let w = 0; w < 4; w++) amount[i * 4 + w] = Number((unscaled >> BigInt(32 * w)) & 0xffffffffn);
    customer.push(`customer-${String(Math.floor(next() * 500)).padStart(4, '0')}`);
    price.push(next() < 0.1 ? null : Math.round(next() * 100_000) / 100);
    paid.push(next() < 0.7);
    city.push(next() < 0.2 ? null : (['Dublin', 'Frankfurt', 'Paris'][Math.floor(next() * 3)] as string));
  }
  const address = makeData({
    type: new Struct([new Field('city', new Utf8(), true)]),
    length: rows,
    nullCount: 0,
    children: [vectorFromArray(city, new Utf8()).data[0] as never],
  });
  return new Table({
    order_id: makeVector(makeData({ type: new Int64(), length: rows, data: id })),
    customer_id: vectorFromArray(customer, new Utf8()),
    quantity: makeVector(makeData({ type: new Int32(), length: rows, data: qty })),
    price: vectorFromArray(price, new Float64()),
    amount: makeVector(makeData({ type: new Decimal(2, 12, 128), length: rows, data: amount })),
    paid: vectorFromArray(paid, new Bool()),
    created_at: makeVector(makeData({ type: new TimestampMicrosecond('UTC'), length: rows, data: ts })),
    order_date: makeVector(makeData({ type: new DateDay(), length: rows, data: days })),
    address: makeVector(address),
  });
}

function canonicalHash(table: Table): string {
  return hashLines(canonicalize(table.batches, deltaSchemaOf(table.schema).fields).rows);
}

describe('writeTable', () => {
  it('round-trips every row through the reader, partitioned by date, with per-file statistics', async () => {
    const dir = freshDir();
    const data = orders(3000);
    const result = await writeTable(dir, data, { mode: 'create', partitionBy: ['order_date'] });
    expect(result.version).toBe(0);
    expect(result.rows).toBe(3000);
    expect(result.added).toHaveLength(4);

    const snapshot = await (await openTable(dir)).snapshot();
    expect(snapshot.partitionColumns).toEqual(['order_date']);
    expect(snapshot.schema.fields.map((f) => f.name)).toEqual(data.schema.fields.map((f) => f.name));
    const read = await snapshot.toArrow({ columns: data.schema.fields.map((f) => f.name) });
    // The conformance canonicalisation: same rows, same values, whatever the order.
    expect(canonicalHash(read)).toBe(canonicalHash(data));

    for (const file of snapshot.files()) {
      const date = file.partitionValues.order_date as string;
      expect(file.path).toMatch(new RegExp(`^order_date=${date}/part-\\d{5}-[0-9a-f-]+-c000\\.zstd\\.parquet$`));
      const stats = file.stats;
      if (stats === undefined) throw new Error(`no stats for ${file.path}`);
      const rows = await snapshot.toArrow({ where: `order_date = '${date}'` });
      expect(stats.numRecords).toBe(rows.numRows);
      const ids = [...(rows.getChild('order_id') as Iterable<bigint>)];
      const [min, max] = bounds(ids);
      expect(stats.minValues?.order_id).toBe(Number(min));
      expect(stats.maxValues?.order_id).toBe(Number(max));
      const priceNulls = [...(rows.getChild('price') as Iterable<number | null>)].filter((p) => p === null).length;
      expect(stats.nullCount?.price).toBe(priceNulls);
      // Timestamp bounds at millisecond precision still bound the microsecond values.
      const micros = [...(rows.getChild('created_at')?.data ?? [])].flatMap((d) => [...(d.values as BigInt64Array)]);
      const [least, greatest] = bounds(micros);
      expect(BigInt(Date.parse(stats.minValues?.created_at as string)) * 1000n).toBeLessThanOrEqual(least);
      expect(BigInt(Date.parse(stats.maxValues?.created_at as string)) * 1000n).toBeGreaterThanOrEqual(greatest);
      expect((stats.nullCount as Record<string, Record<string, number>>).address?.city).toBe(
        [...(rows.getChild('address') as Iterable<{ city: string | null }>)].filter((a) => a.city === null).length,
      );
      // Partition columns are not in the data files, so they have no statistics.
      expect(stats.nullCount).not.toHaveProperty('order_date');
    }
  });

  it('writes parquet that DuckDB reads to the same answer', async () => {
    const dir = freshDir();
    const data = orders(2500, 7);
    await writeTable(dir, data, { mode: 'create', partitionBy: ['order_date'] });
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const sql = `SELECT order_date::VARCHAR AS d, count(*) AS n, sum(quantity) AS q, sum(amount) AS a, count(price) AS p, sum(CASE WHEN paid THEN 1 ELSE 0 END) AS paid
        FROM read_parquet('${dir}/*/*.parquet', hive_partitioning = true) GROUP BY 1 ORDER BY 1`;
      const duck = (await connection.runAndReadAll(sql)).getRowObjectsJS();
      const snapshot = await (await openTable(dir)).snapshot();
      const read = await snapshot.toArrow();
      const byDate = new Map<string, { n: number; q: number; cents: bigint; p: number; paid: number }>();
      const dates = read.getChild('order_date') as unknown as { get(i: number): Date | number };
      for (let i = 0; i < read.numRows; i++) {
        const row = read.get(i) as unknown as { quantity: number; price: number | null; paid: boolean };
        const d = new Date(Number(dates.get(i))).toISOString().slice(0, 10);
        const words = read.getChild('amount')?.get(i) as Uint32Array;
        let unscaled = 0n;
        for (let w = 3; w >= 0; w--) unscaled = (unscaled << 32n) | BigInt(words[w] as number);
        const e = byDate.get(d) ?? { n: 0, q: 0, cents: 0n, p: 0, paid: 0 };
        e.n++;
        e.q += row.quantity;
        e.cents += BigInt.asIntN(128, unscaled);
        if (row.price !== null) e.p++;
        if (row.paid) e.paid++;
        byDate.set(d, e);
      }
      expect(duck).toHaveLength(byDate.size);
      for (const d of duck) {
        const ours = byDate.get(d.d as string);
        expect(ours, String(d.d)).toBeDefined();
        expect(BigInt(d.n as bigint)).toBe(BigInt(ours?.n ?? -1));
        expect(BigInt(d.q as bigint)).toBe(BigInt(ours?.q ?? -1));
        expect(Math.round(Number(d.a) * 100)).toBe(Number(ours?.cents));
        expect(BigInt(d.p as bigint)).toBe(BigInt(ours?.p ?? -1));
        expect(Number(d.paid)).toBe(ours?.paid);
      }
      const total = duck.reduce((s, d) => s + Number(d.n), 0);
      expect(total).toBe(2500);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('lands every one of several concurrent appends, at contiguous versions', async () => {
    const dir = freshDir();
    await writeTable(dir, orders(100, 1), { mode: 'create', partitionBy: ['order_date'] });
    const writers = 8;
    const results = await Promise.all(
      Array.from({ length: writers }, (_, w) =>
        writeTable(dir, orders(200, 100 + w, 1000 * (w + 1)), { mode: 'append' }),
      ),
    );
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: writers }, (_, i) => i + 1),
    );
    const table = await openTable(dir);
    expect(await table.latestVersion()).toBe(writers);
    const read = await (await table.snapshot()).toArrow({ columns: ['order_id'] });
    expect(read.numRows).toBe(100 + writers * 200);
    expect(new Set([...(read.getChild('order_id') as Iterable<bigint>)]).size).toBe(read.numRows);
  });

  it('lands appends from separate processes at contiguous versions', async () => {
    const dir = freshDir();
    const ids = (first: number, n: number) =>
      new Table({
        id: makeVector(
          makeData({
            type: new Int64(),
            length: n,
            data: BigInt64Array.from({ length: n }, (_, i) => BigInt(first + i)),
          }),
        ),
      });
    await writeTable(dir, ids(0, 10), { mode: 'create' });
    const writer = fileURLToPath(new URL('./fixtures/append-writer.ts', import.meta.url));
    const startAt = Date.now() + 1500;
    const processes = 4;
    const outputs = await Promise.all(
      Array.from({ length: processes }, (_, w) =>
        run(process.execPath, [writer, dir, String(1000 * (w + 1)), '100', String(startAt)]).then(
          (r) => JSON.parse(r.stdout) as { version: number },
        ),
      ),
    );
    expect(outputs.map((o) => o.version).sort()).toEqual([1, 2, 3, 4]);
    const read = await (await (await openTable(dir)).snapshot()).toArrow();
    expect(read.numRows).toBe(10 + processes * 100);
    expect(new Set([...(read.getChild('id') as Iterable<bigint>)]).size).toBe(read.numRows);
  });

  it('overwrites: old files removed, new rows only', async () => {
    const dir = freshDir();
    await writeTable(dir, orders(500, 1), { mode: 'create' });
    const result = await writeTable(dir, orders(40, 2, 10_000), { mode: 'overwrite' });
    expect(result.removed).toBe(1);
    const read = await (await (await openTable(dir)).snapshot()).toArrow({ columns: ['order_id'] });
    expect([...(read.getChild('order_id') as Iterable<bigint>)].every((id) => id >= 10_000n)).toBe(true);
    expect(read.numRows).toBe(40);
  });

  it('refuses a create over a table, an append of other columns, and an unknown partition column', async () => {
    const dir = freshDir();
    await writeTable(dir, orders(10), { mode: 'create' });
    await expect(writeTable(dir, orders(10), { mode: 'create' })).rejects.toMatchObject({ code: 'table-exists' });
    const other = new Table({ x: vectorFromArray([1, 2], new Int32()) });
    const error = await writeTable(dir, other, { mode: 'append' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeltaError);
    expect(error).toMatchObject({ code: 'schema-mismatch' });
    expect((error as DeltaError).hint).toContain('customer_id');
    await expect(writeTable(freshDir(), orders(10), { mode: 'create', partitionBy: ['nope'] })).rejects.toMatchObject({
      code: 'unknown-column',
    });
  });

  it('leaves no visible version when the writer dies before its commit', async () => {
    const dir = freshDir();
    await writeTable(dir, orders(100, 1), { mode: 'create', partitionBy: ['order_date'] });
    const local = new LocalStorage(dir);
    // The process "dies" at the commit: data files are written, the commit never is.
    const dying: Storage = Object.assign(Object.create(local) as Storage, {
      putIfAbsent: async () => {
        throw new Error('killed');
      },
    });
    await expect(writeTable(dying, orders(300, 2, 5000), { mode: 'append' })).rejects.toThrow('killed');
    const parquetFiles = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.parquet'));
    const snapshot = await (await openTable(dir)).snapshot();
    expect(snapshot.version).toBe(0);
    expect(parquetFiles.length).toBeGreaterThan(snapshot.files().length);
    expect((await snapshot.toArrow()).numRows).toBe(100);
  });

  it('retries a blind append past concurrent appends but refuses past a metadata change or under overwrite', async () => {
    const dir = freshDir();
    await writeTable(dir, orders(10), { mode: 'create' });
    await writeTable(dir, orders(10, 2, 100), { mode: 'append' });
    const storage = new LocalStorage(dir);
    const body = () => new TextEncoder().encode(`${JSON.stringify({ commitInfo: { operation: 'TEST' } })}\n`);
    // Read at version 0; version 1 (an append) was taken meanwhile.
    expect(await commit(storage, 0, 'append', body, 5)).toEqual({ version: 2, attempts: 2 });
    await expect(commit(storage, 0, 'serializable', body, 5)).rejects.toMatchObject({ code: 'commit-conflict' });
    await writeTable(dir, orders(10, 3, 200), { mode: 'overwrite' });
    const actions = parseCommit(await storage.get(commitKey(3)), commitKey(3));
    expect(actions.some((a) => a.type === 'remove')).toBe(true);
    // A schema change at version 4 conflicts with an append that read version 3.
    await writeTable(dir, new Table({ y: vectorFromArray(['a'], new Utf8()) }), {
      mode: 'overwrite',
      overwriteSchema: true,
    });
    await expect(commit(storage, 3, 'append', body, 5)).rejects.toMatchObject({ code: 'commit-conflict' });
  });

  it('writes bounds that stay bounds: long strings get a prefix minimum and no maximum; timestamp_ntz gets its table feature', async () => {
    const dir = freshDir();
    const long = `${'z'.repeat(40)}-tail`;
    const micros = BigInt64Array.from([1_700_000_000_123_456n, 1_700_000_000_999_999n]);
    const data = new Table({
      s: vectorFromArray(['a', long], new Utf8()),
      t: makeVector(makeData({ type: new TimestampMicrosecond(), length: 2, data: micros })),
    });
    await writeTable(dir, data, { mode: 'create' });
    const snapshot = await (await openTable(dir)).snapshot();
    expect(snapshot.protocol).toMatchObject({
      minReaderVersion: 3,
      minWriterVersion: 7,
      readerFeatures: ['timestampNtz'],
    });
    const stats = snapshot.files()[0]?.stats;
    expect(stats?.minValues?.s).toBe('a');
    expect(stats?.maxValues).not.toHaveProperty('s');
    // 1_700_000_000_123_456 us: the minimum is cut to .123, the maximum (…999_999 us) rounded up to the next ms.
    expect(stats?.minValues?.t).toBe('2023-11-14T22:13:20.123');
    expect(stats?.maxValues?.t).toBe('2023-11-14T22:13:21.000');
    expect(canonicalHash(await snapshot.toArrow())).toBe(canonicalHash(data));
    // A predicate on the maximum still finds the row the millisecond bound would otherwise exclude.
    expect((await snapshot.toArrow({ where: "t >= '2023-11-14 22:13:20.999999'" })).numRows).toBe(1);
  });

  it('floors a pre-1970 sub-millisecond minimum and ceils its maximum, so both stay bounds', async () => {
    const dir = freshDir();
    // -1,500 us is 1969-12-31T23:59:59.998500Z: -1.5 ms, floored to -2 ms (.998); cutting toward zero would give
    // .999, above the value. -500 us is -0.5 ms, ceiled to 0 (1970-01-01T00:00:00.000).
    const micros = () => BigInt64Array.from([-1_500n, -500n]);
    const data = new Table({
      ts: makeVector(makeData({ type: new TimestampMicrosecond('UTC'), length: 2, data: micros() })),
      ntz: makeVector(makeData({ type: new TimestampMicrosecond(), length: 2, data: micros() })),
    });
    await writeTable(dir, data, { mode: 'create' });
    const snapshot = await (await openTable(dir)).snapshot();
    const stats = snapshot.files()[0]?.stats;
    expect(stats?.minValues).toEqual({ ts: '1969-12-31T23:59:59.998Z', ntz: '1969-12-31T23:59:59.998' });
    expect(stats?.maxValues).toEqual({ ts: '1970-01-01T00:00:00.000Z', ntz: '1970-01-01T00:00:00.000' });
    // File skipping trusts the minimum: the row at the minimum itself is still found.
    expect((await snapshot.toArrow({ where: "ntz <= '1969-12-31 23:59:59.9985'" })).numRows).toBe(1);
  });

  it('commits an empty write as a table with a schema and no files', async () => {
    const dir = freshDir();
    const result = await writeTable(dir, orders(0), { mode: 'create', partitionBy: ['order_date'] });
    expect(result).toMatchObject({ version: 0, rows: 0, added: [] });
    const snapshot = await (await openTable(dir)).snapshot();
    expect(snapshot.files()).toHaveLength(0);
    expect(snapshot.schema.fields.map((f) => f.name)).toContain('address');
  });

  it('orders string statistics by code point, so a scan for an emoji next to a full-width letter finds its row', async () => {
    const dir = freshDir();
    // U+FF21 is one UTF-16 unit above the surrogates of U+1F680, but below it by code point (UTF-8 bytes).
    const data = new Table({ s: vectorFromArray(['\uFF21', '🚀 launch', 'a'], new Utf8()) });
    await writeTable(dir, data, { mode: 'create' });
    const snapshot = await (await openTable(dir)).snapshot();
    const stats = snapshot.files()[0]?.stats;
    expect(stats?.minValues?.s).toBe('a');
    expect(stats?.maxValues?.s).toBe('🚀 launch');
    expect((await snapshot.toArrow({ where: "s = '🚀 launch'" })).numRows).toBe(1);
    expect((await snapshot.toArrow({ where: "s > '\uFF21'" })).numRows).toBe(1);
  });

  it("keeps the table's schema and partitioning on overwrite unless overwriteSchema is set", async () => {
    const dir = freshDir();
    const rows = (ids: number[], cats: string[]) =>
      new Table({ id: vectorFromArray(ids, new Int32()), cat: vectorFromArray(cats, new Utf8()) });
    await writeTable(dir, rows([1, 2], ['a', 'b']), { mode: 'create', partitionBy: ['cat'] });
    await writeTable(dir, rows([3], ['c']), { mode: 'overwrite' });
    let snapshot = await (await openTable(dir)).snapshot();
    expect(snapshot.partitionColumns).toEqual(['cat']);
    expect(snapshot.files().map((f) => f.partitionValues)).toEqual([{ cat: 'c' }]);

    const longs = new Table({ id: vectorFromArray([4n], new Int64()), cat: vectorFromArray(['d'], new Utf8()) });
    await expect(writeTable(dir, longs, { mode: 'overwrite' })).rejects.toMatchObject({
      code: 'schema-mismatch',
      hint: expect.stringContaining('overwriteSchema'),
    });
    await expect(writeTable(dir, rows([5], ['e']), { mode: 'overwrite', partitionBy: [] })).rejects.toMatchObject({
      code: 'schema-mismatch',
    });
    snapshot = await (await openTable(dir)).snapshot();
    expect(snapshot.schema.fields.find((f) => f.name === 'id')?.type).toEqual({ kind: 'primitive', name: 'integer' });

    await writeTable(dir, longs, { mode: 'overwrite', overwriteSchema: true, partitionBy: [] });
    snapshot = await (await openTable(dir)).snapshot();
    expect(snapshot.partitionColumns).toEqual([]);
    expect(snapshot.schema.fields.find((f) => f.name === 'id')?.type).toEqual({ kind: 'primitive', name: 'long' });
    expect((await snapshot.toArrow()).numRows).toBe(1);
  });

  it('writes timestamp partition values in ISO form with Z (UTC), and timestamp_ntz ones without a zone', async () => {
    const dir = freshDir();
    const us = BigInt64Array.from([3_600_123_456n, 3_600_123_456n, -1n]);
    const data = new Table({
      ts: makeVector(makeData({ type: new TimestampMicrosecond('UTC'), length: 3, data: us })),
      ntz: makeVector(makeData({ type: new TimestampMicrosecond(), length: 3, data: us })),
      v: vectorFromArray([1, 2, 3], new Int32()),
    });
    await writeTable(dir, data, { mode: 'create', partitionBy: ['ts', 'ntz'] });
    const snapshot = await (await openTable(dir)).snapshot();
    const values = snapshot.files().map((f) => f.partitionValues);
    expect(values).toContainEqual({ ts: '1970-01-01T01:00:00.123456Z', ntz: '1970-01-01 01:00:00.123456' });
    expect(values).toContainEqual({ ts: '1969-12-31T23:59:59.999999Z', ntz: '1969-12-31 23:59:59.999999' });
    const read = await snapshot.toArrow();
    expect(canonicalHash(read)).toBe(
      canonicalHash(data.select(read.schema.fields.map((f) => f.name) as ('v' | 'ts' | 'ntz')[])),
    );
  });

  it('reports progress after each data file, before the commit', async () => {
    const dir = freshDir();
    const seen: { filesWritten: number; files: number; bytesWritten: number }[] = [];
    const result = await writeTable(dir, orders(400), {
      mode: 'create',
      partitionBy: ['order_date'],
      maxRowsPerFile: 50,
      onProgress: (p) => seen.push({ ...p }),
    });
    expect(seen.map((p) => p.filesWritten)).toEqual(Array.from({ length: result.added.length }, (_, i) => i + 1));
    expect(seen.every((p) => p.files === result.added.length)).toBe(true);
    expect(seen.at(-1)?.bytesWritten).toBe(result.added.reduce((s, a) => s + a.size, 0));
  });
});

/** The least and greatest of some bigints (Math.min and Math.max take numbers only). */
function bounds(values: readonly bigint[]): [bigint, bigint] {
  const sorted = values.toSorted((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const [least, greatest] = [sorted[0], sorted.at(-1)];
  if (least === undefined || greatest === undefined) throw new Error('no values');
  return [least, greatest];
}
