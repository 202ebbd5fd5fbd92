import { describe, expect, it } from 'vitest';
import { random } from '../../delta/test/fixtures/random.ts';
import { HLL_STANDARD_ERROR, HyperLogLog } from '../src/aggregate/hyperloglog.ts';
import { KLL_RANK_ERROR, KllSketch } from '../src/aggregate/kll.ts';

function rankInterval(sorted: Float64Array, v: number): [number, number] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < sorted.length && sorted[end] === v) end++;
  return [lo, end];
}

describe('KllSketch', () => {
  it.each([
    ['uniform', (next: () => number) => next()],
    ['skewed', (next: () => number) => Math.exp(next() * 20)],
    ['few values', (next: () => number) => Math.floor(next() * 7)],
    ['sorted input', (_next: () => number, i: number) => i],
  ])('keeps every quantile of three merged regions within the rank bound (%s)', (_name, draw) => {
    let worst = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const next = random(seed);
      const parts = [new KllSketch(), new KllSketch(), new KllSketch()];
      const all = new Float64Array(60_000);
      for (let i = 0; i < all.length; i++) {
        const v = draw(next, i);
        all[i] = v;
        (parts[i % 3 === 0 ? 0 : next() < 0.7 ? 1 : 2] as KllSketch).add(v);
      }
      all.sort();
      const merged = parts[0] as KllSketch;
      merged.merge(parts[1] as KllSketch);
      merged.merge(parts[2] as KllSketch);
      expect(merged.n).toBe(all.length);
      for (const q of [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1]) {
        const [lo, hi] = rankInterval(all, merged.quantile(q) as number);
        const target = q * all.length;
        const error = target < lo ? lo - target : target > hi ? target - hi : 0;
        worst = Math.max(worst, error / all.length);
      }
    }
    expect(worst).toBeLessThanOrEqual(KLL_RANK_ERROR);
  });

  it('is exact below its capacity and keeps fewer items than it saw above it', () => {
    const sketch = new KllSketch();
    for (let i = 100; i > 0; i--) sketch.add(i);
    expect(sketch.quantile(0.5)).toBe(50);
    expect(sketch.quantile(1)).toBe(100);
    for (let i = 0; i < 1_000_000; i++) sketch.add(i);
    expect(sketch.levels.flat().length).toBeLessThan(1000);
  });

  it('round-trips through its border encoding', () => {
    const sketch = new KllSketch();
    for (let i = 0; i < 10_000; i++) sketch.add(BigInt(i));
    const back = KllSketch.decode(
      JSON.parse(JSON.stringify(sketch.encode(), (_k, v) => (typeof v === 'bigint' ? Number(v) : v))),
    );
    expect(back.n).toBe(10_000);
    expect(Number(back.quantile(0.5))).toBeCloseTo(Number(sketch.quantile(0.5)), -2);
  });
});

describe('HyperLogLog', () => {
  it('merges to the sketch of the union, register for register, within 3 standard errors', () => {
    const parts = [new HyperLogLog(), new HyperLogLog(), new HyperLogLog()];
    const union = new HyperLogLog();
    const next = random(5);
    const truth = new Set<string>();
    for (let i = 0; i < 150_000; i++) {
      const key = `user-${Math.floor(next() * 120_000)}`;
      truth.add(key);
      (parts[i % 3] as HyperLogLog).add(key);
      union.add(key);
    }
    const merged = parts[0] as HyperLogLog;
    merged.merge(parts[1] as HyperLogLog);
    merged.merge(parts[2] as HyperLogLog);
    expect(merged.registers).toEqual(union.registers);
    expect(Math.abs(merged.estimate() - truth.size) / truth.size).toBeLessThanOrEqual(3 * HLL_STANDARD_ERROR);
    expect(HyperLogLog.decode(merged.encode()).registers).toEqual(merged.registers);
  });

  it('counts small sets nearly exactly (linear counting) and sends them sparse', () => {
    const sketch = new HyperLogLog();
    for (let i = 0; i < 500; i++) sketch.add(`k${i % 250}`);
    expect(Math.abs(sketch.estimate() - 250)).toBeLessThanOrEqual(3);
    const encoded = sketch.encode();
    expect('sparse' in encoded && encoded.sparse.length).toBeLessThanOrEqual(500);
  });
});
