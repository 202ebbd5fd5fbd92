import { type RecordBatch, Table, type Vector } from 'apache-arrow';
import { gatherBatch } from '../arrow/gather.ts';
import { DeltaError } from '../errors.ts';
import { and, col, type Literal, Predicate } from '../scan/predicate.ts';
import type { DeltaSchema } from '../schema/types.ts';
import { openTable } from '../snapshot/table.ts';
import { type OpenStorageOptions, openStorage } from '../storage/open.ts';
import type { Storage } from '../storage/storage.ts';
import { conformToTable } from './conform-data.ts';
import { type RewriteOptions, type RewriteResult, rewriteMatchingRows } from './rewrite-files.ts';
import { deltaSchemaOf } from './schema.ts';

/** Options of {@link mergeRows}. */
export interface MergeOptions extends RewriteOptions, OpenStorageOptions {
  /** Key columns: a target row matches the source row with equal values in all of them (a null key matches nothing). */
  readonly on: readonly string[];
  /** What a matched target row becomes: the source row ('update', every column), nothing ('delete'), or unchanged (absent). */
  readonly whenMatched?: 'update' | 'delete';
  /** What a source row no target row matches does: added ('insert') or nothing (absent). */
  readonly whenNotMatched?: 'insert';
}

// Key columns whose values a skipping predicate can name as literals (others are matched by reading every file).
const LITERAL_KEY_TYPES = new Set(['string', 'long', 'integer', 'short', 'byte']);
// Up to this many distinct keys the skipping predicate lists them (IN); above it, their range.
const MAX_LISTED_KEYS = 1000;

function keyOf(columns: readonly Vector[], row: number): string | undefined {
  const parts: string[] = [];
  for (const c of columns) {
    const v: unknown = c.get(row);
    if (v === null || v === undefined) return undefined;
    parts.push(`${typeof v}:${String(v)}`);
  }
  return JSON.stringify(parts);
}

/** Rows of `source` by index (repeats allowed), in batches of the source's schema. */
function sourceRows(source: Table, indexes: readonly number[]): RecordBatch[] {
  const pieces: RecordBatch[] = [];
  let start = 0;
  for (const b of source.batches) {
    const end = start + b.numRows;
    const local = indexes.filter((x) => x >= start && x < end).map((x) => x - start);
    if (local.length > 0) pieces.push(gatherBatch(b, Int32Array.from(local)));
    start = end;
  }
  return pieces;
}

/** A predicate that holds for every target row a source key can match, for skipping files and checking conflicts. */
function keyPredicate(schema: DeltaSchema, on: readonly string[], source: Table): Predicate | undefined {
  const parts: Predicate[] = [];
  for (const name of on) {
    const field = schema.fields.find((f) => f.name === name);
    if (field?.type.kind !== 'primitive' || !LITERAL_KEY_TYPES.has(field.type.name)) continue;
    const vector = source.getChild(name) as Vector;
    const values = new Set<Literal>();
    for (let i = 0; i < source.numRows; i++) {
      const v: unknown = vector.get(i);
      if (v !== null && v !== undefined) values.add(v as Literal);
    }
    // Only null keys: no target row can match.
    if (values.size === 0) return col(name).in([]);
    if (values.size <= MAX_LISTED_KEYS) parts.push(col(name).in([...values]));
    else {
      const sorted = [...values].sort((a, b) =>
        (a as string | number | bigint) < (b as string | number | bigint) ? -1 : 1,
      );
      parts.push(col(name).between(sorted[0] as Literal, sorted[sorted.length - 1] as Literal));
    }
  }
  return parts.length === 0 ? undefined : and(...parts);
}

/**
 * Upserts Arrow rows by key (as SQL's MERGE INTO ... ON key): target rows whose key a source row has are updated to
 * that row or deleted, source rows matching no target row are inserted, all in one commit through the same
 * copy-on-write or deletion-vector path as {@link deleteRows}. A target row matched by two source rows is refused
 * (as Delta Spark does), since which one wins would be arbitrary.
 *
 * ```ts
 * await mergeRows('file:///data/customers', changes, { on: ['id'], whenMatched: 'update', whenNotMatched: 'insert' });
 * ```
 */
