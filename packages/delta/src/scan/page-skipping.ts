import type { ParquetFooter, ParquetLeaf, RowGroupInfo } from '../parquet/footer.ts';
import { type FileBytes, type IndexedPage, readPageIndex } from '../parquet/page-index.ts';
import { type BoundColumn, type BoundNode, boundColumns } from './bind.ts';
import { type Domain, evaluateOnDomains } from './domain.ts';
import { leafOf, statisticsDomain } from './row-group-skipping.ts';

/*
 * Page skipping (parquet-format PageIndex.md): the ColumnIndex gives each data page of a column chunk its min, max
 * and null count, the OffsetIndex its first row. Pages of different columns start at different rows, so the row
 * group is cut at every page start of every predicate column; each piece lies inside one page of each column, whose
 * bounds are sound bounds of the piece too (a piece holds a subset of its page's values), so a piece the predicate
 * cannot match on those bounds holds no matching row.
 */

/** Rows [start, end) within a row group. */
export type RowRange = readonly [number, number];

/**
 * The rows of `group` the predicate can match, from the page indexes of its columns: ascending, disjoint, merged
 * ranges within the group, empty when no page can match; undefined when no predicate column has a page index in
 * `file` (every row may match). `exactColumn` gives the domain of columns with one value per file (partition columns).
 */
export function rowsToRead(
  predicate: BoundNode,
  footer: ParquetFooter,
  group: RowGroupInfo,
  file: FileBytes,
  exactColumn: (column: BoundColumn) => Domain | undefined,
): RowRange[] | undefined {
  // Per predicate column with a page index: its pages, its parquet leaf, and the page the cut loop below is in.
  const indexed = new Map<string, { column: BoundColumn; pages: IndexedPage[]; leaf: ParquetLeaf; at: number }>();
  for (const column of boundColumns(predicate)) {
    if (exactColumn(column)) continue;
    const key = column.physicalPath.join('\u0000');
    if (indexed.has(key)) continue;
    const chunk = group.columns.find((c) => c.path.join('\u0000') === key);
    const pages = chunk && readPageIndex(file, chunk.offsetIndex, chunk.columnIndex, group.numRows);
    const leaf = pages && leafOf(column, footer);
    if (pages && leaf) indexed.set(key, { column, pages, leaf, at: 0 });
  }
  if (indexed.size === 0) return undefined;
  const starts = new Set<number>();
  for (const { pages } of indexed.values()) for (const page of pages) starts.add(page.firstRow);
  const cuts = [...starts].sort((a, b) => a - b);
  cuts.push(group.numRows);
  const ranges: [number, number][] = [];
  for (let c = 0; c + 1 < cuts.length; c++) {
    const start = cuts[c] as number;
    const end = cuts[c + 1] as number;
    const domains = new Map<string, Domain>();
    for (const [key, entry] of indexed) {
      while (entry.at + 1 < entry.pages.length && (entry.pages[entry.at + 1] as IndexedPage).firstRow <= start)
        entry.at++;
      const page = entry.pages[entry.at] as IndexedPage;
      // A null page's bounds mean nothing; its null count is its row count even where null_counts is absent.
      const domain = page.allNull
        ? statisticsDomain(entry.column, entry.leaf, undefined, undefined, page.rows, page.rows)
        : statisticsDomain(entry.column, entry.leaf, page.min, page.max, page.nullCount, page.rows);
      domains.set(key, domain);
    }
    const possible = evaluateOnDomains(
      predicate,
      (column) => exactColumn(column) ?? domains.get(column.physicalPath.join('\u0000')),
    );
    if (!possible.canBeTrue) continue;
    const last = ranges.at(-1);
    if (last && last[1] === start) last[1] = end;
    else ranges.push([start, end]);
  }
  return ranges;
}
