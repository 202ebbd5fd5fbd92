/** A non-null value the aggregates and orderings compare (decimals as their unscaled bigint). */
export type Comparable = string | number | bigint | boolean;

/**
 * A UTF-16 unit re-ranked so units compare as code points: surrogates (U+10000 and up) after U+E000..U+FFFF, where
 * JS's `<` puts them before. The first unit two strings differ in then orders them by code point.
 */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}

/**
 * Orders two non-null values as DuckDB, Trino and Postgres (C collation) do, so a region's DuckDB top-k, min or max
 * agrees with the JS merge: strings by code point (UTF-8 byte order), NaN equal to itself and above every other
 * double, numbers and bigints by value.
 */
export function compareScalars(a: Comparable, b: Comparable): number {
  if (typeof a === 'string' && typeof b === 'string') {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a.charCodeAt(i);
      const y = b.charCodeAt(i);
      if (x !== y) return codePointRank(x) < codePointRank(y) ? -1 : 1;
    }
    return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
  }
  const aNaN = typeof a === 'number' && Number.isNaN(a);
  const bNaN = typeof b === 'number' && Number.isNaN(b);
  if (aNaN || bNaN) return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
