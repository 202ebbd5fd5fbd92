import { DeltaError } from '../errors.ts';

/** A Delta primitive type name (PROTOCOL.md "Primitive Types"). */
export type PrimitiveTypeName =
  | 'string'
  | 'long'
  | 'integer'
  | 'short'
  | 'byte'
  | 'float'
  | 'double'
  | 'boolean'
  | 'binary'
  | 'date'
  | 'timestamp'
  | 'timestamp_ntz'
  | 'variant'
  /** Only nulls, never stored in data files (PROTOCOL.md "Void Type"). */
  | 'void';

/** A Delta data type, parsed from the table's `schemaString`. */
export type DeltaType =
  | { readonly kind: 'primitive'; readonly name: PrimitiveTypeName }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'struct'; readonly fields: readonly StructField[] }
  | { readonly kind: 'array'; readonly elementType: DeltaType; readonly containsNull: boolean }
  | {
      readonly kind: 'map';
      readonly keyType: DeltaType;
      readonly valueType: DeltaType;
      readonly valueContainsNull: boolean;
    };

/** One field of a struct type, with its column-mapping metadata when the table uses column mapping. */
export interface StructField {
  readonly name: string;
  readonly type: DeltaType;
  readonly nullable: boolean;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** The table schema: the top-level struct. */
export type DeltaSchema = Extract<DeltaType, { kind: 'struct' }>;

/** The primitive type names that hold comparable values: all but `variant` and `void`. */
export const COMPARABLE_PRIMITIVE_NAMES: readonly PrimitiveTypeName[] = [
  'string',
  'long',
  'integer',
  'short',
  'byte',
  'float',
  'double',
  'boolean',
  'binary',
  'date',
  'timestamp',
  'timestamp_ntz',
];

const PRIMITIVES = new Set<string>([...COMPARABLE_PRIMITIVE_NAMES, 'variant', 'void']);

const DECIMAL = /^decimal\(\s*(\d+)\s*,\s*(-?\d+)\s*\)$/;

function invalid(message: string, path: string): DeltaError {
  return new DeltaError('invalid-log', message, {
    path,
    hint: 'the metaData.schemaString is not a Delta schema (PROTOCOL.md "Schema Serialization Format")',
  });
}

/** Parses one Delta type from its JSON form (a type name string or a nested type object). */
export function parseDeltaType(json: unknown, path = 'schema'): DeltaType {
  if (typeof json === 'string') {
    if (PRIMITIVES.has(json)) return { kind: 'primitive', name: json as PrimitiveTypeName };
    // Old writers spell the Spark names.
    if (json === 'int') return { kind: 'primitive', name: 'integer' };
    if (json === 'decimal') return { kind: 'decimal', precision: 10, scale: 0 };
    const m = DECIMAL.exec(json);
    if (m) return { kind: 'decimal', precision: Number(m[1]), scale: Number(m[2]) };
    throw invalid(`unknown Delta type '${json}'`, path);
  }
  if (typeof json !== 'object' || json === null) throw invalid('a type must be a string or an object', path);
  const o = json as Record<string, unknown>;
  switch (o.type) {
    case 'struct': {
      if (!Array.isArray(o.fields)) throw invalid('a struct type needs fields', path);
      return {
        kind: 'struct',
        fields: o.fields.map((f: unknown, i: number) => parseField(f, `${path}.fields[${i}]`)),
      };
    }
    case 'array':
      return {
        kind: 'array',
        elementType: parseDeltaType(o.elementType, `${path}.elementType`),
        containsNull: o.containsNull !== false,
      };
    case 'map':
      return {
        kind: 'map',
        keyType: parseDeltaType(o.keyType, `${path}.keyType`),
        valueType: parseDeltaType(o.valueType, `${path}.valueType`),
        valueContainsNull: o.valueContainsNull !== false,
      };
    default:
      throw invalid(`unknown nested type '${String(o.type)}'`, path);
  }
}

function parseField(json: unknown, path: string): StructField {
  if (typeof json !== 'object' || json === null) throw invalid('a struct field must be an object', path);
  const o = json as Record<string, unknown>;
  if (typeof o.name !== 'string') throw invalid('a struct field needs a name', path);
  const metadata = typeof o.metadata === 'object' && o.metadata !== null ? (o.metadata as Record<string, unknown>) : {};
  return { name: o.name, type: parseDeltaType(o.type, `${path}.type`), nullable: o.nullable !== false, metadata };
}

/** Parses `metaData.schemaString`. */
export function parseSchemaString(schemaString: string): DeltaSchema {
  let json: unknown;
  try {
    json = JSON.parse(schemaString);
  } catch (cause) {
    throw new DeltaError('invalid-log', 'metaData.schemaString is not JSON', {
      path: 'metaData.schemaString',
      hint: 'the table metadata is corrupt',
      cause,
    });
  }
  const t = parseDeltaType(json, 'schema');
  if (t.kind !== 'struct') throw invalid('the table schema must be a struct', 'schema');
  return t;
}

/** The compact type notation `long`, `decimal(p,s)`, `array<T>`, `map<K,V>`, `struct<a:T,...>`. */
export function formatDeltaType(t: DeltaType): string {
  switch (t.kind) {
    case 'primitive':
      return t.name;
    case 'decimal':
      return `decimal(${t.precision},${t.scale})`;
    case 'array':
      return `array<${formatDeltaType(t.elementType)}>`;
    case 'map':
      return `map<${formatDeltaType(t.keyType)},${formatDeltaType(t.valueType)}>`;
    case 'struct':
      return `struct<${t.fields.map((f) => `${f.name}:${formatDeltaType(f.type)}`).join(',')}>`;
  }
}

/** The physical (in-file) name of a field under column mapping, else its logical name. */
export function physicalName(field: StructField, mapped: boolean): string {
  const p = field.metadata['delta.columnMapping.physicalName'];
  return mapped && typeof p === 'string' ? p : field.name;
}

/** The column-mapping field id, when present. */
export function fieldId(field: StructField): number | undefined {
  const id = field.metadata['delta.columnMapping.id'];
  return typeof id === 'number' ? id : typeof id === 'string' && id !== '' ? Number(id) : undefined;
}
