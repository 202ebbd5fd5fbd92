import { type DataType, type Field, type Schema, TimeUnit, Type } from 'apache-arrow';
import { DeltaError } from '../errors.ts';
import type { DeltaSchema, DeltaType, StructField } from '../schema/types.ts';

/**
 * The Delta type of an Arrow type, the inverse of schema/arrow.ts's `arrowType`: what a written
 * file must hold so that the reader returns the same Arrow type.
 */
function deltaTypeOf(type: DataType, path: string): DeltaType {
  const unsupported = (hint: string): never => {
    throw new DeltaError(
      'unsupported-write',
      `column ${path} has Arrow type ${String(type)}, which Delta cannot store as is`,
      {
        path,
        hint,
      },
    );
  };
  switch (type.typeId) {
    case Type.Utf8:
    case Type.LargeUtf8:
      return { kind: 'primitive', name: 'string' };
    case Type.Binary:
    case Type.LargeBinary:
      return { kind: 'primitive', name: 'binary' };
    case Type.Bool:
      return { kind: 'primitive', name: 'boolean' };
    case Type.Int: {
      const t = type as unknown as { bitWidth: number; isSigned: boolean };
      if (!t.isSigned) return unsupported('Delta has no unsigned integers: cast to a signed type one size up');
      const name = ({ 8: 'byte', 16: 'short', 32: 'integer', 64: 'long' } as const)[t.bitWidth as 8 | 16 | 32 | 64];
      return { kind: 'primitive', name };
    }
    case Type.Float: {
      const precision = (type as unknown as { precision: number }).precision;
      // Arrow's Precision enum: 0 half, 1 single, 2 double.
      if (precision === 0) return unsupported('Delta has no half-precision floats: cast to Float32');
      return { kind: 'primitive', name: precision === 1 ? 'float' : 'double' };
    }
    case Type.Date: {
      const unit = (type as unknown as { unit: number }).unit;
      // DateUnit.DAY is 0; Date64 (milliseconds) would need converting.
      if (unit !== 0) return unsupported('Delta dates are days: use DateDay');
      return { kind: 'primitive', name: 'date' };
    }
    case Type.Timestamp: {
      const t = type as unknown as { unit: TimeUnit; timezone: string | null };
      // PROTOCOL.md "Primitive Types": timestamp and timestamp_ntz have microsecond precision.
      if (t.unit !== TimeUnit.MICROSECOND)
        return unsupported('Delta timestamps are microseconds: use TimestampMicrosecond');
      return { kind: 'primitive', name: t.timezone ? 'timestamp' : 'timestamp_ntz' };
    }
    case Type.Decimal: {
      const t = type as unknown as { precision: number; scale: number; bitWidth: number };
      if (t.bitWidth !== 128 || t.precision > 38)
        return unsupported('Delta decimals are at most decimal(38, s), 128-bit');
      return { kind: 'decimal', precision: t.precision, scale: t.scale };
    }
    case Type.Struct:
      return { kind: 'struct', fields: (type.children as Field[]).map((f) => structField(f, `${path}.${f.name}`)) };
    case Type.List: {
      const element = type.children[0] as Field;
      return {
        kind: 'array',
        elementType: deltaTypeOf(element.type, `${path}.element`),
        containsNull: element.nullable,
      };
    }
    case Type.Map: {
      const entries = type.children[0] as Field;
      const [key, value] = entries.type.children as [Field, Field];
      return {
        kind: 'map',
        keyType: deltaTypeOf(key.type, `${path}.key`),
        valueType: deltaTypeOf(value.type, `${path}.value`),
        valueContainsNull: value.nullable,
      };
    }
    case Type.Dictionary:
      return unsupported('decode dictionary columns before writing (Delta stores the values)');
    default:
      return unsupported('use a type with a Delta counterpart (PROTOCOL.md "Schema Serialization Format")');
  }
}

function structField(field: Field, path: string): StructField {
  return { name: field.name, type: deltaTypeOf(field.type, path), nullable: field.nullable, metadata: {} };
}

/** The Delta schema of an Arrow schema. */
export function deltaSchemaOf(schema: Schema): DeltaSchema {
  return { kind: 'struct', fields: schema.fields.map((f) => structField(f, f.name)) };
}

/** The JSON form of a Delta type (PROTOCOL.md "Schema Serialization Format"). */
function deltaTypeJson(t: DeltaType): unknown {
  switch (t.kind) {
    case 'primitive':
      return t.name;
    case 'decimal':
      return `decimal(${t.precision},${t.scale})`;
    case 'array':
      return { type: 'array', elementType: deltaTypeJson(t.elementType), containsNull: t.containsNull };
    case 'map':
      return {
        type: 'map',
        keyType: deltaTypeJson(t.keyType),
        valueType: deltaTypeJson(t.valueType),
        valueContainsNull: t.valueContainsNull,
      };
    case 'struct':
      return {
        type: 'struct',
        fields: t.fields.map((f) => ({
          name: f.name,
          type: deltaTypeJson(f.type),
          nullable: f.nullable,
          metadata: f.metadata,
        })),
      };
  }
}

/** `metaData.schemaString` of a schema. */
export function schemaString(schema: DeltaSchema): string {
  return JSON.stringify(deltaTypeJson(schema));
}

/** True when two types are the same, ignoring field metadata; nullability must match for fields. */
export function sameDeltaType(a: DeltaType, b: DeltaType): boolean {
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

function strip(t: DeltaType): unknown {
  const json = deltaTypeJson(t);
  return JSON.parse(JSON.stringify(json, (key, value) => (key === 'metadata' ? undefined : value)));
}

/** Whether a schema uses a type that needs a table feature (PROTOCOL.md "Timestamp without timezone (TimestampNtz)"). */
export function usesTimestampNtz(t: DeltaType): boolean {
  switch (t.kind) {
    case 'primitive':
      return t.name === 'timestamp_ntz';
    case 'decimal':
      return false;
    case 'array':
      return usesTimestampNtz(t.elementType);
    case 'map':
      return usesTimestampNtz(t.keyType) || usesTimestampNtz(t.valueType);
    case 'struct':
      return t.fields.some((f) => usesTimestampNtz(f.type));
  }
}