export async function mergeRows(
  target: string | Storage,
  source: Table,
  options: MergeOptions,
): Promise<RewriteResult> {
  const storage = typeof target === 'string' ? openStorage(target, options) : target;
  const uri = storage.uri;
  const { on } = options;
  if (on.length === 0) {
    throw new DeltaError('unsupported-write', 'a merge needs at least one key column (on)', {
      path: uri,
      hint: "name the key columns, e.g. on: ['id']",
    });
  }
  if (options.whenMatched === undefined && options.whenNotMatched === undefined) {
    throw new DeltaError('unsupported-write', 'a merge with neither whenMatched nor whenNotMatched changes nothing', {
      path: uri,
      hint: "give whenMatched: 'update' or 'delete', and/or whenNotMatched: 'insert'",
    });
  }
  const snapshot = await (await openTable(storage)).snapshot();
  const schema = snapshot.schema;
  for (const name of on) {
    if (!schema.fields.some((f) => f.name === name)) {
      throw new DeltaError('unknown-column', `merge key ${name} is not a column of the table`, {
        path: uri,
        hint: `key on some of: ${schema.fields.map((f) => f.name).join(', ')}`,
      });
    }
  }
  // The source as the table's rows: same columns and types (the same rule as an append).
  const data = conformToTable(storage, source, deltaSchemaOf(source.schema), schema, false).data;
  const sourceKeys = on.map((name) => data.getChild(name) as Vector);
  const byKey = new Map<string, number>();
  for (let i = 0; i < data.numRows; i++) {
    const key = keyOf(sourceKeys, i);
    if (key === undefined) continue;
    if (byKey.has(key)) {
      throw new DeltaError(
        'unsupported-write',
        `source rows ${byKey.get(key)} and ${i} have the same key (${on.join(', ')})`,
        {
          path: uri,
          hint: 'deduplicate the source by its key before merging',
        },
      );
    }
    byKey.set(key, i);
  }
  const matchedSource = new Set<number>();
  const match = (batch: RecordBatch, isLive: (row: number) => boolean): Int32Array => {
    const keys = on.map((name) => batch.getChild(name) as Vector);
    const hits: number[] = [];
    for (let i = 0; i < batch.numRows; i++) {
      if (!isLive(i)) continue;
      const key = keyOf(keys, i);
      const s = key === undefined ? undefined : byKey.get(key);
      if (s === undefined) continue;
      matchedSource.add(s);
      hits.push(i);
    }
    // Without whenMatched a matched row stays: its file is not rewritten, the key is only noted.
    return options.whenMatched === undefined ? new Int32Array(0) : Int32Array.from(hits);
  };
  const where = keyPredicate(schema, on, data) ?? new Predicate({ kind: 'constant', value: true });
  return rewriteMatchingRows(
    storage,
    where,
    {
      operation: 'MERGE',
      operationParameters: {
        predicate: JSON.stringify([on.map((k) => `target.${k} = source.${k}`).join(' AND ')]),
        matchedPredicates: JSON.stringify(options.whenMatched ? [{ actionType: options.whenMatched }] : []),
        notMatchedPredicates: JSON.stringify(options.whenNotMatched ? [{ actionType: 'insert' }] : []),
      },
      matchedMetric: options.whenMatched === 'delete' ? 'numTargetRowsDeleted' : 'numTargetRowsUpdated',
      match,
      ...(options.whenMatched === 'update'
        ? {
            replacement: () => (matched: RecordBatch) => {
              const keys = on.map((name) => matched.getChild(name) as Vector);
              const rows = Array.from(
                { length: matched.numRows },
                (_, i) => byKey.get(keyOf(keys, i) as string) as number,
              );
              return sourceRows(data, rows);
            },
          }
        : {}),
      ...(options.whenNotMatched === 'insert'
        ? {
            inserts: () => {
              const rest: number[] = [];
              for (let i = 0; i < data.numRows; i++) if (!matchedSource.has(i)) rest.push(i);
              return rest.length === 0 ? undefined : new Table(sourceRows(data, rest));
            },
          }
        : {}),
      changeTypes:
        options.whenMatched === 'delete'
          ? { before: 'delete' }
          : { before: 'update_preimage', after: 'update_postimage' },
    },
    options,
  );
}
