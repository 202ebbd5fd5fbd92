import { type Cell, cellText, csvField } from './arrow-rows.ts';

/*
 * Rows of cells as text, the same for `meridian delta scan` and `meridian query`:
 * an aligned table, JSON lines, or CSV (RFC 4180).
 */

/** The cells of a row as text, in the order of `names`. */
export function rowTexts(names: readonly string[], row: Readonly<Record<string, Cell>>): string[] {
  return names.map((n) => cellText(row[n] as Cell));
}

/** The CSV header line (with its line break). */
export function csvHeader(names: readonly string[]): string {
  return `${names.map(csvField).join(',')}\n`;
}

/** One row as a JSON line or a CSV line (without the line break). */
export function rowLine(
  format: 'jsonl' | 'csv',
  names: readonly string[],
  row: Readonly<Record<string, Cell>>,
): string {
  return format === 'jsonl' ? JSON.stringify(row) : rowTexts(names, row).map(csvField).join(',');
}

/** An aligned text table: header, a dashed rule, then the rows, each line ending in a line break. */
export function textTable(names: readonly string[], cells: readonly (readonly string[])[]): string {
  const widths = names.map((n, k) => Math.max(n.length, ...cells.map((r) => (r[k] as string).length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, k) => v.padEnd(widths[k] as number))
      .join('  ')
      .trimEnd();
  return `${[line(names), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')}\n`;
}
