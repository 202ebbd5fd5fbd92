import {
  Binary,
  Bool,
  type DataType,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  List,
  Map_,
  Null,
  Schema,
  Struct,
  TimestampMicrosecond,
  Utf8,
} from 'apache-arrow';
import type { DeltaType, StructField } from './types.ts';

/** The Arrow field names of a variant column: the binary encoding's two parts (Variant spec). */
const VARIANT_FIELDS = ['value', 'metadata'] as const;

/**
 * The Arrow type a scan returns for a Delta type: timestamps as microseconds (UTC for `timestamp`,
 * zone-less for `timestamp_ntz`), decimals as 128-bit, variants as struct<value: binary, metadata: binary>.
 */
export function arrowType(t: DeltaType): DataType {
  switch (t.kind) {
    case 'decimal':
      return new Decimal(t.scale, t.precision, 128);
    case 'struct':
      return new Struct(t.fields.map(arrowField));
    case 'array':
      return new List(new Field('element', arrowType(t.elementType), t.containsNull));
    case 'map':
      return new Map_(
        new Field(
          'entries',
          new Struct([
            new Field('key', arrowType(t.keyType), false),
            new Field('value', arrowType(t.valueType), t.valueContainsNull),
          ]),
          false,
        ) as Field<never>,
        false,
      );
    case 'primitive':
      switch (t.name) {
        case 'string':
          return new Utf8();
        case 'long':
          return new Int64();
        case 'integer':
          return new Int32();
        case 'short':
          return new Int16();
        case 'byte':
          return new Int8();
        case 'float':
          return new Float32();
        case 'double':
          return new Float64();
        case 'boolean':
          return new Bool();
        case 'binary':
          return new Binary();
        case 'date':
          return new DateDay();
        case 'timestamp':
          return new TimestampMicrosecond('UTC');
        case 'timestamp_ntz':
          return new TimestampMicrosecond();
        case 'void':
          return new Null();
        case 'variant':
          return new Struct(VARIANT_FIELDS.map((n) => new Field(n, new Binary(), n !== 'metadata')));
      }
  }
}

/** The Arrow field of a Delta struct field, under its logical name. */
export function arrowField(f: StructField): Field {
  return new Field(f.name, arrowType(f.type), f.nullable);
}

/** The Arrow schema of a list of logical fields. */
export function arrowSchema(fields: readonly StructField[]): Schema {
  return new Schema(fields.map(arrowField));
}
