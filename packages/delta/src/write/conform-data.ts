import { Table as ArrowTable, type Table, type Vector, vectorFromArray } from 'apache-arrow';
import { DeltaError } from '../errors.ts';
import { arrowType } from '../schema/arrow.ts';
import type { DeltaSchema, StructField } from '../schema/types.ts';
import type { Storage } from '../storage/storage.ts';
import { sameDeltaType, schemaString } from './schema.ts';

/** A `schema-mismatch` error about the table at `storage`. */
export function mismatch(storage: Storage, message: string, hint: string): DeltaError {
  return new DeltaError('schema-mismatch', message, { path: storage.uri, hint });
}

const typeText = (f: StructField) => JSON.stringify(schemaString({ kind: 'struct', fields: [f] }));

/**
 * Fits the data to the table's schema: columns in the table's order, same types. With `mergeSchema`
 * (schema evolution on request), columns the table lacks are added at the end as nullable columns
 * and columns the data lacks are written as nulls when the table allows them; without it any
 * difference is refused. Returns the data and the schema the table has after the write.
 */
export function conformToTable(
  storage: Storage,
  data: Table,
  dataSchema: DeltaSchema,
  table: DeltaSchema,
  mergeSchema: boolean,
): { data: Table; schema: DeltaSchema } {
  const names = dataSchema.fields.map((f) => f.name);
  const missing = table.fields.filter((f) => !names.includes(f.name));
  const extra = dataSchema.fields.filter((d) => !table.fields.some((f) => f.name === d.name));
  if (!mergeSchema && (missing.length > 0 || extra.length > 0)) {
    throw mismatch(
      storage,
      `the data's columns differ from the table's${missing.length ? `; missing: ${missing.map((f) => f.name).join(', ')}` : ''}${extra.length ? `; not in the table: ${extra.map((f) => f.name).join(', ')}` : ''}`,
      `give exactly the table's columns (${table.fields.map((f) => f.name).join(', ')}), write with mergeSchema: true to add or leave out nullable columns, or with mode: 'overwrite' and overwriteSchema: true to replace the schema`,
    );
  }
  for (const field of table.fields) {
    const given = dataSchema.fields.find((f) => f.name === field.name);
    if (given && !sameDeltaType(given.type, field.type)) {
      throw mismatch(
        storage,
        `column ${field.name} is ${typeText(given)} in the data but the table holds ${typeText(field)}`,
        `cast ${field.name} to the table's type before writing, or write with mode: 'overwrite' and overwriteSchema: true to change it`,
      );
    }
  }
  const required = missing.filter((f) => !f.nullable);
  if (required.length > 0) {
    throw mismatch(
      storage,
      `the data lacks column${required.length > 1 ? 's' : ''} ${required.map((f) => f.name).join(', ')}, which the table does not allow to be null`,
      'give the column',
    );
  }
  // PROTOCOL.md "Schema Serialization Format": added columns are nullable, since older rows lack them.
  const schema: DeltaSchema = {
    kind: 'struct',
    fields: [...table.fields, ...extra.map((f) => ({ ...f, nullable: true, metadata: {} }))],
  };
  if (missing.length === 0) return { data: data.select(schema.fields.map((f) => f.name)), schema };
  const columns: Record<string, Vector> = {};
  for (const f of schema.fields) {
    columns[f.name] =
      data.getChild(f.name) ?? vectorFromArray(new Array<null>(data.numRows).fill(null), arrowType(f.type));
  }
  return { data: new ArrowTable(columns), schema };
}

/** Refuses nulls in a column the schema declares not nullable. */
export function checkNullability(storage: Storage, data: Table, schema: DeltaSchema): void {
  for (const field of schema.fields) {
    if (!field.nullable && (data.getChild(field.name)?.nullCount ?? 0) > 0) {
      throw mismatch(
        storage,
        `column ${field.name} is not nullable but the data holds nulls`,
        `fill or drop the null ${field.name} rows`,
      );
    }
  }
}
