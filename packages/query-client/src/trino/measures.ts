import type { DataType } from 'apache-arrow';
import { ACCUMULATORS, type AggregateFunction, isNumeric, NUMERIC_FUNCTIONS } from '../aggregate/accumulators.ts';
import type { Measure } from '../aggregate/aggregate.ts';
import { QueryError } from '../errors.ts';
import { columnRef, valueExpression } from './sql.ts';
import { decodeValue, type TrinoType, unscaledDecimal } from './types.ts';

/** What a measure's partial state is computed from in Trino: its SQL expressions, and the state their values make. */
interface TrinoMeasure {
  /** SQL aggregate expressions over `x` (the input column reference; undefined for count(*)). */
  select(x: string | undefined, type: TrinoType | undefined, shifted: ShiftedColumn): string[];
  /** The accumulator state of @meridian/query-client's merge from the values of those expressions. */
  state(values: readonly unknown[], input: MeasureInput): unknown;
}

/**
 * Registers `x - min(x) over the group` (a window in an inner query) and returns the names of the difference and of
 * the shift as the outer query sees them: a double's sums are taken of x - shift, as the accumulators do.
 */
export type ShiftedColumn = (x: string) => { readonly difference: string; readonly shift: string };

/** The measure's input column: its name, Trino type and the Arrow type the merge knows it by. */
export interface MeasureInput {
  readonly column: string;
  readonly type: TrinoType | undefined;
  readonly arrow: DataType | undefined;
}

/** Integers and decimals are summed exactly (as the accumulators do); the scale of the unscaled integers. */
function exactScale(type: TrinoType | undefined): number | undefined {
  if (type === undefined) return 0;
  if (type.kind === 'decimal') return type.scale;
  if (type.kind === 'tinyint' || type.kind === 'smallint' || type.kind === 'integer' || type.kind === 'bigint')
    return 0;
  return undefined;
}

/** A count or an exact sum as text (the SQL casts them, see valueExpression), as a bigint. */
function exactNumber(value: unknown, scale: number, what: string): bigint {
  if (value === null || value === undefined) return 0n;
  const unscaled = typeof value === 'string' ? unscaledDecimal(value, scale) : undefined;
  if (unscaled === undefined) {
    throw new QueryError('engine-failed', `Trino returned ${JSON.stringify(value)} for ${what}, not a number`, {
      path: ['trino'],
      hint: 'check the Trino server version',
    });
  }
  return unscaled;
}

function count(value: unknown): number {
  return Number(exactNumber(value, 0, 'a count'));
}

const sumOrAvg: TrinoMeasure = {
  select: (x, type) =>
    exactScale(type) !== undefined
      ? [`CAST(count(${x}) AS varchar)`, `CAST(sum(${x}) AS varchar)`]
      : // sum(real) is a real in Trino: summed as doubles, as the accumulators sum every float.
        [`CAST(count(${x}) AS varchar)`, `sum(CAST(${x} AS double))`],
  state(values, input) {
    const n = count(values[0]);
    const scale = exactScale(input.type);
    if (scale !== undefined) return [n, `${exactNumber(values[1], scale, `the sum of ${input.column}`)}`];
    return [n, n === 0 ? 0 : decodeValue(input.column, { kind: 'double' }, values[1]), 0];
  },
};

/**
 * Variance and standard deviation: (n, sum, sum of squares) exactly for integers and decimals, as decimal(38, s)
 * sums (an overflow is Trino's error, never a rounded sum); for doubles (n, shift, sum of d, sum of d^2) with
 * d = x - shift and the shift the group's minimum: the state the accumulators keep for doubles (docs/decisions 021),
 * whose sums stay of the order of the spread however large the mean (the engine's var_pop differed from ours by up to
 * 4e-8 of the variance with a mean 1e9 times the spread).
 */
const moments: TrinoMeasure = {
  select(x, type, shifted) {
    const scale = exactScale(type);
    if (scale !== undefined) {
      const wide = `CAST(${x} AS decimal(38,${scale}))`;
      return [
        `CAST(count(${x}) AS varchar)`,
        `CAST(sum(${wide}) AS varchar)`,
        `CAST(sum(${wide} * ${wide}) AS varchar)`,
      ];
    }
    const { difference, shift } = shifted(x as string);
    return [
      `CAST(count(${x}) AS varchar)`,
      `min(${shift})`,
      `sum(${difference})`,
      `sum(${difference} * ${difference})`,
    ];
  },
  state(values, input) {
    const n = count(values[0]);
    const scale = exactScale(input.type);
    if (scale !== undefined) {
      return [
        n,
        `${exactNumber(values[1], scale, `the sum of ${input.column}`)}`,
        `${exactNumber(values[2], 2 * scale, `the sum of squares of ${input.column}`)}`,
      ];
    }
    if (n === 0) return [0, 0, 0, 0];
    const double = (v: unknown) => decodeValue(input.column, { kind: 'double' }, v) as number;
    return [n, double(values[1]), double(values[2]), double(values[3])];
  },
};

