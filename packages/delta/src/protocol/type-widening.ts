import { DeltaError } from '../errors.ts';
import {
  type DeltaSchema,
  type DeltaType,
  formatDeltaType,
  parseDeltaType,
  type StructField,
} from '../schema/types.ts';

const INTEGER_RANK: Record<string, number> = { byte: 1, short: 2, integer: 3, long: 4 };

// Digits of each integer type, as Spark's DecimalType.forType counts them (byte 3, short 5, int 10, long 20).
const INTEGER_DIGITS: Record<string, number> = { byte: 3, short: 5, integer: 10, long: 20 };

/**
 * Whether PROTOCOL.md "Type Widening" lists the change `from` -> `to`. With `preview`, also the
 * changes tables under the `typeWidening-preview` feature could record: Delta Spark's preview took
 * an integer to any decimal with room for its digits (byte -> decimal(4,1)), where the final
 * feature asks for 10 integer digits whatever the integer type (for Iceberg compatibility).
 */
export function isSupportedWidening(from: DeltaType, to: DeltaType, preview = false): boolean {
  if (preview && from.kind === 'primitive' && to.kind === 'decimal') {
    const digits = INTEGER_DIGITS[from.name];
    if (digits !== undefined && to.scale >= 0 && to.precision - to.scale >= digits) return true;
  }
  if (from.kind === 'primitive' && to.kind === 'primitive') {
    const f = INTEGER_RANK[from.name];
    const t = INTEGER_RANK[to.name];
    if (f !== undefined && t !== undefined) return f < t;
    if (from.name === 'float' && to.name === 'double') return true;
    if (f !== undefined && f <= 3 && to.name === 'double') return true;
    if (from.name === 'date' && to.name === 'timestamp_ntz') return true;
    return false;
  }
  if (from.kind === 'decimal' && to.kind === 'decimal') {
    const k1 = to.precision - from.precision;
    const k2 = to.scale - from.scale;
    return k1 >= k2 && k2 >= 0 && (k1 > 0 || k2 > 0);
  }
  if (from.kind === 'primitive' && to.kind === 'decimal') {
    const r = INTEGER_RANK[from.name];
    if (r === undefined) return false;
    const k1 = to.precision - (r === 4 ? 20 : 10);
    return k1 >= to.scale && to.scale >= 0;
  }
  return false;
}

function* fieldsOf(fields: readonly StructField[], path: string): Generator<[StructField, string]> {
  for (const f of fields) {
    const here = path === '' ? f.name : `${path}.${f.name}`;
    yield [f, here];
    // Struct fields nested in arrays and maps carry their own metadata.
    const stack: DeltaType[] = [f.type];
    for (let t = stack.pop(); t !== undefined; t = stack.pop()) {
      if (t.kind === 'struct') yield* fieldsOf(t.fields, here);
      else if (t.kind === 'array') stack.push(t.elementType);
      else if (t.kind === 'map') stack.push(t.keyType, t.valueType);
    }
  }
}

/**
 * Refuses a schema whose `delta.typeChanges` history holds a change this reader cannot convert
 * (PROTOCOL.md "Reader Requirements for Type Widening": readers must fail on unsupported changes).
 */
export function assertTypeChangesReadable(schema: DeltaSchema, uri: string, preview = false): void {
  for (const [field, path] of fieldsOf(schema.fields, '')) {
    const changes = field.metadata['delta.typeChanges'];
    if (!Array.isArray(changes)) continue;
    for (const c of changes as { fromType?: unknown; toType?: unknown; fieldPath?: unknown }[]) {
      let ok = false;
      let text = `${String(c.fromType)} -> ${String(c.toType)}`;
      try {
        const from = parseDeltaType(c.fromType, path);
        const to = parseDeltaType(c.toType, path);
        text = `${formatDeltaType(from)} -> ${formatDeltaType(to)}`;
        ok = isSupportedWidening(from, to, preview);
      } catch {
        ok = false;
      }
      if (!ok) {
        const at = typeof c.fieldPath === 'string' ? `${path}.${c.fieldPath}` : path;
        throw new DeltaError(
          'unsupported-reader-feature',
          `column ${at} went through type change ${text}, which reader feature '${preview ? 'typeWidening-preview' : 'typeWidening'}' does not define`,
          {
            path: uri,
            hint: 'read the table with the engine that widened the column, or rewrite the affected files',
          },
        );
      }
    }
  }
}
