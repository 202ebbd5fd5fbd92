import { type Data, makeVector, Type } from 'apache-arrow';

/** Reads row `i` of one Arrow column chunk as plain JS data. */
export type PlainReader = (i: number) => unknown;

const utf8 = new TextDecoder();
// Throws on bytes that are not UTF-8, where the lenient decoder would put U+FFFD (one character for one byte).
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether row `i` is valid, read from the validity bitmap directly (Data.getValid is a generic, slower path). */
export function validity(data: Data): (i: number) => boolean {
  const bits = data.nullBitmap;
  if (data.nullCount === 0 || bits === undefined || bits.length === 0) return () => true;
  const off = data.offset;
  return (i) => (((bits[(off + i) >> 3] as number) >> ((off + i) & 7)) & 1) === 1;
}

/**
 * The bytes [start, end) as one string when every byte is ASCII, else undefined. One native UTF-8 decode checks
 * and decodes at once: valid UTF-8 decodes to as many UTF-16 units as it has bytes only when every byte is ASCII
 * (a sequence of 2-4 bytes becomes 1 or 2 units), and bytes that are not UTF-8 throw instead of becoming U+FFFD.
 */
function asciiText(bytes: Uint8Array, start: number, end: number): string | undefined {
  let text: string;
  try {
    text = strictUtf8.decode(bytes.subarray(start, end));
  } catch {
    return undefined;
  }
  return text.length === end - start ? text : undefined;
}

/**
 * A reader of plain values (objects, arrays, numbers, strings; maps as objects) for one column
 * chunk. Built once per chunk, it reads buffers directly: checkpoints with many thousand actions
 * are read without Arrow's per-row proxy objects. arrow-js slices value and offset buffers with
 * the Data, so indexes address them directly; only validity bits use `offset`.
 */
export function plainReader(data: Data, lazy: ReadonlySet<string> = new Set()): PlainReader {
  const valid = validity(data);
  const type = data.type;
  switch (type.typeId) {
    case Type.Struct: {
      const names = type.children.map((f) => f.name);
      const readers = data.children.map((c, j) => (lazy.has(names[j] as string) ? undefined : plainReader(c)));
      return (i) => {
        if (!valid(i)) return null;
        const o: Record<string, unknown> = {};
        for (let j = 0; j < names.length; j++) {
          const r = readers[j];
          const name = names[j] as string;
          if (r) o[name] = r(i);
          else {
            // Converted on first access only (checkpoint `stats_parsed` is large and often unused).
            const child = data.children[j] as Data;
            let cached: unknown;
            let done = false;
            Object.defineProperty(o, name, {
              enumerable: true,
              get: () => {
                if (!done) {
                  cached = plainReader(child)(i);
                  done = true;
                }
                return cached;
              },
            });
          }
        }
        return o;
      };
    }
    case Type.Map: {
      const offsets = data.valueOffsets;
      const entries = data.children[0] as Data;
      const key = plainReader(entries.children[0] as Data);
      const value = plainReader(entries.children[1] as Data);
      return (i) => {
        if (!valid(i)) return null;
        const o: Record<string, unknown> = {};
        for (let k = offsets[i] as number; k < (offsets[i + 1] as number); k++) o[String(key(k))] = value(k);
        return o;
      };
    }
    case Type.List: {
      const offsets = data.valueOffsets;
      const child = plainReader(data.children[0] as Data);
      return (i) => {
        if (!valid(i)) return null;
        const out: unknown[] = [];
        for (let k = offsets[i] as number; k < (offsets[i + 1] as number); k++) out.push(child(k));
        return out;
      };
    }
    case Type.Utf8: {
      const offsets = data.valueOffsets;
      const bytes = data.values as Uint8Array;
      // A checkpoint's paths and stats are thousands of short strings: one TextDecoder call per value costs
      // more than the characters. When the chunk's bytes are all ASCII, byte offsets are character offsets,
      // so the chunk is decoded once and each value is a slice of it.
      const whole = asciiText(bytes, offsets[0] as number, offsets[data.length] as number);
      if (whole !== undefined) {
        const base = offsets[0] as number;
        return (i) => (valid(i) ? whole.slice((offsets[i] as number) - base, (offsets[i + 1] as number) - base) : null);
      }
      return (i) => (valid(i) ? utf8.decode(bytes.subarray(offsets[i] as number, offsets[i + 1] as number)) : null);
    }
    case Type.Binary: {
      const offsets = data.valueOffsets;
      const bytes = data.values as Uint8Array;
      return (i) => (valid(i) ? bytes.slice(offsets[i] as number, offsets[i + 1] as number) : null);
    }
    case Type.Bool: {
      const bits = data.values as Uint8Array;
      const off = data.offset;
      return (i) => (valid(i) ? (((bits[(off + i) >> 3] as number) >> ((off + i) & 7)) & 1) === 1 : null);
    }
    case Type.Int:
    case Type.Float:
    case Type.Date:
    case Type.Timestamp: {
      const values = data.values as ArrayLike<number | bigint>;
      return (i) => {
        if (!valid(i)) return null;
        const v = values[i] as number | bigint;
        return typeof v === 'bigint' ? Number(v) : v;
      };
    }
    default: {
      // Rare types in a checkpoint (decimals in stats_parsed): Arrow's own accessor, as text.
      const v = makeVector(data);
      return (i) => {
        if (!valid(i)) return null;
        const x: unknown = v.get(i);
        return typeof x === 'bigint' ? Number(x) : x !== null && typeof x === 'object' ? String(x) : x;
      };
    }
  }
}
