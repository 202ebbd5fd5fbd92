import { mkdtemp, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Field,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { Table as WasmTable, writeParquet } from 'parquet-wasm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeltaError, openTable, type WriteOptions, writeTable } from '../src/index.ts';
import { decodeError } from '../src/parquet/wasm.ts';
import { planScan, readFile } from '../src/scan/file-read.ts';
import { tempTable } from './support/delta-log.ts';

// Broken and hostile tables (issue 16, items 2, 3, 7, 8): a data file that does not match the log, an empty
// commit, a symlink out of the table, a parquet decompression bomb. Each must be a DeltaError naming the file,
// never rows that look valid.

function parquet(table: Table): Uint8Array {
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(table, 'stream')));
}

const protocol = { protocol: { minReaderVersion: 1, minWriterVersion: 2 } };

function metaData(fields: { name: string; type: string; nullable: boolean }[]): object {
  return {
    metaData: {
      id: 'hostile',
      format: { provider: 'parquet', options: {} },
      schemaString: JSON.stringify({ type: 'struct', fields: fields.map((f) => ({ ...f, metadata: {} })) }),
      partitionColumns: [],
      configuration: {},
      createdTime: 0,
    },
  };
}

function addOf(path: string, bytes: Uint8Array, numRecords: number | undefined): object {
  return {
    add: {
      path,
      partitionValues: {},
      size: bytes.length,
      modificationTime: 0,
      dataChange: true,
      ...(numRecords === undefined ? {} : { stats: JSON.stringify({ numRecords }) }),
    },
  };
}

const orders = new Table({
  id: vectorFromArray([1n, 2n, 3n], new Int64()),
  name: vectorFromArray(['a', 'b', 'c'], new Utf8()),
});
const ordersSchema = [
  { name: 'id', type: 'long', nullable: false },
  { name: 'name', type: 'string', nullable: false },
];

