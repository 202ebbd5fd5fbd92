import { type DataType, type Decimal, Type } from 'apache-arrow';
import { compareScalars } from './compare.ts';
import { HyperLogLog } from './hyperloglog.ts';
import { KllSketch, type SketchItem } from './kll.ts';

/** A value read from an Arrow column (decimals as their unscaled bigint). */
export type Value = string | number | bigint | boolean | null;

/**
 * Every aggregate function, and the partial state a region ships for it (docs/decisions "partial and final
 * aggregates"): count (n), sum (the sum; exact bigint for integers and decimals), min, max, avg (sum, n),
 * var_samp / var_pop / stddev_samp / stddev_pop (n, sum, sum of squares: exact bigints for integers and decimals,
 * for doubles of x - shift with a shift near the mean, see FloatMoments), count_distinct (the distinct
 * values), approx_count_distinct (HyperLogLog registers), approx_quantile (a KLL sketch).
 */
export type AggregateFunction =
  | 'count'
  | 'sum'
  | 'min'
  | 'max'
  | 'avg'
  | 'var_samp'
  | 'var_pop'
  | 'stddev_samp'
  | 'stddev_pop'
  | 'count_distinct'
  | 'approx_count_distinct'
  | 'approx_quantile';

/** The functions and the state each keeps: one record, so a function without its accumulator does not compile. */
interface Accumulator {
  /** A new state for a column of this type (undefined: count(*)); the type is checked before. */
  init(type: DataType | undefined): unknown;
  /** Adds one non-null value (count(*) adds 1 per row). Returns the state (which may be replaced). */
  add(state: unknown, value: Exclude<Value, null>): unknown;
  merge(into: unknown, other: unknown): unknown;
  /** The final value of the state (the output's Arrow type is chosen apart, from the input column's). */
  final(state: unknown, type: DataType | undefined, quantile: number | undefined): Value;
  /** The state as plain JSON data (bigints as strings), as it crosses a border; and back. */
  encode(state: unknown): unknown;
  decode(json: unknown, type: DataType | undefined): unknown;
  /** Whether the state holds values of rows (distinct keys, sketch items, an extreme), not only sums. */
  readonly holdsRowValues: boolean;
}

/** Functions of numbers only: they add values up. */
export const NUMERIC_FUNCTIONS: ReadonlySet<AggregateFunction> = new Set([
  'sum',
  'avg',
  'var_samp',
  'var_pop',
  'stddev_samp',
  'stddev_pop',
]);

/** Doubles are accumulated as doubles; integers and decimals exactly, as bigints. */
function isFloat(type: DataType | undefined): boolean {
  return type?.typeId === Type.Float;
}

/** Whether a column of this type can be summed (integers, decimals, floats). */
export function isNumeric(type: DataType): boolean {
  return type.typeId === Type.Int || type.typeId === Type.Float || type.typeId === Type.Decimal;
}

/** 10^scale of a decimal column, 1 otherwise: exact states are of unscaled integers. */
function scaleOf(type: DataType | undefined): number {
  return type?.typeId === Type.Decimal ? 10 ** (type as Decimal).scale : 1;
}

/** A canonical text of a value, the same in every region (count distinct keys, HyperLogLog input). */
function valueKey(value: Exclude<Value, null>): string {
  return typeof value === 'bigint' ? `${value}` : typeof value === 'string' ? `s${value}` : `${value}`;
}

function toBig(v: Exclude<Value, null>): bigint {
  return typeof v === 'bigint' ? v : BigInt(v as number);
}

/** Neumaier's compensated sum: a double sum whose rounding error does not grow with the row count. */
interface FloatSum {
  s: number;
  c: number;
}
function addFloat(acc: FloatSum, x: number): void {
  const t = acc.s + x;
  acc.c += Math.abs(acc.s) >= Math.abs(x) ? acc.s - t + x : x - t + acc.s;
  acc.s = t;
}

interface ExactMoments {
  n: number;
  s: bigint;
  ss: bigint;
}
/**
 * Doubles: n, and the sum and sum of squares of x - shift, where shift is the first value the state saw. Shifted
 * by a value near the mean, the sums stay of the order of the spread, so sum^2 / n does not cancel away the
 * variance as it does for raw sums when the mean is large (1e9 with a spread of 1: x^2 is 1e18, whose rounding
 * alone is 128). The shift of one state is moved to another's exactly when they are within a factor of 2.
 */
