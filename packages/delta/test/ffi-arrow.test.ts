import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  Field as ArrowField,
  type DataType,
  Dictionary,
  type Field,
  FixedSizeList,
  Float64,
  Int32,
  LargeBinary,
  LargeList,
  LargeUtf8,
  makeData,
  Null,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimeMicrosecond,
  TimeMillisecond,
  tableToIPC,
  Utf8,
  Vector,
  vectorFromArray,
} from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DecodedParquet, type DecodeOptions, decodeParquet } from '../src/parquet/decode.ts';
import { encodeIPCToParquet } from '../src/parquet/encode.ts';
import { copiedToTable, decodedToTable } from '../src/parquet/ffi-arrow.ts';
import { copiedBuffers, copyStream, readCopyableSchema } from '../src/parquet/ffi-copy.ts';

/*
 * The C data interface reader (parquet/ffi-copy.ts, ffi-arrow.ts) against the IPC path it replaces, on parquet-wasm's
 * own output: every type a scan can meet, with nulls, in several batches, must come out with the same schema, the
 * same values and the same nulls.
 */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meridian-ffi-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A field's type, flags and metadata, recursively, as plain data (apache-arrow keeps type parameters as fields). */
function describeField(field: Field): unknown {
  const type = field.type as DataType & Record<string, unknown>;
  const params = Object.entries(type).filter(
    ([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v),
  );
  return {
    name: field.name,
    nullable: field.nullable,
    type: String(type),
    typeId: type.typeId,
    params: Object.fromEntries(params),
    metadata: [...field.metadata],
    children: (type.children ?? []).map(describeField),
  };
}

/** A value as plain data: vectors and rows recursively, typed arrays as arrays. */
function plain(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (Array.isArray(value)) return value.map(plain);
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<unknown>);
  if (value instanceof Map) return [...value].map(([k, v]) => [plain(k), plain(v)]);
  if (value instanceof Vector) return [...value].map(plain);
  // Struct and map rows are proxies whose `in` sees only their fields: their toJSON is looked up directly.
  if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return Object.entries((value as { toJSON(): object }).toJSON()).map(([k, v]) => [k, plain(v)]);
  }
  return value;
}

/** Null counts of a column and of each child, batch by batch. */
function nullCounts(column: Vector): unknown {
  const walk = (data: Vector['data'][number]): unknown => [data.length, data.nullCount, data.children.map(walk)];
  return column.data.map(walk);
}

async function bothWays(
  bytes: Uint8Array,
  options: DecodeOptions,
): Promise<{ ffi: DecodedParquet; ipc: DecodedParquet }> {
  const ffi = await decodeParquet(bytes.slice(), options, 'ffi');
  const ipc = await decodeParquet(bytes.slice(), options, 'ipc');
  return { ffi, ipc };
}

function expectSameTables(ffiTable: Table, ipcTable: Table): void {
  expect(ffiTable.schema.fields.map(describeField)).toEqual(ipcTable.schema.fields.map(describeField));
  expect([...ffiTable.schema.metadata]).toEqual([...ipcTable.schema.metadata]);
  expect(ffiTable.numRows).toBe(ipcTable.numRows);
  expect(ffiTable.batches.length).toBe(ipcTable.batches.length);
  for (const field of ipcTable.schema.fields) {
    const ffiColumn = ffiTable.getChild(field.name) as Vector;
    const ipcColumn = ipcTable.getChild(field.name) as Vector;
    expect(nullCounts(ffiColumn), field.name).toEqual(nullCounts(ipcColumn));
    const ffiValues = [...ffiColumn].map(plain);
    const ipcValues = [...ipcColumn].map(plain);
    expect(ffiValues, field.name).toEqual(ipcValues);
  }
}

