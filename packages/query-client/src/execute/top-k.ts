import { type RecordBatch, type Schema, Table } from 'apache-arrow';
import type { Value } from '../aggregate/accumulators.ts';
import { buildVector, columnReader, type OrderKey } from '../aggregate/aggregate.ts';
import { compareValues } from '../aggregate/order.ts';

/** One row kept by a region's top-k: its values in the output schema's order (`_region` last). */
type Row = Value[];

function compareRows(a: Row, b: Row, keys: readonly { index: number; key: OrderKey }[]): number {
  for (const { index, key } of keys) {
    const c = compareValues(a[index] ?? null, b[index] ?? null, key);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * ORDER BY ... LIMIT k over plain rows: a region keeps its first k rows in that order (values copied out, so no
 * scanned batch stays in memory), sorting and cutting whenever it holds 2k; {@link mergeTopK} merges the regions'.
 */
export async function regionTopK(
  batches: AsyncIterable<RecordBatch>,
  schema: Schema,
  orderBy: readonly OrderKey[],
  k: number,
  region: string,
  onRows: (n: number) => void,
): Promise<Row[]> {
  const names = schema.fields.map((f) => f.name);
  const keys = orderBy.map((key) => ({ index: names.indexOf(key.column), key }));
  let kept: Row[] = [];
  const cut = () => {
    kept.sort((a, b) => compareRows(a, b, keys));
    kept = kept.slice(0, k);
  };
  for await (const batch of batches) {
    onRows(batch.numRows);
    const readers = names.map((name) => {
      if (name === '_region') return () => region;
      if (!batch.schema.fields.some((f) => f.name === name)) return () => null;
      return columnReader(batch, name, region).read;
    });
    for (let i = 0; i < batch.numRows; i++) {
      kept.push(readers.map((read) => read(i)));
      if (kept.length >= 2 * Math.max(k, 512)) cut();
    }
  }
  cut();
  return kept;
}

/** The k-way merge of the regions' sorted top-k lists: the first k rows overall, as one Arrow table. */
export function mergeTopK(lists: readonly Row[][], schema: Schema, orderBy: readonly OrderKey[], k: number): Table {
  const names = schema.fields.map((f) => f.name);
  const keys = orderBy.map((key) => ({ index: names.indexOf(key.column), key }));
  const heads = lists.map(() => 0);
  const out: Row[] = [];
  while (out.length < k) {
    let best = -1;
    for (const [r, list] of lists.entries()) {
      const row = list[heads[r] as number];
      if (row === undefined) continue;
      const current = best < 0 ? undefined : (lists[best] as Row[])[heads[best] as number];
      if (current === undefined || compareRows(row, current, keys) < 0) best = r;
    }
    if (best < 0) break;
    out.push((lists[best] as Row[])[heads[best] as number] as Row);
    heads[best] = (heads[best] as number) + 1;
  }
  if (out.length === 0) return new Table(schema);
  return new Table(
    Object.fromEntries(
      schema.fields.map((f, i) => [
        f.name,
        buildVector(
          f.type,
          out.map((row) => row[i] ?? null),
        ),
      ]),
    ),
  );
}
