import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Int64, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import fc from 'fast-check';
import { Table as WasmTable, writeParquet } from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeltaError, openTable, parsePredicate } from '../src/index.ts';
import { parseCommit } from '../src/log/actions.ts';
import { tempTable } from './support/delta-log.ts';

// Fuzzing what users and other writers hand the reader (issue 16, "Done means"): `--where` text and Delta log lines.
// Whatever the input, the answer is a result or a DeltaError, never another error and never a hang. Each property is
// bounded by time as well as runs, so the file stays around 20 s.
const settings = { numRuns: 1_000, interruptAfterTimeLimit: 5_000, markInterruptAsFailure: false } as const;

function expectDeltaError(error: unknown): void {
  if (!(error instanceof DeltaError)) throw error;
  expect(typeof error.code).toBe('string');
  expect(error.message.length).toBeLessThan(5_000);
}

const words = [
  'a',
  'b',
  'name',
  '"quoted col"',
  '`q`',
  'and',
  'or',
  'not',
  'is',
  'null',
  'in',
  'between',
  'true',
  'false',
  'date',
  'timestamp',
  "'x'",
  "'it''s'",
  "'",
  '1',
  '-2',
  '1e400',
  '99999999999999999999999',
  '0.5',
  'NaN',
  '=',
  '<>',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  '(',
  ')',
  ',',
  '.',
  ';',
  '--',
  '\u0000',
];

describe('parsePredicate on fuzzed --where text', () => {
  it('token soups: a Predicate or invalid-predicate', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...words), { maxLength: 40 }), (tokens) => {
        try {
          parsePredicate(tokens.join(' '));
        } catch (error) {
          expectDeltaError(error);
          expect((error as DeltaError).code).toBe('invalid-predicate');
        }
      }),
      settings,
    );
  });

  it('arbitrary strings: a Predicate or invalid-predicate', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        try {
          parsePredicate(text);
        } catch (error) {
          expectDeltaError(error);
        }
      }),
      settings,
    );
  });
});

describe('a scan with a fuzzed --where over a real table', () => {
  let t: Awaited<ReturnType<typeof tempTable>>;
  beforeAll(async () => {
    t = await tempTable();
    const data = new Table({
      a: vectorFromArray([1n, 2n, 3n], new Int64()),
      name: vectorFromArray(['x', "it's", null], new Utf8()),
    });
    const bytes = writeParquet(WasmTable.fromIPCStream(tableToIPC(data, 'stream')));
    await writeFile(join(t.root, 'part-0.parquet'), bytes);
    const schema = {
      type: 'struct',
      fields: [
        { name: 'a', type: 'long', nullable: true, metadata: {} },
        { name: 'name', type: 'string', nullable: true, metadata: {} },
      ],
    };
    await t.commit(0, [
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
      {
        metaData: {
          id: 'fuzz',
          format: { provider: 'parquet', options: {} },
          schemaString: JSON.stringify(schema),
          partitionColumns: [],
          configuration: {},
          createdTime: 0,
        },
      },
      {
        add: {
          path: 'part-0.parquet',
          partitionValues: {},
          size: bytes.length,
          modificationTime: 0,
          dataChange: true,
          stats: JSON.stringify({ numRecords: 3, minValues: { a: 1, name: 'it' }, maxValues: { a: 3, name: 'x' } }),
        },
      },
    ]);
  });
  afterAll(() => rm(t.root, { recursive: true, force: true }));

  it('rows that match, or a DeltaError (unknown column, type mismatch)', { timeout: 30_000 }, async () => {
    const snapshot = await (await openTable(t.root)).snapshot();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 12 }), async (tokens) => {
        try {
          const table = await snapshot.toArrow({ where: tokens.join(' '), decoder: 'main-thread' });
          expect(table.numRows).toBeLessThanOrEqual(3);
        } catch (error) {
          expectDeltaError(error);
        }
      }),
      { ...settings, numRuns: 300 },
    );
  });
});

/** A valid action of each kind, to mutate. */
const validActions: Record<string, unknown>[] = [
  { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
  {
    metaData: {
      id: 'x',
      format: { provider: 'parquet', options: {} },
      schemaString: '{"type":"struct","fields":[{"name":"a","type":"long","nullable":true,"metadata":{}}]}',
      partitionColumns: [],
      configuration: {},
      createdTime: 0,
    },
  },
  { add: { path: 'p.parquet', partitionValues: {}, size: 10, modificationTime: 0, dataChange: true, stats: '{}' } },
  { remove: { path: 'p.parquet', deletionTimestamp: 1, dataChange: true } },
  { txn: { appId: 'a', version: 1 } },
  { commitInfo: { operation: 'WRITE' } },
  { cdc: { path: 'c.parquet', partitionValues: {}, size: 1, dataChange: false } },
  { domainMetadata: { domain: 'd', configuration: '{}', removed: false } },
];

/** A valid action with one field replaced by an arbitrary JSON value (or removed). */
const mutatedAction = fc
  .tuple(fc.constantFrom(...validActions), fc.nat(), fc.option(fc.jsonValue(), { nil: undefined }))
  .map(([action, pick, value]) => {
    const copy = structuredClone(action);
    const [kind] = Object.keys(copy) as [string];
    const body = copy[kind] as Record<string, unknown>;
    const keys = Object.keys(body);
    const key = keys[pick % keys.length] as string;
    if (value === undefined) delete body[key];
    else body[key] = value;
    return copy;
  });

describe('parseCommit on fuzzed log lines', () => {
  it('valid actions with a field replaced: actions or invalid-log', () => {
    fc.assert(
      fc.property(fc.array(mutatedAction, { minLength: 1, maxLength: 5 }), (actions) => {
        const bytes = new TextEncoder().encode(actions.map((a) => JSON.stringify(a)).join('\n'));
        try {
          parseCommit(bytes, '_delta_log/00000000000000000001.json');
        } catch (error) {
          expectDeltaError(error);
          expect((error as DeltaError).path).toContain('00000000000000000001.json');
        }
      }),
      settings,
    );
  });

  it('arbitrary lines: actions or invalid-log', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.json()), { maxLength: 5 }),
        (lines) => {
          try {
            parseCommit(new TextEncoder().encode(lines.join('\n')), 'commit.json');
          } catch (error) {
            expectDeltaError(error);
          }
        },
      ),
      settings,
    );
  });

  it('a table whose second commit is fuzzed: rows or a DeltaError, end to end', { timeout: 30_000 }, async () => {
    const t = await tempTable();
    try {
      await t.commit(0, validActions.slice(0, 2));
      await fc.assert(
        fc.asyncProperty(fc.array(mutatedAction, { minLength: 1, maxLength: 3 }), async (actions) => {
          await t.commit(1, actions);
          try {
            const snapshot = await (await openTable(t.root)).snapshot();
            await snapshot.toArrow({ decoder: 'main-thread' });
          } catch (error) {
            expectDeltaError(error);
          }
        }),
        { ...settings, numRuns: 300 },
      );
    } finally {
      await rm(t.root, { recursive: true, force: true });
    }
  });
});