describe('the Arrow C data interface reader', () => {
  it('reads what DuckDB writes as the IPC path does: ints, floats, bool, text, binary, decimal, dates, timestamps, struct, list, map, uuid', async () => {
    const file = join(dir, 'duckdb-types.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      // Every seventh row null in each column, values that differ row to row, 5,000 rows in row groups of at most 2,048 (DuckDB rounds the 1,500 up).
      await connection.run(`COPY (
        SELECT
          CASE WHEN i % 7 = 0 THEN NULL ELSE (i % 120)::TINYINT END AS i8,
          CASE WHEN i % 7 = 1 THEN NULL ELSE (i * 3 % 30000)::SMALLINT END AS i16,
          CASE WHEN i % 7 = 2 THEN NULL ELSE (i * 77 - 100000)::INTEGER END AS i32,
          CASE WHEN i % 7 = 3 THEN NULL ELSE (i * 1000000007 - 9)::BIGINT END AS i64,
          (i % 250)::UTINYINT AS u8,
          (i * 13 % 65000)::USMALLINT AS u16,
          (i * 100003)::UINTEGER AS u32,
          (i * 1000000009)::UBIGINT AS u64,
          CASE WHEN i % 7 = 4 THEN NULL ELSE (i / 3.0)::FLOAT END AS f32,
          CASE WHEN i % 7 = 5 THEN NULL ELSE i / 7.0 END AS f64,
          CASE WHEN i % 7 = 6 THEN NULL ELSE i % 3 = 0 END AS flag,
          CASE WHEN i % 5 = 0 THEN NULL ELSE 'row ' || i || repeat('x', i % 11) END AS text,
          CASE WHEN i % 5 = 1 THEN NULL ELSE ('\\x' || lpad(printf('%x', i % 255), 2, '0'))::BLOB END AS blob,
          CASE WHEN i % 5 = 2 THEN NULL ELSE (i * 12345.6789 - 30000000)::DECIMAL(38, 4) END AS dec38,
          CASE WHEN i % 5 = 3 THEN NULL ELSE (i / 100.0)::DECIMAL(9, 2) END AS dec9,
          CASE WHEN i % 5 = 4 THEN NULL ELSE DATE '1969-12-01' + i::INTEGER END AS day,
          TIMESTAMP '2024-01-01 00:00:00' + to_microseconds(i * 1000003) AS ts,
          CASE WHEN i % 3 = 0 THEN NULL ELSE TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_microseconds(i * 999) END AS tstz,
          (TIMESTAMP '2024-01-01 00:00:00' + to_milliseconds(i))::TIMESTAMP_MS AS ts_ms,
          (TIMESTAMP '2024-01-01 00:00:00' + to_seconds(i))::TIMESTAMP_S AS ts_s,
          (TIMESTAMP '2024-01-01 00:00:00' + to_microseconds(i))::TIMESTAMP_NS AS ts_ns,
          CASE WHEN i % 4 = 0 THEN NULL ELSE {'a': i, 'b': CASE WHEN i % 3 = 0 THEN NULL ELSE 'b' || i END, 'c': {'d': i % 2 = 0}} END AS st,
          CASE WHEN i % 6 = 0 THEN NULL ELSE list_transform(range(i % 5), x -> CASE WHEN x = 2 THEN NULL ELSE x + i END) END AS ints,
          CASE WHEN i % 6 = 1 THEN NULL ELSE list_transform(range(i % 4), x -> 's' || x) END AS strings,
          CASE WHEN i % 6 = 2 THEN NULL ELSE list_transform(range(i % 3), x -> {'k': x, 'v': [x, i]}) END AS nested,
          CASE WHEN i % 6 = 3 THEN NULL ELSE MAP(list_transform(range(i % 4), x -> 'k' || x), list_transform(range(i % 4), x -> CASE WHEN x = 1 THEN NULL ELSE x * i END)) END AS m,
          CASE WHEN i % 8 = 0 THEN NULL ELSE md5(i::VARCHAR)::UUID END AS id
        FROM range(5000) t(i)
      ) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 1500)`);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    const bytes = new Uint8Array(await readFile(file));
    for (const options of [
      { batchSize: 1024 },
      { batchSize: 700, rowGroups: [0, 2] },
      { columns: ['st', 'm', 'text'] },
    ]) {
      const { ffi, ipc } = await bothWays(bytes, options);
      expect('copied' in ffi).toBe(true);
      expect('ipc' in ipc).toBe(true);
      expectSameTables(decodedToTable(ffi), decodedToTable(ipc));
    }
  });

  it('reads what parquet-wasm writes from Arrow as the IPC path does: large text, binary and lists, null, time, fixed-size lists', async () => {
    const rows = 3000;
    const pick = <T>(make: (i: number) => T, nullEvery: number): (T | null)[] =>
      Array.from({ length: rows }, (_, i) => (i % nullEvery === 0 ? null : make(i)));
    const intChild = new ArrowField('item', new Int32(), true);
    const columns: Record<string, Vector> = {
      large_text: vectorFromArray(
        pick((i) => `large ${i} ${'y'.repeat(i % 9)}`, 4),
        new LargeUtf8(),
      ),
      large_blob: vectorFromArray(
        pick((i) => new Uint8Array([i & 255, (i >> 8) & 255, 7]), 5),
        new LargeBinary(),
      ),
      large_list: vectorFromArray(
        pick((i) => Array.from({ length: i % 4 }, (_, k) => (k === 1 ? null : i + k)), 3),
        new LargeList(intChild),
      ),
      nothing: vectorFromArray(new Array<null>(rows).fill(null), new Null()),
      time_ms: vectorFromArray(
        pick((i) => (i * 1001) % 86_400_000, 6),
        new TimeMillisecond(),
      ),
      time_us: vectorFromArray(
        pick((i) => BigInt(i) * 1_000_003n, 7),
        new TimeMicrosecond(),
      ),
      pair: vectorFromArray(
        pick((i) => [i, i % 3 === 0 ? null : -i], 5),
        new FixedSizeList(2, intChild),
      ),
      small: vectorFromArray(
        pick((i) => i * 0.5, 9),
        new Float64(),
      ),
    };
    const table = new Table(columns);
    const bytes = encodeIPCToParquet(tableToIPC(table, 'stream'), { compression: 'zstd', rowGroupRows: 1000 });
    for (const options of [{ batchSize: 512 }, { batchSize: 999, rowGroups: [2] }]) {
      const { ffi, ipc } = await bothWays(bytes, options);
      expect('copied' in ffi).toBe(true);
      expectSameTables(decodedToTable(ffi), decodedToTable(ipc));
    }
  });

  it('keeps the IPC path for a type it does not read (a dictionary), with the same result', async () => {
    const rows = 2000;
    const dictionary = vectorFromArray(['red', 'green', 'blue'], new Utf8());
    const type = new Dictionary(new Utf8(), new Int32());
    const indices = Int32Array.from({ length: rows }, (_, i) => i % 3);
    const data = makeData({ type, length: rows, nullCount: 0, data: indices, dictionary });
    const schema = new Schema([new ArrowField('colour', type, false)]);
    const batch = new RecordBatch(
      schema,
      makeData({ type: new Struct(schema.fields), length: rows, children: [data] }),
    );
    const bytes = encodeIPCToParquet(tableToIPC(new Table([batch]), 'stream'), {
      compression: 'none',
      rowGroupRows: rows,
    });
    const { ffi, ipc } = await bothWays(bytes, {});
    const ffiTable = decodedToTable(ffi);
    // parquet-wasm gives the dictionary back (the embedded Arrow schema asks for it): read through IPC, not here.
    expect(String(ffiTable.schema.fields[0]?.type)).toBe('Dictionary<Int32, Utf8>');
    expect('ipc' in ffi).toBe(true);
    expectSameTables(ffiTable, decodedToTable(ipc));
  });

  it('honours offsets of arrays and of their parents, a null count of -1, and an absent bitmap, and keeps no view of the memory', () => {
    // C structs laid out by hand in a wasm memory, as a wasm32 exporter lays them out (ffi-copy.ts): parquet-wasm
    // exports whole arrays, so offsets are made here.
    const memory = new WebAssembly.Memory({ initial: 1 });
    const view = new DataView(memory.buffer);
    const bytes = new Uint8Array(memory.buffer);
    let top = 8;
    const alloc = (size: number): number => {
      const at = Math.ceil(top / 8) * 8;
      top = at + size;
      return at;
    };
    const cString = (text: string): number => {
      const at = alloc(text.length + 1);
      bytes.set(new TextEncoder().encode(text), at);
      return at;
    };
    const pointers = (list: number[]): number => {
      const at = alloc(4 * list.length);
      for (const [i, p] of list.entries()) view.setUint32(at + 4 * i, p, true);
      return at;
    };
    const words = (list: number[], width: 4 | 1 = 4): number => {
      const at = alloc(width * list.length);
      for (const [i, v] of list.entries()) {
        if (width === 4) view.setInt32(at + 4 * i, v, true);
        else view.setUint8(at + i, v);
      }
      return at;
    };
    const schema = (format: string, name: string, children: number[] = []): number => {
      const at = alloc(48);
      view.setUint32(at, cString(format), true);
      view.setUint32(at + 4, cString(name), true);
      view.setBigInt64(at + 16, 2n, true); // nullable
      view.setBigInt64(at + 24, BigInt(children.length), true);
      view.setUint32(at + 32, children.length ? pointers(children) : 0, true);
      return at;
    };
    const array = (length: number, nullCount: number, offset: number, buffers: number[], children: number[] = []) => {
      const at = alloc(64);
      view.setBigInt64(at, BigInt(length), true);
      view.setBigInt64(at + 8, BigInt(nullCount), true);
      view.setBigInt64(at + 16, BigInt(offset), true);
      view.setBigInt64(at + 24, BigInt(buffers.length), true);
      view.setBigInt64(at + 32, BigInt(children.length), true);
      view.setUint32(at + 40, pointers(buffers), true);
      view.setUint32(at + 44, children.length ? pointers(children) : 0, true);
      return at;
    };
    const root = schema('+s', '', [
      schema('i', 'n'),
      schema('u', 's'),
      schema('+l', 'l', [schema('i', 'item')]),
      schema('b', 'flag'),
    ]);
    // The struct starts at its element 1: each child is read from its own offset plus 1.
    const ints = array(6, -1, 2, [words([0b11011011], 1), words([10, 11, 12, 13, 14, 15, 16, 17])]);
    const text = new TextEncoder().encode('abbcccddddeeeee');
    const textData = alloc(text.length);
    bytes.set(text, textData);
    const strings = array(5, 0, 0, [0, words([0, 1, 3, 6, 10, 15]), textData]);
    const items = array(7, 0, 1, [0, words([0, 1, 2, 3, 4, 5, 6, 7, 8])]);
    const lists = array(5, 1, 0, [words([0b11111011], 1), words([0, 2, 2, 5, 6, 7])], [items]);
    const flags = array(5, 0, 3, [0, words([0b10101100, 0b1], 1)]);
    const batch = array(4, 0, 1, [0], [ints, strings, lists, flags]);

    const field = readCopyableSchema(memory, root);
    expect(field).toBeDefined();
    const copied = copyStream(
      memory,
      { numArrays: () => 1, arrayAddr: () => batch, schemaAddr: () => root },
      field as never,
    );
    bytes.fill(0xff, 8, top); // the export is gone: nothing read may change
    const table = copiedToTable(copied);
    expect(table.getChild('n')?.toArray().length).toBe(4);
    expect([...(table.getChild('n') as Vector)]).toEqual([13, 14, null, 16]);
    expect(table.getChild('n')?.nullCount).toBe(1);
    expect([...(table.getChild('s') as Vector)]).toEqual(['bb', 'ccc', 'dddd', 'eeeee']);
    expect([...(table.getChild('l') as Vector)].map(plain)).toEqual([[], null, [6], [7]]);
    // bits 4..7 of 0b10101100 from the flags' offset 3 plus the struct's 1: 0, 1, 0, 1.
    expect([...(table.getChild('flag') as Vector)]).toEqual([false, true, false, true]);
    for (const buffer of copiedBuffers(copied)) expect(buffer).not.toBe(memory.buffer);

    // A buffer running past the end of the memory is refused, not cut short into a column of garbage.
    const pastRoot = schema('+s', '', [schema('i', 'n')]);
    const past = array(6, 0, 0, [0, memory.buffer.byteLength - 8]);
    const pastBatch = array(6, 0, 0, [0], [past]);
    const pastField = readCopyableSchema(memory, pastRoot);
    expect(pastField).toBeDefined();
    expect(() =>
      copyStream(
        memory,
        { numArrays: () => 1, arrayAddr: () => pastBatch, schemaAddr: () => pastRoot },
        pastField as never,
      ),
    ).toThrow(/24 bytes at 65528 lies outside wasm memory/);
  });
});