/** min or max: the extreme value itself (a bigint cast to text after the aggregate, so it compares as a number). */
function extreme(fn: 'min' | 'max'): TrinoMeasure {
  return {
    select: (x, type) => [valueExpression(`${fn}(${x})`, type as TrinoType)],
    state(values, input) {
      const accumulator = ACCUMULATORS[fn];
      const state = accumulator.init(input.arrow);
      const v = decodeValue(input.column, input.type as TrinoType, values[0]);
      return v === null ? state : accumulator.add(state, v);
    },
  };
}

/**
 * count(DISTINCT) ships the distinct values, as the embedded regions do. approx_count_distinct ships them too and
 * adds them to our HyperLogLog: Trino's approx_distinct sketch hashes differently and cannot merge with ours, so the
 * bytes are those of the distinct values (exactly the estimate an embedded region would give, more bytes).
 */
function distinct(fn: 'count_distinct' | 'approx_count_distinct'): TrinoMeasure {
  return {
    select: (x, type) => [
      `array_agg(DISTINCT ${valueExpression(x as string, type as TrinoType)}) FILTER (WHERE ${x} IS NOT NULL)`,
    ],
    state(values, input) {
      const accumulator = ACCUMULATORS[fn];
      let state = accumulator.init(input.arrow);
      const list = values[0];
      if (list === null || list === undefined) return state;
      if (!Array.isArray(list)) {
        throw new QueryError('engine-failed', `Trino returned ${JSON.stringify(list)} for array_agg, not an array`, {
          path: ['trino', input.column],
          hint: 'check the Trino server version',
        });
      }
      for (const item of list) {
        const v = decodeValue(input.column, input.type as TrinoType, item);
        if (v !== null) state = accumulator.add(state, v);
      }
      return state;
    },
  };
}

/** Every aggregate function's Trino form: one record, so a function without one does not compile. */
const TRINO_MEASURES: Readonly<Record<AggregateFunction, TrinoMeasure | string>> = {
  count: {
    select: (x) => [x === undefined ? 'CAST(count(*) AS varchar)' : `CAST(count(${x}) AS varchar)`],
    state: (values) => count(values[0]),
  },
  sum: sumOrAvg,
  avg: sumOrAvg,
  min: extreme('min'),
  max: extreme('max'),
  var_samp: moments,
  var_pop: moments,
  stddev_samp: moments,
  stddev_pop: moments,
  count_distinct: distinct('count_distinct'),
  approx_count_distinct: distinct('approx_count_distinct'),
  // Trino's approx_percentile returns a value, not a mergeable sketch; shipping every value would move the rows.
  approx_quantile:
    "Trino's approx_percentile returns a quantile, not a sketch the regions' KLL sketches can merge with",
};

/** The SQL of one measure and how its values become the merge's state; refuses what Trino cannot give. */
export function trinoMeasure(
  measure: Measure,
  input: MeasureInput | undefined,
  shifted: ShiftedColumn,
): { select: string[]; state: (values: readonly unknown[]) => unknown } {
  const form = TRINO_MEASURES[measure.fn];
  if (typeof form === 'string') {
    throw new QueryError('engine-unsupported', `${measure.fn} cannot run in Trino: ${form}`, {
      path: ['request', 'aggregate', 'measures'],
      hint: 'run this region with the embedded runner, or use count, sum, min, max, avg, variance or count distinct',
    });
  }
  if (input !== undefined && input.arrow !== undefined && measure.fn !== 'count') {
    if (NUMERIC_FUNCTIONS.has(measure.fn) && !isNumeric(input.arrow)) {
      throw new QueryError(
        'invalid-request',
        `${measure.fn} of '${input.column}' (${String(input.arrow)}): only numbers can be added up`,
        {
          path: ['request', 'aggregate', 'measures'],
          hint: `use min, max, count or count_distinct on ${input.column}`,
        },
      );
    }
  }
  const x = input === undefined ? undefined : columnRef(input.column);
  return {
    select: form.select(x, input?.type, shifted),
    state: (values) => {
      const built = form.state(values, input ?? { column: '*', type: undefined, arrow: undefined });
      // Wire-form states (arrays, counts) go through the accumulator's decode, the form partials cross borders in.
      if (Array.isArray(built) || typeof built === 'number')
        return ACCUMULATORS[measure.fn].decode(built, input?.arrow);
      return built;
    },
  };
}
