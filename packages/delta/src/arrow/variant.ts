import { DeltaError } from '../errors.ts';

/** A decoded variant value: JSON-like, with bigint for 64-bit integers and typed wrappers for the rest. */
export type VariantValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | VariantScalar
  | readonly VariantValue[]
  | { readonly [key: string]: VariantValue };

/** A variant primitive without a JSON counterpart (decimal, date, timestamp, time, uuid), kept as exact text. */
export class VariantScalar {
  readonly kind: 'decimal' | 'date' | 'timestamp' | 'timestamp_ntz' | 'time' | 'uuid';
  readonly text: string;
  constructor(kind: VariantScalar['kind'], text: string) {
    this.kind = kind;
    this.text = text;
  }
}

function corrupt(why: string): never {
  throw new DeltaError('invalid-log', `variant value is corrupt: ${why}`, {
    hint: 'the variant column does not follow the Variant binary encoding (parquet-format VariantEncoding.md)',
  });
}

function readUint(b: Uint8Array, pos: number, size: number): number {
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + (b[pos + i] as number);
  return v;
}

const utf8 = new TextDecoder();

/** The dictionary of a variant metadata buffer. */
function variantDictionary(metadata: Uint8Array): string[] {
  const header = metadata[0];
  if (header === undefined) corrupt('empty metadata');
  if ((header & 0x0f) !== 1) corrupt(`unknown metadata version ${header & 0x0f}`);
  const offSize = ((header >> 6) & 0x03) + 1;
  const n = readUint(metadata, 1, offSize);
  const offsetsAt = 1 + offSize;
  const bytesAt = offsetsAt + (n + 1) * offSize;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = readUint(metadata, offsetsAt + i * offSize, offSize);
    const e = readUint(metadata, offsetsAt + (i + 1) * offSize, offSize);
    out.push(utf8.decode(metadata.subarray(bytesAt + s, bytesAt + e)));
  }
  return out;
}

function pad(n: number | bigint, w: number): string {
  return String(n).padStart(w, '0');
}

function civil(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const ys = y >= 0 && y <= 9999 ? pad(y, 4) : `${y < 0 ? '-' : '+'}${pad(Math.abs(y), 6)}`;
  return `${ys}-${pad(m, 2)}-${pad(d, 2)}`;
}

/** `YYYY-MM-DD` of days since 1970-01-01 (proleptic Gregorian; years outside 0-9999 as ±YYYYYY). */
export function formatDate(days: number): string {
  return civil(days);
}

/** `YYYY-MM-DDTHH:MM:SS.ffffff` of microseconds since the epoch. */
export function formatMicros(us: bigint): string {
  let days = us / 86_400_000_000n;
  let rem = us % 86_400_000_000n;
  if (rem < 0n) {
    rem += 86_400_000_000n;
    days -= 1n;
  }
  const secs = rem / 1_000_000n;
  const frac = rem % 1_000_000n;
  return `${civil(Number(days))}T${pad(secs / 3600n, 2)}:${pad((secs / 60n) % 60n, 2)}:${pad(secs % 60n, 2)}.${pad(frac, 6)}`;
}

/** Formats an unscaled integer as a fixed-point decimal with exactly `scale` fraction digits. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString();
  if (scale <= 0) return (neg ? '-' : '') + digits + '0'.repeat(-scale);
  const padded = digits.padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`;
}

function readSigned(b: Uint8Array, pos: number, size: number): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[pos + i] as number);
  return BigInt.asIntN(size * 8, v);
}

/** Decodes one variant (metadata + value buffers, parquet-format VariantEncoding.md) into a {@link VariantValue}. */
export function decodeVariant(metadata: Uint8Array, value: Uint8Array): VariantValue {
  const dict = variantDictionary(metadata);
  return decodeAt(dict, value, 0);
}

function decodeAt(dict: readonly string[], b: Uint8Array, pos: number): VariantValue {
  const header = b[pos];
  if (header === undefined) corrupt('truncated value');
  const basic = header & 0x03;
  const vh = header >> 2;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (basic === 1) return utf8.decode(b.subarray(pos + 1, pos + 1 + vh));
  if (basic === 2 || basic === 3) {
    const offSize = (vh & 0x03) + 1;
    if (basic === 2) {
      const idSize = ((vh >> 2) & 0x03) + 1;
      const large = (vh >> 4) & 1;
      const nSize = large ? 4 : 1;
      const n = readUint(b, pos + 1, nSize);
      const idsAt = pos + 1 + nSize;
      const offsAt = idsAt + n * idSize;
      const valuesAt = offsAt + (n + 1) * offSize;
      const out: Record<string, VariantValue> = {};
      for (let i = 0; i < n; i++) {
        const key = dict[readUint(b, idsAt + i * idSize, idSize)];
        if (key === undefined) corrupt('field id outside the dictionary');
        out[key] = decodeAt(dict, b, valuesAt + readUint(b, offsAt + i * offSize, offSize));
      }
      return out;
    }
    const large = (vh >> 2) & 1;
    const nSize = large ? 4 : 1;
    const n = readUint(b, pos + 1, nSize);
    const offsAt = pos + 1 + nSize;
    const valuesAt = offsAt + (n + 1) * offSize;
    const out: VariantValue[] = [];
    for (let i = 0; i < n; i++) out.push(decodeAt(dict, b, valuesAt + readUint(b, offsAt + i * offSize, offSize)));
    return out;
  }
  const p = pos + 1;
  switch (vh) {
    case 0:
      return null;
    case 1:
      return true;
    case 2:
      return false;
    case 3:
      return view.getInt8(p);
    case 4:
      return view.getInt16(p, true);
    case 5:
      return view.getInt32(p, true);
    case 6:
      return view.getBigInt64(p, true);
    case 7:
      return view.getFloat64(p, true);
    case 8:
    case 9:
    case 10: {
      const scale = b[p] as number;
      const size = vh === 8 ? 4 : vh === 9 ? 8 : 16;
      return new VariantScalar('decimal', formatDecimal(readSigned(b, p + 1, size), scale));
    }
    case 11:
      return new VariantScalar('date', formatDate(view.getInt32(p, true)));
    case 12:
      return new VariantScalar('timestamp', `${formatMicros(view.getBigInt64(p, true))}Z`);
    case 13:
      return new VariantScalar('timestamp_ntz', formatMicros(view.getBigInt64(p, true)));
    case 14:
      return view.getFloat32(p, true);
    case 15: {
      const len = view.getUint32(p, true);
      return b.slice(p + 4, p + 4 + len);
    }
    case 16: {
      const len = view.getUint32(p, true);
      return utf8.decode(b.subarray(p + 4, p + 4 + len));
    }
    case 17:
      return new VariantScalar('time', String(view.getBigInt64(p, true)));
    case 18:
      return new VariantScalar('timestamp', `${formatMicros(view.getBigInt64(p, true) / 1000n)}Z`);
    case 19:
      return new VariantScalar('timestamp_ntz', formatMicros(view.getBigInt64(p, true) / 1000n));
    case 20: {
      const h = [...b.subarray(p, p + 16)].map((x) => x.toString(16).padStart(2, '0')).join('');
      return new VariantScalar(
        'uuid',
        `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`,
      );
    }
    default:
      return corrupt(`unknown primitive type ${vh}`);
  }
}