let t: Awaited<ReturnType<typeof tempTable>>;
let outside: string;
beforeEach(async () => {
  t = await tempTable();
  outside = await mkdtemp(join(tmpdir(), 'meridian-outside-'));
});
afterEach(async () => {
  await rm(t.root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

/** The DeltaError a full read of the table's latest snapshot fails with, through both read paths. */
async function readErrors(root: string, options: { maxDecodedBytes?: number } = {}): Promise<DeltaError[]> {
  const errors: DeltaError[] = [];
  const snap = await (await openTable(root)).snapshot();
  for (const read of [
    async () => snap.toArrow(options),
    async () => {
      // The per-file reader change data feed reads through.
      const ctx = snap.scanContext();
      const plan = planScan(ctx, options);
      for (const file of snap.files()) for await (const _ of readFile(ctx, plan, file)) void _;
    },
  ]) {
    try {
      await read();
    } catch (error) {
      if (!(error instanceof DeltaError)) throw error;
      errors.push(error);
      continue;
    }
    throw new Error('expected the read to fail');
  }
  return errors;
}

describe('a data file that does not match its add action', () => {
  it('another table’s file swapped in (another size) is refused, naming the file', async () => {
    const mine = parquet(orders);
    await t.commit(0, [protocol, metaData(ordersSchema), addOf('part-0.parquet', mine, 3)]);
    const other = parquet(
      new Table({
        x: vectorFromArray(
          Array.from({ length: 10 }, (_, i) => i),
          new Int32(),
        ),
      }),
    );
    await writeFile(join(t.root, 'part-0.parquet'), other);
    for (const error of await readErrors(t.root)) {
      expect(error.code).toBe('data-file-mismatch');
      expect(error.path).toContain('part-0.parquet');
      expect(error.message).toContain(`${mine.length}`);
      expect(error.message).toContain(`${other.length}`);
    }
  });

  it('a file whose row count differs from numRecords is refused before decoding', async () => {
    const bytes = parquet(orders);
    await t.commit(0, [protocol, metaData(ordersSchema), addOf('part-0.parquet', bytes, 2)]);
    await writeFile(join(t.root, 'part-0.parquet'), bytes);
    for (const error of await readErrors(t.root)) {
      expect(error.code).toBe('data-file-mismatch');
      expect(error.message).toMatch(/3 rows.*numRecords 2|numRecords 2.*3 rows/);
    }
  });

  it('a file that lacks a NOT NULL column of the table is refused (no NULLs made up)', async () => {
    const bytes = parquet(new Table({ id: vectorFromArray([1n, 2n, 3n], new Int64()) }));
    await t.commit(0, [protocol, metaData(ordersSchema), addOf('part-0.parquet', bytes, 3)]);
    await writeFile(join(t.root, 'part-0.parquet'), bytes);
    for (const error of await readErrors(t.root)) {
      expect(error.code).toBe('data-file-mismatch');
      expect(error.message).toContain("'name'");
      expect(error.path).toContain('part-0.parquet');
    }
  });

  it('a file that lacks a nullable column still reads it as NULL (columns added later)', async () => {
    const bytes = parquet(new Table({ id: vectorFromArray([1n, 2n, 3n], new Int64()) }));
    const schema = [
      { name: 'id', type: 'long', nullable: false },
      { name: 'note', type: 'string', nullable: true },
    ];
    await t.commit(0, [protocol, metaData(schema), addOf('part-0.parquet', bytes, 3)]);
    await writeFile(join(t.root, 'part-0.parquet'), bytes);
    const table = await (await openTable(t.root)).snapshot().then((s) => s.toArrow());
    expect(table.numRows).toBe(3);
    expect(table.getChild('note')?.nullCount).toBe(3);
  });
});

describe('a commit file that is empty or not a commit', () => {
  it('a 0-byte commit is an error naming the file, not an empty version', async () => {
    const bytes = parquet(orders);
    await t.commit(0, [protocol, metaData(ordersSchema), addOf('part-0.parquet', bytes, 3)]);
    await writeFile(join(t.root, 'part-0.parquet'), bytes);
    await writeFile(join(t.root, '_delta_log', `${'1'.padStart(20, '0')}.json`), '');
    const error = await (await openTable(t.root))
      .snapshot()
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeltaError);
    expect((error as DeltaError).code).toBe('invalid-log');
    expect((error as DeltaError).path).toContain('00000000000000000001.json');
    expect((error as DeltaError).message).toContain('empty');
  });

  it('a commit line that is JSON but not an action object is an error naming the file and line', async () => {
    await t.commit(0, [protocol, metaData(ordersSchema)]);
    await writeFile(join(t.root, '_delta_log', `${'1'.padStart(20, '0')}.json`), '{"commitInfo":{}}\n42\n');
    const error = await (await openTable(t.root))
      .snapshot()
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect((error as DeltaError).code).toBe('invalid-log');
    expect((error as DeltaError).message).toContain('line 2');
  });
});

describe('an add action with an impossible size', () => {
  it.each([-5, 1.5, '"12x"', null])('size %s is invalid-log naming the file and the value', async (size) => {
    await t.commit(0, [protocol, metaData(ordersSchema)]);
    await writeFile(
      join(t.root, '_delta_log', `${'1'.padStart(20, '0')}.json`),
      `{"add":{"path":"part-0.parquet","partitionValues":{},"size":${size},"modificationTime":0,"dataChange":true}}\n`,
    );
    const error = await (await openTable(t.root))
      .snapshot()
      .then((s) => s.toArrow())
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeltaError);
    expect((error as DeltaError).code).toBe('invalid-log');
    expect((error as DeltaError).message).toContain('size');
    expect((error as DeltaError).path).toContain('00000000000000000001.json');
  });
});

describe('symlinks inside the table directory', () => {
  it('a data file that links outside the table root is refused', async () => {
    const bytes = parquet(orders);
    await writeFile(join(outside, 'secret.parquet'), bytes);
    await t.commit(0, [protocol, metaData(ordersSchema), addOf('part-0.parquet', bytes, 3)]);
    await symlink(join(outside, 'secret.parquet'), join(t.root, 'part-0.parquet'));
    for (const error of await readErrors(t.root)) {
      expect(error.code).toBe('outside-table');
      expect(error.path).toContain('part-0.parquet');
    }
  });

  it('a commit file, or the log folder, that links outside the table root is refused, naming the commit', async () => {
    const bytes = parquet(orders);
    await writeFile(join(t.root, 'part-0.parquet'), bytes);
    await t.commit(0, [protocol, metaData(ordersSchema), addOf('part-0.parquet', bytes, 3)]);
    // A commit that would add a file of another table's, kept outside this one.
    await writeFile(join(outside, 'evil.json'), `${JSON.stringify(addOf('../secret.parquet', bytes, 3))}\n`);
    await symlink(join(outside, 'evil.json'), join(t.root, '_delta_log', '00000000000000000001.json'));
    const byName = await (await openTable(t.root)).snapshot().catch((e: unknown) => e);
    expect(byName).toMatchObject({ code: 'outside-table', path: expect.stringContaining('00000000000000000001.json') });
    // The whole log folder moved outside and linked back: every commit read goes through the link.
    await rm(join(t.root, '_delta_log', '00000000000000000001.json'));
    await rename(join(t.root, '_delta_log'), join(outside, '_delta_log'));
    await symlink(join(outside, '_delta_log'), join(t.root, '_delta_log'));
    const byFolder = await (await openTable(t.root)).snapshot().catch((e: unknown) => e);
    expect(byFolder).toMatchObject({ code: 'outside-table', path: expect.stringContaining('_delta_log/') });
  });

  it('a link that stays inside the table root is followed', async () => {
    const bytes = parquet(orders);
    await writeFile(join(t.root, 'real.parquet'), bytes);
    await symlink(join(t.root, 'real.parquet'), join(t.root, 'part-0.parquet'));
    await t.commit(0, [protocol, metaData(ordersSchema), addOf('part-0.parquet', bytes, 3)]);
    const table = await (await openTable(t.root)).snapshot().then((s) => s.toArrow());
    expect(table.numRows).toBe(3);
  });
});

describe('a parquet decompression bomb', () => {
  // Two million null INT32 values compress to a few kilobytes and decode to 8 MB and more.
  const rows = 2_000_000;
  function bomb(): Uint8Array {
    const schema = new Schema([new Field('id', new Int32(), true)]);
    const child = makeData({
      type: new Int32(),
      length: rows,
      nullCount: rows,
      nullBitmap: new Uint8Array(Math.ceil(rows / 8)),
      data: new Int32Array(rows),
    });
    const batch = new RecordBatch(
      schema,
      makeData({ type: new Struct(schema.fields), length: rows, nullCount: 0, children: [child] }),
    );
    return parquet(new Table([batch]));
  }
  const schema = [{ name: 'id', type: 'integer', nullable: true }];

  it('footer row counts above the log’s numRecords are refused before decoding', async () => {
    const bytes = bomb();
    expect(bytes.length).toBeLessThan(100_000);
    await t.commit(0, [protocol, metaData(schema), addOf('part-0.parquet', bytes, 1)]);
    await writeFile(join(t.root, 'part-0.parquet'), bytes);
    for (const error of await readErrors(t.root)) {
      expect(error.code).toBe('data-file-mismatch');
      expect(error.message).toContain(`${rows}`);
    }
  });

  it('without statistics, a file that would decode above the limit is refused; the caller can raise it', async () => {
    const bytes = bomb();
    await t.commit(0, [protocol, metaData(schema), addOf('part-0.parquet', bytes, undefined)]);
    await writeFile(join(t.root, 'part-0.parquet'), bytes);
    for (const error of await readErrors(t.root, { maxDecodedBytes: 1_000_000 })) {
      expect(error.code).toBe('decode-limit');
      expect(error.path).toContain('part-0.parquet');
      expect(error.hint).toContain('maxDecodedBytes');
    }
    const table = await (await openTable(t.root)).snapshot().then((s) => s.toArrow({ maxDecodedBytes: 64_000_000 }));
    expect(table.numRows).toBe(rows);
  });
});

describe('writeTable options from JavaScript callers', () => {
  it.each([
    [{ mode: 'upsert' }, 'mode'],
    [{ mode: undefined }, 'mode'],
    [{ mode: 'append', partitionBy: 'id' }, 'partitionBy'],
    [{ mode: 'append', compression: 'brotli' }, 'compression'],
    [{ mode: 'append', rowGroupRows: 0 }, 'rowGroupRows'],
    [{ mode: 'append', maxRowsPerFile: 1.5 }, 'maxRowsPerFile'],
    [{ mode: 'append', configuration: { 'delta.appendOnly': true } }, 'configuration'],
  ])('%j is refused naming %s, and nothing is written', async (options, name) => {
    const error = await writeTable(t.root, orders, options as unknown as WriteOptions).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeltaError);
    expect((error as DeltaError).code).toBe('unsupported-write');
    expect((error as DeltaError).message).toContain(name);
    expect(await readdir(join(t.root, '_delta_log'))).toEqual([]);
  });

  it('an unknown mode on an existing table with a NOT NULL column commits nothing', async () => {
    await writeTable(t.root, orders, { mode: 'create' });
    const other = new Table({ x: vectorFromArray([1, 2], new Int32()) });
    const error = await writeTable(t.root, other, { mode: 'merge' } as unknown as WriteOptions).catch(
      (e: unknown) => e,
    );
    expect((error as DeltaError).code).toBe('unsupported-write');
    const snapshot = await (await openTable(t.root)).snapshot();
    expect(snapshot.version).toBe(0);
  });
});

describe('a decoder panic', () => {
  it.each([new WebAssembly.RuntimeError('unreachable'), 'Error strings stripped'])(
    '%s is named as damaged data in the file, with the file',
    (cause) => {
      const error = decodeError(cause, 'part-0.parquet');
      expect(error.code).toBe('storage');
      expect(error.message).toContain('part-0.parquet');
      expect(error.message).toContain('damaged');
      expect(error.path).toBe('part-0.parquet');
    },
  );
});
