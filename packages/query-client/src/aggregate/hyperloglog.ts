/**
 * HyperLogLog (Flajolet, Fusy, Gandouet, Meunier 2007) for approx_count_distinct: 2^14 registers, each the longest
 * run of leading zeros seen among the values hashed to it. Registers merge by maximum, so regions' sketches combine
 * into the sketch of the union. Standard error 1.04 / sqrt(2^14) = 0.81 % (the paper's bound for m registers);
 * below 2.5 m the estimate switches to linear counting (the paper's small-range correction), which is near exact.
 */
const HLL_PRECISION = 14;
const M = 1 << HLL_PRECISION;
/** The relative standard error of {@link HyperLogLog.estimate}: 1.04 / sqrt(m). */
export const HLL_STANDARD_ERROR = 1.04 / Math.sqrt(M);

/** MurmurHash3's 32-bit finaliser over a string's UTF-16 units (one fixed hash everywhere, so sketches merge). */
function murmur32(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    let k = text.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= text.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A HyperLogLog sketch of the distinct values added (values given as their canonical key strings). */
export class HyperLogLog {
  readonly registers: Uint8Array;

  constructor(registers?: Uint8Array) {
    this.registers = registers ?? new Uint8Array(M);
  }

  add(key: string): void {
    // Two independent 32-bit hashes: one picks the register, the other's leading zeros are the observation.
    const index = murmur32(key, 0x9747b28c) & (M - 1);
    const rank = Math.clz32(murmur32(key, 0x5bd1e995)) + 1;
    if (rank > (this.registers[index] as number)) this.registers[index] = rank;
  }

  merge(other: HyperLogLog): void {
    for (let i = 0; i < M; i++) {
      const r = other.registers[i] as number;
      if (r > (this.registers[i] as number)) this.registers[i] = r;
    }
  }

  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < M; i++) {
      const r = this.registers[i] as number;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / M);
    const raw = (alpha * M * M) / sum;
    if (raw <= 2.5 * M && zeros > 0) return Math.round(M * Math.log(M / zeros));
    return Math.round(raw);
  }

  /** The registers as sent across a border: the non-zero ones as (index, rank) pairs while that is smaller. */
  encode(): { sparse: number[] } | { dense: string } {
    const pairs: number[] = [];
    for (let i = 0; i < M && pairs.length < M / 2; i++) {
      const r = this.registers[i] as number;
      if (r !== 0) pairs.push(i, r);
    }
    if (pairs.length < M / 2) return { sparse: pairs };
    return { dense: Buffer.from(this.registers).toString('base64') };
  }

  static decode(encoded: { sparse: number[] } | { dense: string }): HyperLogLog {
    if ('dense' in encoded) return new HyperLogLog(new Uint8Array(Buffer.from(encoded.dense, 'base64')));
    const sketch = new HyperLogLog();
    for (let i = 0; i < encoded.sparse.length; i += 2) {
      sketch.registers[encoded.sparse[i] as number] = encoded.sparse[i + 1] as number;
    }
    return sketch;
  }
}
