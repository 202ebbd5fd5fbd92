import type { Table } from 'apache-arrow';

/** A row of an Arrow table as plain values (bigints kept, dates as epoch ms). */
export type PlainRow = Record<string, unknown>;

/** The rows of an Arrow table as plain objects. */
export function plainRows(table: Table): PlainRow[] {
  return table.toArray().map((row) => ({ ...(row.toJSON() as PlainRow) }));
}

/** A stable text of a row, for comparing row multisets regardless of order. */
function rowKey(row: PlainRow): string {
  return JSON.stringify(row, (_key, value: unknown) => {
    if (typeof value === 'bigint') return `${value}n`;
    if (value instanceof Uint8Array) return Array.from(value);
    if (
      value &&
      typeof value === 'object' &&
      'toJSON' in value &&
      typeof (value as { toJSON: unknown }).toJSON === 'function'
    ) {
      return (value as { toJSON(): unknown }).toJSON();
    }
    return value;
  });
}

/** Sorted row keys: equal arrays mean equal multisets of rows. */
export function rowSet(rows: readonly PlainRow[]): string[] {
  return rows.map(rowKey).sort();
}
