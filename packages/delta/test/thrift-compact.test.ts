import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { relabelInt96 } from '../src/parquet/int96.ts';
import { encodeThriftStruct, readThriftStruct, setThriftField } from '../src/parquet/thrift-compact.ts';
import { footerOf, parquetFiles } from './support/parquet-footer.ts';
import { corpus } from './support/shared-corpus.ts';

// The compact protocol read and written back (thrift-compact.ts), as the transcoder (transcode.test.ts) uses it.
describe('Thrift compact protocol', () => {
  it('writes every compact type back byte for byte, and a field set again keeps its wire type', () => {
    // i32, double, a long-form field id (a gap over 15) holding a negative i64, a list of booleans, a map, a list
    // of 15 (its size in a varint), booleans, a byte, an empty map, a struct, an i64 past 2^53, an i16.
    const hex =
      '150917000000000000f83f0628ffdfa596bb1119310102011b018501610219f50f00020406080a0c0e10121416181a1c111213ff1b001c18017800168080808080808080800114d80400';
    const bytes = Uint8Array.from(Buffer.from(hex, 'hex'));
    const { value, end } = readThriftStruct(bytes, 0, true);
    expect(end).toBe(bytes.length);
    expect([
      value.get(1),
      value.get(2),
      value.get(20),
      value.get(21),
      value.get(26),
      value.get(29),
      value.get(30),
    ]).toEqual([-5, 1.5, -300_000_000_000, [true, false, true], -1, 2n ** 62n, 300]);
    expect(value.get(23)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(Buffer.from(encodeThriftStruct(value)).toString('hex')).toBe(hex);
    // An i16 set again stays an i16 (type 4), whatever the setter's name for it.
    setThriftField(value, 30, 'i32', 301);
    expect(Buffer.from(encodeThriftStruct(value)).toString('hex')).toBe(hex.replace('14d804', '14da04'));
    // Fields read out of order are written in ascending order, short form.
    const shuffled = readThriftStruct(Uint8Array.from(Buffer.from('350e05020200', 'hex')), 0, true).value;
    expect(Buffer.from(encodeThriftStruct(shuffled)).toString('hex')).toBe('1502250e00');
    // New fields of each settable type, one past a gap of 15 ids.
    const fresh = readThriftStruct(Uint8Array.from([0]), 0, true).value;
    setThriftField(fresh, 2, 'bool', false);
    setThriftField(fresh, 3, 'i32', -7);
    setThriftField(fresh, 19, 'i64', 2n ** 60n);
    setThriftField(fresh, 20, 'binary', Uint8Array.from([9]));
    const back = readThriftStruct(encodeThriftStruct(fresh), 0, true).value;
    expect([...back.entries()]).toEqual([...fresh.entries()]);
    expect(() => setThriftField(new Map(), 1, 'i32', 1)).toThrow(TypeError);
  });

  it('reads and writes i64 fields exactly on both sides of 2^49 (seven varint bytes) and 2^53', () => {
    // The reference: zigzag and varint by BigInt arithmetic, here, not the codec's number fast path.
    const encode = (n: bigint): number[] => {
      let v = n >= 0n ? n << 1n : (-n << 1n) - 1n;
      const out: number[] = [];
      while (v >= 0x80n) {
        out.push(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      return [...out, Number(v)];
    };
    const edges = [0n, 1n, 2n ** 48n, 2n ** 49n, 2n ** 52n, 2n ** 53n, 2n ** 56n, 2n ** 63n - 1n];
    const values = edges
      .flatMap((e) => [e - 1n, e, e + 1n, -e - 1n, -e, -e + 1n])
      .filter((v) => v >= -(2n ** 63n) && v < 2n ** 63n);
    for (const v of values) {
      // A struct of one i64 field (id 1), then stop.
      const bytes = Uint8Array.from([0x16, ...encode(v), 0]);
      const { value, end } = readThriftStruct(bytes, 0, true);
      expect(end, `${v}`).toBe(bytes.length);
      const safe = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
      expect(value.get(1), `${v}`).toBe(safe ? Number(v) : v);
      expect(Buffer.from(encodeThriftStruct(value)).toString('hex'), `${v}`).toBe(Buffer.from(bytes).toString('hex'));
    }
  });

  it('refuses to write a field whose wire type it was not told', () => {
    const meta = readThriftStruct(Uint8Array.from([0x15, 0x02, 0x00]), 0, true).value;
    meta.set(99, 1);
    expect(() => encodeThriftStruct(meta)).toThrow(/field 99 has no wire type/);
  });

  it('refuses, at once, a thrift collection whose size runs past its bytes (booleans take no byte to loop on)', () => {
    // A footer-sized struct: field 1, a map of 2^35 - 1 boolean pairs, in 8 bytes.
    const bomb = Uint8Array.from([0x1b, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x11, 0x00]);
    expect(() => readThriftStruct(bomb, 0)).toThrow(/runs past the end/);
    expect(() => readThriftStruct(Uint8Array.from([0x19, 0xf1, 0xff, 0xff, 0xff, 0x7f, 0x00]), 0)).toThrow(/runs past/);
    // The same in a parquet footer is left alone by the INT96 relabelling.
    const file = Uint8Array.from([0x50, 0x41, 0x52, 0x31, ...bomb, 8, 0, 0, 0, 0x50, 0x41, 0x52, 0x31]);
    expect(relabelInt96(file)).toBeUndefined();
    // Booleans in a map are a byte each, read and written back.
    const map = Uint8Array.from([0x1b, 0x02, 0x11, 0x01, 0x02, 0x02, 0x01, 0x00]);
    const { value, end } = readThriftStruct(map, 0, true);
    expect([value.get(1), end]).toEqual([
      [
        [true, false],
        [false, true],
      ],
      map.length,
    ]);
    expect(encodeThriftStruct(value)).toEqual(map);
  });

  it('writes a footer back as it read it: every corpus footer reads back to the same fields', () => {
    for (const file of parquetFiles(corpus)) {
      const bytes = new Uint8Array(readFileSync(file));
      const { meta } = footerOf(bytes);
      const again = readThriftStruct(encodeThriftStruct(meta), 0, true).value;
      expect(again, file).toEqual(meta);
      expect(encodeThriftStruct(again), file).toEqual(encodeThriftStruct(meta));
    }
  });
});
