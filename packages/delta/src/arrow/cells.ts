import type { Data } from 'apache-arrow';

const utf8 = new TextDecoder();

/** The i-th value of a decimal128 column: four little-endian 32-bit words, two's complement. */
export function decimal128At(words: Uint32Array, i: number): bigint {
  let v = 0n;
  for (let w = 3; w >= 0; w--) v = (v << 32n) | BigInt(words[i * 4 + w] as number);
  return BigInt.asIntN(128, v);
}

/**
 * The i-th string of a Utf8 column (32-bit offsets) or a LargeUtf8 one (64-bit offsets, read as bigints), which the
 * writer accepts as a Delta string (write/schema.ts).
 */
export function utf8At(data: Data, i: number): string {
  const offsets = data.valueOffsets as Int32Array | BigInt64Array;
  return utf8.decode((data.values as Uint8Array).subarray(Number(offsets[i]), Number(offsets[i + 1])));
}
