/**
 * Sets of node indices as sorted Int32Arrays: intersection and difference are linear merges,
 * and the arrays are compact enough to keep one per node of a 10,000-component topology.
 */

/** a ∩ b */
export function intersect(a: Int32Array, b: Int32Array): Int32Array {
  const result = new Int32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x === y) {
      result[k++] = x;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return result.subarray(0, k);
}

/** a \ b */
export function difference(a: Int32Array, b: Int32Array): Int32Array {
  if (b.length === 0) return a;
  const result = new Int32Array(a.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length) {
    const x = a[i] as number;
    while (j < b.length && (b[j] as number) < x) j++;
    if (j >= b.length || (b[j] as number) !== x) result[k++] = x;
    i++;
  }
  return result.subarray(0, k);
}