interface FloatMoments {
  n: number;
  shift: number;
  s1: number;
  s2: number;
}

function variance(state: ExactMoments | FloatMoments, type: DataType | undefined, sample: boolean): number | null {
  const n = state.n;
  if (n < (sample ? 2 : 1)) return null;
  if ('ss' in state) {
    // n * sum(x^2) - sum(x)^2 is exact in bigint and never negative: no cancellation, whatever the mean.
    const numerator = BigInt(n) * state.ss - state.s * state.s;
    const denominator = BigInt(n) * BigInt(sample ? n - 1 : n);
    const scale = scaleOf(type);
    return Number(numerator) / Number(denominator) / (scale * scale);
  }
  return Math.max(0, state.s2 - (state.s1 * state.s1) / n) / (sample ? n - 1 : n);
}

/** A float state's sums re-expressed around another shift: sum(x - b) = s1 + n d, sum((x - b)^2) = s2 + 2 d s1 + n d^2. */
function reshift(m: FloatMoments, shift: number): FloatMoments {
  const d = m.shift - shift;
  return { n: m.n, shift, s1: m.s1 + m.n * d, s2: m.s2 + 2 * d * m.s1 + m.n * d * d };
}

function moments(stddev: boolean, sample: boolean): Accumulator {
  return {
    holdsRowValues: false,
    init: (type) => (isFloat(type) ? { n: 0, shift: 0, s1: 0, s2: 0 } : { n: 0, s: 0n, ss: 0n }),
    add(state, value) {
      const m = state as ExactMoments | FloatMoments;
      if ('ss' in m) {
        const x = toBig(value);
        m.n++;
        m.s += x;
        m.ss += x * x;
      } else {
        const x = Number(value);
        if (m.n === 0) m.shift = x;
        const d = x - m.shift;
        m.n++;
        m.s1 += d;
        m.s2 += d * d;
      }
      return m;
    },
    merge(into, other) {
      const a = into as ExactMoments | FloatMoments;
      const b = other as ExactMoments | FloatMoments;
      if ('ss' in a && 'ss' in b) {
        a.n += b.n;
        a.s += b.s;
        a.ss += b.ss;
        return a;
      }
      const fa = a as FloatMoments;
      const fb = b as FloatMoments;
      if (fb.n === 0) return fa;
      if (fa.n === 0) return { ...fb };
      const moved = reshift(fb, fa.shift);
      return { n: fa.n + fb.n, shift: fa.shift, s1: fa.s1 + moved.s1, s2: fa.s2 + moved.s2 };
    },
    final(state, type) {
      const v = variance(state as ExactMoments | FloatMoments, type, sample);
      return v === null ? null : stddev ? Math.sqrt(v) : v;
    },
    encode(state) {
      const m = state as ExactMoments | FloatMoments;
      return 'ss' in m ? [m.n, `${m.s}`, `${m.ss}`] : [m.n, m.shift, m.s1, m.s2];
    },
    decode(json) {
      const [n, a, b, c] = json as [number, string | number, string | number, number];
      return typeof a === 'string' ? { n, s: BigInt(a), ss: BigInt(b) } : { n, shift: a, s1: b as number, s2: c };
    },
  };
}

function extreme(pick: (a: Exclude<Value, null>, b: Exclude<Value, null>) => boolean): Accumulator {
  return {
    holdsRowValues: true,
    init: () => ({ v: null as Value }),
    add(state, value) {
      const s = state as { v: Value };
      if (s.v === null || pick(value, s.v)) s.v = value;
      return s;
    },
    merge(into, other) {
      const o = (other as { v: Value }).v;
      return o === null ? into : this.add(into, o);
    },
    final: (state) => (state as { v: Value }).v,
    encode: (state) => {
      const v = (state as { v: Value }).v;
      return typeof v === 'bigint' ? { b: `${v}` } : v;
    },
    decode: (json) => ({
      v: typeof json === 'object' && json !== null ? BigInt((json as { b: string }).b) : (json as Value),
    }),
  };
}

