import { randomUUID } from 'node:crypto';
import {
  type Data,
  type DataType,
  Field,
  List,
  Map_,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Type,
} from 'apache-arrow';
import type { DeltaSchema, DeltaType, StructField } from '../schema/types.ts';
import { fieldId, physicalName } from '../schema/types.ts';

// PROTOCOL.md "Column Mapping": the field metadata keys, and the key arrow-rs's parquet writer reads
// to give a parquet column its field id.
const ID = 'delta.columnMapping.id';
const PHYSICAL = 'delta.columnMapping.physicalName';
const PARQUET_FIELD_ID = 'PARQUET:field_id';

function assignType(t: DeltaType, next: () => number): DeltaType {
  switch (t.kind) {
    case 'struct':
      return { kind: 'struct', fields: t.fields.map((f) => assignField(f, next)) };
    case 'array':
      return { ...t, elementType: assignType(t.elementType, next) };
    case 'map':
      return { ...t, keyType: assignType(t.keyType, next), valueType: assignType(t.valueType, next) };
    default:
      return t;
  }
}

function assignField(f: StructField, next: () => number): StructField {
  const mapped = f.metadata[ID] !== undefined && f.metadata[PHYSICAL] !== undefined;
  return {
    ...f,
    type: assignType(f.type, next),
    metadata: mapped ? f.metadata : { ...f.metadata, [ID]: next(), [PHYSICAL]: `col-${randomUUID()}` },
  };
}

/**
 * Gives every field of the schema that has none a column id and a physical name, the ids counting
 * on from `maxColumnId` (PROTOCOL.md "Writer Requirements for Column Mapping": ids unique in the
 * table, `delta.columnMapping.maxColumnId` the largest ever given). Fields already mapped keep theirs.
 */
export function assignColumnMapping(
  schema: DeltaSchema,
  maxColumnId: number,
): { schema: DeltaSchema; maxColumnId: number } {
  let id = maxColumnId;
  const mapped = assignType(schema, () => ++id) as DeltaSchema;
  return { schema: mapped, maxColumnId: id };
}

/** Whether some field, at any depth, lacks its column id or physical name. */
export function needsColumnMapping(t: DeltaType): boolean {
  switch (t.kind) {
    case 'struct':
      return t.fields.some(
        (f) => f.metadata[ID] === undefined || f.metadata[PHYSICAL] === undefined || needsColumnMapping(f.type),
      );
    case 'array':
      return needsColumnMapping(t.elementType);
    case 'map':
      return needsColumnMapping(t.keyType) || needsColumnMapping(t.valueType);
    default:
      return false;
  }
}

function physicalType(t: DeltaType): DeltaType {
  switch (t.kind) {
    case 'struct':
      return { kind: 'struct', fields: t.fields.map(physicalField) };
    case 'array':
      return { ...t, elementType: physicalType(t.elementType) };
    case 'map':
      return { ...t, keyType: physicalType(t.keyType), valueType: physicalType(t.valueType) };
    default:
      return t;
  }
}

function physicalField(f: StructField): StructField {
  return { ...f, name: physicalName(f, true), type: physicalType(f.type) };
}

/** The schema with physical names, the names data files and statistics use under column mapping. */
export function physicalSchema(fields: readonly StructField[]): StructField[] {
  return fields.map(physicalField);
}

function renameData(data: Data, t: DeltaType): { type: DataType; data: Data } {
  if (t.kind === 'struct' && data.typeId === Type.Struct) {
    const childFields: Field[] = [];
    const children: Data[] = [];
    for (const [k, f] of t.fields.entries()) {
      const child = renameData(data.children[k] as Data, f.type);
      const old = (data.type as Struct).children[k] as Field;
      childFields.push(mappedField(f, child.type, old.nullable));
      children.push(child.data);
    }
    const type = new Struct(childFields);
    return {
      type,
      data: makeData({
        type,
        offset: data.offset,
        length: data.length,
        nullCount: data.nullCount,
        nullBitmap: data.nullBitmap,
        children,
      }),
    };
  }
  if (t.kind === 'array' && data.typeId === Type.List) {
    const element = renameData(data.children[0] as Data, t.elementType);
    const old = (data.type as List).children[0] as Field;
    const type = new List(new Field(old.name, element.type, old.nullable));
    return {
      type,
      data: makeData({
        type,
        offset: data.offset,
        length: data.length,
        nullCount: data.nullCount,
        nullBitmap: data.nullBitmap,
        valueOffsets: data.valueOffsets as Int32Array,
        child: element.data,
      }),
    };
  }
  if (t.kind === 'map' && data.typeId === Type.Map) {
    const entries = data.children[0] as Data;
    const key = renameData(entries.children[0] as Data, t.keyType);
    const value = renameData(entries.children[1] as Data, t.valueType);
    const oldEntries = (data.type as Map_).children[0] as Field;
    const [oldKey, oldValue] = (oldEntries.type as Struct).children as [Field, Field];
    const entriesType = new Struct([
      new Field(oldKey.name, key.type, oldKey.nullable),
      new Field(oldValue.name, value.type, oldValue.nullable),
    ]);
    const entriesData = makeData({
      type: entriesType,
      offset: entries.offset,
      length: entries.length,
      nullCount: entries.nullCount,
      nullBitmap: entries.nullBitmap,
      children: [key.data, value.data],
    });
    const type = new Map_(
      new Field(oldEntries.name, entriesType, oldEntries.nullable) as Field<never>,
      (data.type as Map_).keysSorted,
    );
    return {
      type,
      data: makeData({
        type,
        offset: data.offset,
        length: data.length,
        nullCount: data.nullCount,
        nullBitmap: data.nullBitmap,
        valueOffsets: data.valueOffsets as Int32Array,
        child: entriesData,
      }),
    };
  }
  return { type: data.type, data };
}

function mappedField(f: StructField, type: DataType, nullable: boolean): Field {
  const id = fieldId(f);
  return new Field(
    physicalName(f, true),
    type,
    nullable,
    id === undefined ? new Map() : new Map([[PARQUET_FIELD_ID, String(id)]]),
  );
}

/**
 * The rows of a data file under column mapping: every column and nested field renamed to its
 * physical name and tagged with its field id, so that readers matching by name or by id both find
 * the values (PROTOCOL.md "Writer Requirements for Column Mapping"). `fields` are the file's columns.
 */
export function toPhysicalTable(table: Table, fields: readonly StructField[]): Table {
  const topFields: Field[] = [];
  const batches = table.batches.map((batch) => {
    const children: Data[] = [];
    for (const [j, f] of fields.entries()) {
      const renamed = renameData(batch.data.children[j] as Data, f.type);
      children.push(renamed.data);
      if (topFields.length < fields.length)
        topFields.push(mappedField(f, renamed.type, (table.schema.fields[j] as Field).nullable));
    }
    return { children, length: batch.numRows };
  });
  if (topFields.length === 0) {
    for (const [j, f] of fields.entries())
      topFields.push(
        mappedField(f, (table.schema.fields[j] as Field).type, (table.schema.fields[j] as Field).nullable),
      );
  }
  const schema = new Schema(topFields);
  return new Table(
    schema,
    batches.map(
      (b) =>
        new RecordBatch(
          schema,
          makeData({ type: new Struct(schema.fields), length: b.length, nullCount: 0, children: b.children }),
        ),
    ),
  );
}
