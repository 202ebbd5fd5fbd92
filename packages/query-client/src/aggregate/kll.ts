/**
 * A KLL quantile sketch (Karnin, Lang, Liberty 2016, "Optimal Quantile Approximation in Streams") for
 * approx_quantile: items sit in levels, an item of level h standing for 2^h inputs; a full level is sorted and
 * every other item (odd or even positions, by a coin) moves up, halving it. Capacities shrink by 2/3 a level
 * downwards from k = 200 at the top. Sketches merge level by level, then compact, so regions' sketches combine
 * into a sketch of the union with the same guarantee.
 *
 * Error bound: the returned item's rank is within KLL_RANK_ERROR * n of q * n; 1.65 % is Apache DataSketches'
 * published normalized rank error of KLL at k = 200 (99 % confidence). Up to about 3 k inputs nothing is compacted
 * and the answer is exact. test/sketches.test.ts checks the bound against DuckDB's exact ranks.
 */
import { compareScalars } from './compare.ts';

const KLL_K = 200;
/** The rank error bound of {@link KllSketch.quantile}, as a fraction of the input count. */
export const KLL_RANK_ERROR = 0.0165;

/** What a sketch orders: numbers, bigints (64-bit integers, decimals unscaled) or strings. */
export type SketchItem = number | bigint | string;

// As min, max and ORDER BY order them (strings by code point, NaN last).
const compare: (a: SketchItem, b: SketchItem) => number = compareScalars;

/** A mergeable quantile sketch of the items added. */
export class KllSketch {
  n = 0;
  levels: SketchItem[][] = [[]];
  // xorshift32: a deterministic coin, so one query run twice gives one answer.
  private state = 0x2545f491;

  add(item: SketchItem): void {
    (this.levels[0] as SketchItem[]).push(item);
    this.n++;
    if ((this.levels[0] as SketchItem[]).length >= this.capacity(0)) this.compress();
  }

  merge(other: KllSketch): void {
    this.n += other.n;
    while (this.levels.length < other.levels.length) this.levels.push([]);
    for (const [h, items] of other.levels.entries()) (this.levels[h] as SketchItem[]).push(...items);
    this.compress();
  }

  /** The item at rank q * n (0 <= q <= 1), within the error bound; undefined for an empty sketch. */
  quantile(q: number): SketchItem | undefined {
    const weighted: [SketchItem, number][] = [];
    for (const [h, items] of this.levels.entries()) for (const item of items) weighted.push([item, 2 ** h]);
    if (weighted.length === 0) return undefined;
    weighted.sort((a, b) => compare(a[0], b[0]));
    const total = weighted.reduce((s, [, w]) => s + w, 0);
    const target = q * total;
    let seen = 0;
    for (const [item, weight] of weighted) {
      seen += weight;
      if (seen >= target) return item;
    }
    return (weighted.at(-1) as [SketchItem, number])[0];
  }

  private capacity(h: number): number {
    const depth = this.levels.length - 1 - h;
    return Math.max(2, Math.ceil(KLL_K * (2 / 3) ** depth));
  }

  private compress(): void {
    for (;;) {
      let size = 0;
      let capacity = 0;
      for (let h = 0; h < this.levels.length; h++) {
        size += (this.levels[h] as SketchItem[]).length;
        capacity += this.capacity(h);
      }
      if (size < capacity) return;
      const h = this.levels.findIndex((items, level) => items.length >= this.capacity(level));
      this.compact(h);
    }
  }

  private compact(h: number): void {
    if (h + 1 === this.levels.length) this.levels.push([]);
    const items = this.levels[h] as SketchItem[];
    // An odd item out stays at its level (taken before sorting, so it is no particular end of the order).
    const kept = items.length % 2 === 1 ? [items.pop() as SketchItem] : [];
    items.sort(compare);
    this.state ^= this.state << 13;
    this.state ^= this.state >>> 17;
    this.state ^= this.state << 5;
    const offset = this.state & 1;
    const up = this.levels[h + 1] as SketchItem[];
    for (let i = offset; i < items.length; i += 2) up.push(items[i] as SketchItem);
    this.levels[h] = kept;
  }

  encode(): { n: number; levels: SketchItem[][] } {
    return { n: this.n, levels: this.levels };
  }

  static decode(encoded: { n: number; levels: SketchItem[][] }): KllSketch {
    const sketch = new KllSketch();
    sketch.n = encoded.n;
    sketch.levels = encoded.levels.map((l) => [...l]);
    return sketch;
  }
}
