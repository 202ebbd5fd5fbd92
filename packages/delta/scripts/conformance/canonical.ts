import { createHash } from 'node:crypto';
import type { Data, RecordBatch } from 'apache-arrow';
import {
  decodeVariant,
  formatDate,
  formatDecimal,
  formatMicros,
  VariantScalar,
  type VariantValue,
} from '../../src/arrow/variant.ts';
import type { DeltaType, StructField } from '../../src/schema/types.ts';

/** A canonical value: a string, null, or nested arrays/objects of them (the corpus answer format). */
type CanonicalValue = string | null | readonly CanonicalValue[] | { readonly [k: string]: CanonicalValue };

/** Reads canonical values of one Arrow column chunk by row index (ANSWERS.md "Canonical rows"). */
export type CanonicalReader = (row: number) => CanonicalValue;

const utf8 = new TextDecoder();

/** The shortest decimal that reads back as the same float32 (`0.1`, not `0.10000000149011612`). */
export function canonicalFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (v === 0) return '0';
  for (let p = 1; p <= 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return String(s);
  }
  return String(v);
}

/** `String(x)` with `-0` as `0` and the non-finite names. */
export function canonicalDouble(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  return Object.is(v, -0) ? '0' : String(v);
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

function variantJson(v: VariantValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v).toString('base64'));
  if (Array.isArray(v)) return `[${v.map(variantJson).join(',')}]`;
  if (v instanceof VariantScalar) return v.kind === 'decimal' ? v.text : JSON.stringify(v.text);
  const o = v as Record<string, VariantValue>;
  const keys = Object.keys(o).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${variantJson(o[k] as VariantValue)}`).join(',')}}`;
}

/** Canonical JSON of a decoded variant: object keys sorted, integers exact. */
export function canonicalVariant(metadata: Uint8Array, value: Uint8Array): string {
  return variantJson(decodeVariant(metadata, value));
}

/** A reader of canonical values for one column chunk of Delta type `t`. */
export function canonicalReader(data: Data, t: DeltaType): CanonicalReader {
  const valid = (i: number): boolean => data.nullCount === 0 || data.getValid(i);
  // arrow-js slices value and offset buffers when it slices Data; `offset` only positions the
  // validity bitmap and boolean bits.
  const off = data.offset;
  switch (t.kind) {
    case 'decimal': {
      const words = data.values as Uint32Array;
      return (i) => {
        if (!valid(i)) return null;
        const at = i * 4;
        let v = 0n;
        for (let w = 3; w >= 0; w--) v = (v << 32n) | BigInt(words[at + w] as number);
        return formatDecimal(BigInt.asIntN(128, v), t.scale);
      };
    }
    case 'struct': {
      const readers = t.fields.map((f, j) => [f.name, canonicalReader(data.children[j] as Data, f.type)] as const);
      return (i) => {
        if (!valid(i)) return null;
        const o: Record<string, CanonicalValue> = {};
        for (const [name, r] of readers) o[name] = r(i);
        return o;
      };
    }
    case 'array': {
      const offsets = data.valueOffsets;
      const child = canonicalReader(data.children[0] as Data, t.elementType);
      return (i) => {
        if (!valid(i)) return null;
        const out: CanonicalValue[] = [];
        for (let k = offsets[i] as number; k < (offsets[i + 1] as number); k++) out.push(child(k));
        return out;
      };
    }
    case 'map': {
      const offsets = data.valueOffsets;
      const entries = data.children[0] as Data;
      const key = canonicalReader(entries.children[0] as Data, t.keyType);
      const value = canonicalReader(entries.children[1] as Data, t.valueType);
      return (i) => {
        if (!valid(i)) return null;
        const pairs: [string, CanonicalValue][] = [];
        for (let k = offsets[i] as number; k < (offsets[i + 1] as number); k++) {
          const pair: CanonicalValue[] = [key(k), value(k)];
          pairs.push([JSON.stringify(pair), pair]);
        }
        pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
        return pairs.map((p) => p[1]);
      };
    }
    case 'primitive':
      break;
  }
  const values = data.values;
  switch (t.name) {
    case 'string':
    case 'binary': {
      const offsets = data.valueOffsets;
      const bytes = data.values as Uint8Array;
      const isString = t.name === 'string';
      return (i) => {
        if (!valid(i)) return null;
        const s = bytes.subarray(offsets[i] as number, offsets[i + 1] as number);
        return isString ? utf8.decode(s) : hex(s);
      };
    }
    case 'boolean':
      return (i) => {
        if (!valid(i)) return null;
        const bit = off + i;
        return ((values as Uint8Array)[bit >> 3] as number) & (1 << (bit & 7)) ? 'true' : 'false';
      };
    case 'float':
      return (i) => (valid(i) ? canonicalFloat((values as Float32Array)[i] as number) : null);
    case 'double':
      return (i) => (valid(i) ? canonicalDouble((values as Float64Array)[i] as number) : null);
    case 'date':
      return (i) => (valid(i) ? formatDate((values as Int32Array)[i] as number) : null);
    case 'timestamp':
      return (i) => (valid(i) ? `${formatMicros((values as BigInt64Array)[i] as bigint)}Z` : null);
    case 'void':
      return () => null;
    case 'timestamp_ntz':
      return (i) => (valid(i) ? formatMicros((values as BigInt64Array)[i] as bigint) : null);
    case 'variant': {
      const value = data.children[0] as Data;
      const metadata = data.children[1] as Data;
      const bin = (d: Data, i: number): Uint8Array | undefined =>
        d.nullCount > 0 && !d.getValid(i)
          ? undefined
          : (d.values as Uint8Array).subarray(d.valueOffsets[i] as number, d.valueOffsets[i + 1] as number);
      return (i) => {
        if (!valid(i)) return null;
        const v = bin(value, i);
        const m = bin(metadata, i);
        return v && m ? canonicalVariant(m, v) : null;
      };
    }
    default:
      return (i) => (valid(i) ? String((values as ArrayLike<number | bigint>)[i]) : null);
  }
}

/** Canonical rows and per-column values of a set of batches, unsorted. */
export interface CanonicalData {
  readonly rows: string[];
  readonly columns: Map<string, string[]>;
}

/** Encodes every row of `batches` (whose columns are `fields`, in order) canonically. */
export function canonicalize(batches: Iterable<RecordBatch>, fields: readonly StructField[]): CanonicalData {
  const rows: string[] = [];
  const columns = new Map<string, string[]>(fields.map((f) => [f.name, []]));
  const cols = fields.map((f) => columns.get(f.name) as string[]);
  for (const batch of batches) {
    const readers = fields.map((f, j) => canonicalReader(batch.data.children[j] as Data, f.type));
    for (let i = 0; i < batch.numRows; i++) {
      const row = readers.map((r) => r(i));
      rows.push(JSON.stringify(row));
      for (let j = 0; j < row.length; j++) (cols[j] as string[]).push(JSON.stringify(row[j]));
    }
  }
  return { rows, columns };
}

/** `sha256:` + hex of sha256 over each string followed by a newline, after sorting. */
export function hashLines(lines: string[]): string {
  lines.sort();
  const h = createHash('sha256');
  for (const l of lines) {
    h.update(l);
    h.update('\n');
  }
  return `sha256:${h.digest('hex')}`;
}