function sumState(): Accumulator {
  return {
    holdsRowValues: false,
    init: (type) => (isFloat(type) ? { s: 0, c: 0, n: 0 } : { exact: 0n, n: 0 }),
    add(state, value) {
      const s = state as { exact: bigint; n: number } | (FloatSum & { n: number });
      s.n++;
      if ('exact' in s) s.exact += toBig(value);
      else addFloat(s, Number(value));
      return s;
    },
    merge(into, other) {
      const a = into as { exact: bigint; n: number } | (FloatSum & { n: number });
      const b = other as typeof a;
      a.n += b.n;
      if ('exact' in a && 'exact' in b) a.exact += b.exact;
      else if (!('exact' in a) && !('exact' in b)) {
        addFloat(a, b.s);
        addFloat(a, b.c);
      }
      return a;
    },
    final(state) {
      const s = state as { exact: bigint; n: number } | (FloatSum & { n: number });
      if (s.n === 0) return null;
      return 'exact' in s ? s.exact : s.s + s.c;
    },
    encode(state) {
      const s = state as { exact: bigint; n: number } | (FloatSum & { n: number });
      return 'exact' in s ? [s.n, `${s.exact}`] : [s.n, s.s, s.c];
    },
    decode(json) {
      const [n, a, c] = json as [number, string | number, number];
      return typeof a === 'string' ? { n, exact: BigInt(a) } : { n, s: a, c };
    },
  };
}

/** The accumulator of every function. */
export const ACCUMULATORS: Readonly<Record<AggregateFunction, Accumulator>> = {
  count: {
    holdsRowValues: false,
    init: () => ({ n: 0 }),
    add(state) {
      (state as { n: number }).n++;
      return state;
    },
    merge(into, other) {
      (into as { n: number }).n += (other as { n: number }).n;
      return into;
    },
    final: (state) => BigInt((state as { n: number }).n),
    encode: (state) => (state as { n: number }).n,
    decode: (json) => ({ n: json as number }),
  },
  sum: sumState(),
  min: extreme((a, b) => compareScalars(a, b) < 0),
  max: extreme((a, b) => compareScalars(a, b) > 0),
  avg: {
    ...sumState(),
    final(state, type) {
      const s = state as { exact: bigint; n: number } | (FloatSum & { n: number });
      if (s.n === 0) return null;
      return 'exact' in s ? Number(s.exact) / scaleOf(type) / s.n : (s.s + s.c) / s.n;
    },
  },
  var_samp: moments(false, true),
  var_pop: moments(false, false),
  stddev_samp: moments(true, true),
  stddev_pop: moments(true, false),
  count_distinct: {
    holdsRowValues: true,
    init: () => new Set<string>(),
    add(state, value) {
      (state as Set<string>).add(valueKey(value));
      return state;
    },
    merge(into, other) {
      for (const key of other as Set<string>) (into as Set<string>).add(key);
      return into;
    },
    final: (state) => BigInt((state as Set<string>).size),
    encode: (state) => [...(state as Set<string>)],
    decode: (json) => new Set(json as string[]),
  },
  approx_count_distinct: {
    holdsRowValues: true,
    init: () => new HyperLogLog(),
    add(state, value) {
      (state as HyperLogLog).add(valueKey(value));
      return state;
    },
    merge(into, other) {
      (into as HyperLogLog).merge(other as HyperLogLog);
      return into;
    },
    final: (state) => BigInt((state as HyperLogLog).estimate()),
    encode: (state) => (state as HyperLogLog).encode(),
    decode: (json) => HyperLogLog.decode(json as Parameters<typeof HyperLogLog.decode>[0]),
  },
  approx_quantile: {
    holdsRowValues: true,
    init: () => new KllSketch(),
    add(state, value) {
      (state as KllSketch).add(value as SketchItem);
      return state;
    },
    merge(into, other) {
      (into as KllSketch).merge(other as KllSketch);
      return into;
    },
    final: (state, _type, quantile) => (state as KllSketch).quantile(quantile ?? 0.5) ?? null,
    encode(state) {
      const { n, levels } = (state as KllSketch).encode();
      return { n, levels: levels.map((l) => l.map((v) => (typeof v === 'bigint' ? { b: `${v}` } : v))) };
    },
    decode(json) {
      const { n, levels } = json as { n: number; levels: (SketchItem | { b: string })[][] };
      return KllSketch.decode({
        n,
        levels: levels.map((l) => l.map((v) => (typeof v === 'object' ? BigInt(v.b) : v))),
      });
    },
  },
};
