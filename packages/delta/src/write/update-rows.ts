import { type Data, DataType, makeData, RecordBatch, Struct, TimeUnit, Utf8, vectorFromArray } from 'apache-arrow';
import { DeltaError } from '../errors.ts';
import type { Literal, Predicate } from '../scan/predicate.ts';
import { coerceLiteral, primitiveType, type Value } from '../scan/values.ts';
import type { DeltaSchema } from '../schema/types.ts';
import { formatDeltaType } from '../schema/types.ts';
import { type OpenStorageOptions, openStorage } from '../storage/open.ts';
import type { Storage } from '../storage/storage.ts';
import { type RewriteOptions, type RewriteResult, rewriteMatchingRows } from './rewrite-files.ts';

/** Options of {@link updateRows}. */
export interface UpdateOptions extends RewriteOptions, OpenStorageOptions {}

/**
 * New values by column: literals as in predicates (`'2024-05-01'` for a date, a bigint or a number for a long,
 * `null`). Expressions over the row (`qty + 1`) are not supported.
 */
export type Assignments = Readonly<Record<string, Literal>>;

interface Assignment {
  readonly column: string;
  readonly value: Value | null;
}

/** Resolves and types each assignment against the table schema, naming the column and the expected type when wrong. */
function bindAssignments(schema: DeltaSchema, assignments: Assignments, uri: string): Assignment[] {
  const entries = Object.entries(assignments);
  if (entries.length === 0) {
    throw new DeltaError('unsupported-write', 'an update needs at least one column to set', {
      path: uri,
      hint: "give assignments, e.g. { status: 'done' }",
    });
  }
  return entries.map(([name, literal]) => {
    const field =
      schema.fields.find((f) => f.name === name) ??
      schema.fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
    if (!field) {
      throw new DeltaError('unknown-column', `cannot set ${name}: the table has no such column`, {
        path: uri,
        hint: `set some of: ${schema.fields.map((f) => f.name).join(', ')}`,
      });
    }
    const typeText = formatDeltaType(field.type);
    const type = primitiveType(typeText);
    if (!type || type.name === 'decimal' || type.name === 'binary') {
      throw new DeltaError(
        'unsupported-write',
        `cannot set ${field.name}: updating ${typeText} columns is not supported`,
        {
          path: uri,
          hint: 'set string, number, boolean, date or timestamp columns; rewrite the others with writeTable',
        },
      );
    }
    if (literal === null) {
      if (!field.nullable) {
        throw new DeltaError('constraint-violation', `cannot set ${field.name} to null: the column is not nullable`, {
          path: uri,
          hint: `give ${field.name} a value`,
        });
      }
      return { column: field.name, value: null };
    }
    const value = coerceLiteral(literal, type);
    if (value === undefined) {
      throw new DeltaError(
        'schema-mismatch',
        `cannot set ${field.name} to ${String(literal)}: not a ${typeText} value`,
        {
          path: uri,
          hint:
            type.name === 'date' || type.name.startsWith('timestamp')
              ? `write the ${typeText} as text, e.g. '2024-05-01' or '2024-05-01 12:00:00'`
              : `give a ${typeText} literal`,
        },
      );
    }
    return { column: field.name, value };
  });
}

/** A column of `length` copies of `value` (or nulls), of the Arrow type the scan returned for the column. */
function constantColumn(type: DataType, length: number, value: Value | null): Data {
  const nulls = value === null ? { nullBitmap: new Uint8Array(Math.ceil(length / 8)), nullCount: length } : {};
  if (DataType.isUtf8(type)) {
    return vectorFromArray(new Array<string | null>(length).fill(value === null ? null : String(value)), new Utf8())
      .data[0] as Data;
  }
  if (DataType.isBool(type)) {
    const bits = new Uint8Array(Math.ceil(length / 8)).fill(value === true ? 0xff : 0);
    return makeData({ type, length, data: bits, ...nulls } as never);
  }
  if (DataType.isTimestamp(type)) {
    // Values are microseconds (values.ts); the column may hold another unit.
    const micros = value === null ? 0n : BigInt(value as bigint);
    const scaled =
      type.unit === TimeUnit.MICROSECOND
        ? micros
        : type.unit === TimeUnit.NANOSECOND
          ? micros * 1000n
          : type.unit === TimeUnit.MILLISECOND
            ? micros / 1000n
            : micros / 1_000_000n;
    return makeData({ type, length, data: new BigInt64Array(length).fill(scaled), ...nulls } as never);
  }
  if (DataType.isInt(type) && type.bitWidth === 64) {
    const v = value === null ? 0n : BigInt(value as bigint | number);
    return makeData({ type, length, data: new BigInt64Array(length).fill(v), ...nulls } as never);
  }
  if (DataType.isInt(type) || DataType.isFloat(type) || DataType.isDate(type)) {
    const ArrayType = type.ArrayType as unknown as new (n: number) => Int32Array | Float64Array;
    const data = new ArrayType(length);
    data.fill(value === null ? 0 : Number(value));
    return makeData({ type, length, data, ...nulls } as never);
  }
  throw new TypeError(`cannot set a column of Arrow type ${String(type)}`);
}

/** The matched rows with the assigned columns replaced. */
function assign(batch: RecordBatch, assignments: readonly Assignment[]): RecordBatch {
  const children = batch.schema.fields.map((field, i) => {
    const a = assignments.find((x) => x.column === field.name);
    return a ? constantColumn(field.type, batch.numRows, a.value) : (batch.data.children[i] as Data);
  });
  return new RecordBatch(
    batch.schema,
    makeData({ type: new Struct(batch.schema.fields), length: batch.numRows, nullCount: 0, children }),
  );
}

/**
 * Sets columns of the rows for which `where` is true, by copy-on-write: the files holding them are rewritten in one
 * commit; the new rows must satisfy the table's CHECK constraints and nullability. Setting a partition column moves
 * the rows to that partition.
 *
 * ```ts
 * await updateRows('file:///data/orders', "order_id = 42", { status: 'shipped' });
 * ```
 */
export function updateRows(
  target: string | Storage,
  where: Predicate | string,
  assignments: Assignments,
  options: UpdateOptions = {},
): Promise<RewriteResult> {
  const storage = typeof target === 'string' ? openStorage(target, options) : target;
  return rewriteMatchingRows(
    storage,
    where,
    {
      operation: 'UPDATE',
      operationParameters: { predicate: JSON.stringify([typeof where === 'string' ? where : where.toString()]) },
      replacement: (schema, uri) => {
        const bound = bindAssignments(schema, assignments, uri);
        return (batch) => [assign(batch, bound)];
      },
      matchedMetric: 'numUpdatedRows',
      changeTypes: { before: 'update_preimage', after: 'update_postimage' },
    },
    options,
  );
}
