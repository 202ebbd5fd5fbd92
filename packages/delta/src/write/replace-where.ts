import { Table } from 'apache-arrow';
import { gatherBatch } from '../arrow/gather.ts';
import { DeltaError } from '../errors.ts';
import type { DeltaFile } from '../log/files.ts';
import { writerFeaturesOf } from '../protocol/writer-features.ts';
import { bindPredicate, boundColumns } from '../scan/bind.ts';
import { parsePredicate } from '../scan/predicate-parser.ts';
import { firstUnmatchedRow, matchingRows } from '../scan/row-filter.ts';
import { TableScan } from '../scan/table-scan.ts';
import type { Snapshot } from '../snapshot/snapshot.ts';

/** What a replaceWhere overwrite changes in the existing table. */
export interface Replacement {
  /** Files holding at least one matching row: removed. */
  readonly removes: readonly DeltaFile[];
  /** Rows of the removed files that do not match, to be written again (in table column order). */
  readonly kept: readonly Table[];
}

/**
 * Plans an overwrite of only the rows matching `where` (as Delta Spark's `replaceWhere`): every new
 * row must match it (else the write would put rows outside the range it replaces), files without a
 * matching row stay, files with only matching rows are removed, and files with both are removed
 * and their other rows written again. Rows where the predicate is null do not match and are kept.
 */
export async function planReplaceWhere(snapshot: Snapshot, where: string, data: Table): Promise<Replacement> {
  const uri = snapshot.storage.uri;
  const bound = bindPredicate(parsePredicate(where), snapshot.schema, { columnMapping: false });
  const columns = boundColumns(bound);
  const row = firstUnmatchedRow(bound, data, columns);
  if (row !== undefined) {
    throw new DeltaError('constraint-violation', `row ${row} of the data does not match replaceWhere ${where}`, {
      path: uri,
      hint: 'write only rows inside the range replaceWhere replaces, or widen the predicate',
    });
  }
  const ctx = snapshot.scanContext();
  const names = snapshot.schema.fields.map((f) => f.name);
  const removes: DeltaFile[] = [];
  const kept: Table[] = [];
  for (const file of snapshot.files()) {
    // Statistics and partition values skip most files without reading them.
    const matching = await new TableScan(ctx, [file], {
      where,
      columns: [names[0] as string],
      decoder: 'main-thread',
    }).toArrow();
    if (matching.numRows === 0) continue;
    removes.push(file);
    const all = await new TableScan(ctx, [file], { decoder: 'main-thread' }).toArrow();
    if (matching.numRows === all.numRows) continue;
    if (
      writerFeaturesOf(snapshot.protocol).includes('changeDataFeed') &&
      snapshot.configuration['delta.enableChangeDataFeed'] === 'true'
    ) {
      // PROTOCOL.md "Writer Requirements for Change Data Feed": a partly rewritten file needs cdc files.
      throw new DeltaError(
        'unsupported-writer-feature',
        `replaceWhere ${where} would rewrite part of ${file.path}, which on a change data feed table needs cdc files this writer does not write`,
        { path: uri, hint: 'choose a predicate on partition columns, so whole files are replaced' },
      );
    }
    const batches = all.batches.map((batch) => {
      const hit = new Set(matchingRows(bound, batch, columns));
      const rest = Int32Array.from({ length: batch.numRows }, (_, i) => i).filter((i) => !hit.has(i));
      return gatherBatch(batch, rest);
    });
    kept.push(new Table(all.schema, batches).select(names));
  }
  return { removes, kept };
}
