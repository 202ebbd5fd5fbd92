import { arrowType, type DeltaType, openStorage, openTable, type ScanMetrics } from '@meridian/delta';
import { type DataType, Type } from 'apache-arrow';
import type { Aggregate } from '../aggregate/aggregate.ts';
import { measureName } from '../aggregate/aggregate.ts';
import type { QueryPlan } from '../plan/plan.ts';
import { type ExecuteOptions, executeQuery } from './execute.ts';

/** One region's part of an explanation: what is pushed down to it, from its Delta log, and what it then read. */
export interface RegionExplanation {
  readonly region: string;
  readonly component: string;
  readonly jurisdiction: string | undefined;
  readonly uri: string;
  readonly version: number | undefined;
  /** Projection: the columns read, of how many the table has. */
  readonly columnsRead: readonly string[];
  readonly columnsTotal: number;
  readonly where: string | undefined;
  /** Partition pruning and file skipping by statistics, from the log (no data file read). */
  readonly files: {
    readonly total: number;
    readonly skippedByPartition: number;
    readonly skippedByStats: number;
    readonly selected: number;
    readonly selectedBytes: number;
    readonly totalBytes: number;
  };
  /** Rows in the selected files (numRecords statistics); the predicate may keep fewer. */
  readonly estimatedRows: number | undefined;
  /** What the scan read and skipped when run (`analyze`). */
  readonly actual: ScanMetrics | undefined;
  /** Which runner ran the region's fragment and, when it fell back, why (`analyze`). */
  readonly runner?: { readonly name: string; readonly reason: string | undefined };
  /** Why the region could not be opened, when it could not. */
  readonly error: string | undefined;
}

/** One movement of data the plan makes: estimated from the log, and measured when run. */
export interface CrossingExplanation {
  readonly from: string;
  readonly fromJurisdiction: string | undefined;
  readonly to: string;
  readonly toJurisdiction: string | undefined;
  readonly what: 'rows' | 'partial aggregates' | 'final aggregates';
  /** An upper bound from the statistics (rows of the selected files, groups at most that many). */
  readonly estimatedBytes: number | undefined;
  readonly actualBytes: number | undefined;
}

/** The plan per region, the borders crossed, estimated and (with `analyze`) actual bytes. */
export interface QueryExplanation {
  readonly table: string;
  readonly destination: string;
  readonly prunedRegions: QueryPlan['prunedRegions'];
  readonly regions: readonly RegionExplanation[];
  readonly crossings: readonly CrossingExplanation[];
  /** Where the final merge runs (an aggregate): the destination, or a region inside a restricted class's jurisdiction. */
  readonly mergeAt: string | undefined;
  readonly analyzed: boolean;
  readonly aggregate: Aggregate | undefined;
  readonly suppressedGroups: number | undefined;
  readonly notes: readonly string[];
}

/** Bytes a value of a type takes in an Arrow buffer (strings: a guess of 16 plus the offset). */
function width(type: DataType): number {
  switch (type.typeId) {
    case Type.Decimal:
      return 16;
    case Type.Utf8:
    case Type.Binary:
      return 20;
    case Type.Bool:
      return 1;
    case Type.Int:
    case Type.Float:
    case Type.Date:
    case Type.Timestamp:
      return (type as unknown as { bitWidth?: number }).bitWidth !== undefined
        ? (type as unknown as { bitWidth: number }).bitWidth / 8
        : 8;
    default:
      return 16;
  }
}

/** Bytes of one group's partial state per measure, as encoded (sketches at their bounded size). */
function stateBytes(aggregate: Aggregate, rowsPerGroup: number): number {
  let bytes = 24 * aggregate.groupBy.length + 8;
  for (const m of aggregate.measures) {
    if (m.fn === 'count_distinct') bytes += 16 * rowsPerGroup;
    else if (m.fn === 'approx_count_distinct') bytes += Math.min(22_000, 12 * rowsPerGroup);
    else if (m.fn === 'approx_quantile') bytes += Math.min(12_000, 20 * rowsPerGroup);
    else bytes += 40;
  }
  return bytes;
}

/**
 * Explains a plan per region from the Delta logs (region pruning, partition pruning, file skipping by statistics,
 * projection), with the data movements it makes and their estimated bytes; with `analyze`, runs it (rows are
 * discarded) and adds what was actually read and moved.
 *
 * ```ts
 * console.log(formatExplanation(await explainQuery(plan, { analyze: true })));
 * ```
 */
export async function explainQuery(
  plan: QueryPlan,
  options: ExecuteOptions & { readonly analyze?: boolean } = {},
): Promise<QueryExplanation> {
  const open = options.openStorage ?? ((uri: string) => openStorage(uri, options.storage ?? {}));
  const destination = plan.destination
    ? (plan.destination.region ?? `jurisdiction ${plan.destination.jurisdiction}`)
    : 'client';
  const regions = await Promise.all(
    plan.fragments.map(async (f): Promise<RegionExplanation & { rowBytes: number; groups: number | undefined }> => {
      try {
        const snapshot = await (await openTable(open(f.uri, f))).snapshot();
        const scan = snapshot.scan({
          ...(f.columns ? { columns: f.columns } : {}),
          ...(f.where ? { where: f.where } : {}),
        });
        const selected = scan.selectFiles();
        const all = snapshot.files();
        const counted = selected.files.every((file) => file.stats?.numRecords !== undefined);
        const estimatedRows = counted
          ? selected.files.reduce((n, file) => n + Number(file.stats?.numRecords ?? 0), 0)
          : undefined;
        const fields = snapshot.schema.fields;
        const read = f.columns ?? fields.map((x) => x.name);
        const rowBytes = read.reduce((n, name) => {
          const field = fields.find((x) => x.name === name);
          return n + (field ? width(arrowType(field.type as DeltaType)) : 8);
        }, 0);
        // Groups of an aggregate: one (or one per region) without group columns; the distinct partition values when
        // every group column is a partition column; at most the rows otherwise.
        const aggregate = plan.aggregate;
        let groups: number | undefined;
        if (aggregate) {
          const keys = aggregate.groupBy.filter((c) => c !== '_region');
          if (keys.length === 0) groups = 1;
          else if (keys.every((k) => snapshot.partitionColumns.includes(k)))
            groups = new Set(selected.files.map((file) => keys.map((k) => file.partitionValues[k]).join('\u0000')))
              .size;
          else groups = estimatedRows;
        }
        return {
          region: f.region,
          component: f.component,
          jurisdiction: f.jurisdiction,
          uri: f.uri,
          version: snapshot.version,
          columnsRead: read,
          columnsTotal: fields.length,
          where: f.where?.toString(),
          files: {
            total: all.length,
            skippedByPartition: selected.skippedByPartition,
            skippedByStats: selected.skippedByStats,
            selected: selected.files.length,
            selectedBytes: selected.files.reduce((n, file) => n + file.size, 0),
            totalBytes: all.reduce((n, file) => n + file.size, 0),
          },
          estimatedRows,
          actual: undefined,
          error: undefined,
          rowBytes,
          groups,
        };
      } catch (error) {
        return {
          region: f.region,
          component: f.component,
          jurisdiction: f.jurisdiction,
          uri: f.uri,
          version: undefined,
          columnsRead: f.columns ?? [],
          columnsTotal: 0,
          where: f.where?.toString(),
          files: { total: 0, skippedByPartition: 0, skippedByStats: 0, selected: 0, selectedBytes: 0, totalBytes: 0 },
          estimatedRows: undefined,
          actual: undefined,
          error: error instanceof Error ? error.message : String(error),
          rowBytes: 0,
          groups: undefined,
        };
      }
    }),
  );

  const aggregate = plan.aggregate;
  const site = plan.aggregateSite;
  const mergeAt = aggregate ? (site ? site.region : destination) : undefined;
  const crossings: CrossingExplanation[] = [];
  for (const r of regions) {
    const to = mergeAt ?? destination;
    if (to === r.region) continue;
    let estimatedBytes: number | undefined;
    if (r.estimatedRows !== undefined) {
      const rows = plan.limit !== undefined && !aggregate ? Math.min(plan.limit, r.estimatedRows) : r.estimatedRows;
      estimatedBytes = aggregate
        ? (r.groups ?? rows) * stateBytes(aggregate, rows / Math.max(1, r.groups ?? rows))
        : rows * (r.rowBytes + 10);
    }
    crossings.push({
      from: r.region,
      fromJurisdiction: r.jurisdiction,
      to,
      toJurisdiction: site && to === site.region ? site.jurisdiction : plan.destination?.jurisdiction,
      what: aggregate ? 'partial aggregates' : 'rows',
      estimatedBytes,
      actualBytes: undefined,
    });
  }
  if (aggregate && site && site.region !== destination) {
    const groups = regions.reduce((n, r) => n + (r.groups ?? r.estimatedRows ?? 0), 0);
    const shown = aggregate.measures.filter((m) => m.hidden !== true).length;
    crossings.push({
      from: site.region,
      fromJurisdiction: site.jurisdiction,
      to: destination,
      toJurisdiction: plan.destination?.jurisdiction,
      what: 'final aggregates',
      estimatedBytes: Math.min(groups, plan.limit ?? groups) * (24 * aggregate.groupBy.length + 8 * shown) + 400,
      actualBytes: undefined,
    });
  }

  let suppressedGroups: number | undefined;
  let finalRegions: RegionExplanation[] = regions.map(({ rowBytes: _w, groups: _g, ...r }) => r);
  let finalCrossings = crossings;
  if (options.analyze) {
    const result = executeQuery(plan, options);
    for await (const _batch of result) {
      // Rows are discarded: the analysis wants what was read and moved.
    }
    suppressedGroups = result.suppressedGroups;
    finalRegions = finalRegions.map((r) => {
      const report = result.regions.find((x) => x.component === r.component);
      return {
        ...r,
        actual: report?.metrics,
        ...(report ? { runner: { name: report.runner, reason: report.runnerReason } } : {}),
      };
    });
    finalCrossings = crossings.map((c) => ({
      ...c,
      actualBytes: result.crossings
        .filter((x) => x.from === c.from && x.to === c.to && x.what === c.what)
        .reduce((n, x) => n + x.bytes, 0),
    }));
  }
  return {
    table: plan.table,
    destination,
    prunedRegions: plan.prunedRegions,
    regions: finalRegions,
    crossings: finalCrossings,
    mergeAt,
    analyzed: options.analyze === true,
    aggregate,
    suppressedGroups,
    notes: plan.notes,
  };
}

function bytes(n: number | undefined): string {
  if (n === undefined) return '?';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** An explanation as text, one block per region, then the crossings (the residency notes are the plan's). */
export function formatExplanation(e: QueryExplanation): string {
  const lines: string[] = [];
  const aggregate = e.aggregate;
  lines.push(
    `explain ${e.table}: ${e.regions.length} region${e.regions.length === 1 ? '' : 's'}, results to ${e.destination}`,
  );
  for (const p of e.prunedRegions) lines.push(`  pruned ${p.region} (${p.component}): ${p.reason}`);
  for (const r of e.regions) {
    lines.push(
      `  ${r.region}${r.jurisdiction ? ` (${r.jurisdiction})` : ''}  ${r.component} v${r.version ?? '?'}  ${r.uri}`,
    );
    if (r.error !== undefined) {
      lines.push(`    cannot open: ${r.error}`);
      continue;
    }
    lines.push(
      `    pushed down  ${r.columnsRead.length} of ${r.columnsTotal} columns (${r.columnsRead.join(', ')}); where ${r.where ?? '-'}`,
    );
    lines.push(
      `    files        ${r.files.selected} of ${r.files.total} read (${r.files.skippedByPartition} pruned by partition, ${r.files.skippedByStats} skipped by statistics), ${bytes(r.files.selectedBytes)} of ${bytes(r.files.totalBytes)}, at most ${r.estimatedRows ?? '?'} rows`,
    );
    if (r.actual && r.runner?.name === 'duckdb') {
      // DuckDB skips row groups and fetches byte ranges itself: what is known is the files it was given.
      lines.push(
        `    actual       ${r.actual.filesRead} files read by DuckDB (${bytes(r.actual.bytesFetched)} of files), ${r.actual.rowsReturned} rows`,
      );
    } else if (r.actual) {
      lines.push(
        `    actual       ${r.actual.filesRead} files read, ${r.actual.rowGroupsSkipped} of ${r.actual.rowGroupsTotal} row groups skipped, ${r.actual.rowsReturned} rows, ${bytes(r.actual.bytesFetched)} fetched`,
      );
    }
    if (r.runner) lines.push(`    ran in       ${r.runner.name}${r.runner.reason ? ` (${r.runner.reason})` : ''}`);
  }
  if (aggregate) {
    const measures = aggregate.measures.map(
      (m) => `${m.fn}(${m.column ?? '*'})${m.hidden ? '' : ` as ${measureName(m)}`}`,
    );
    lines.push(
      `  partial aggregate in each region: group by ${aggregate.groupBy.join(', ') || '(all rows)'}: ${measures.join(', ')}`,
    );
    lines.push(`  final merge in ${e.mergeAt}`);
  }
  lines.push('  crossings (estimated upper bound / actual):');
  for (const c of e.crossings) {
    const border =
      c.fromJurisdiction !== undefined && c.toJurisdiction !== undefined && c.fromJurisdiction !== c.toJurisdiction
        ? `crosses ${c.fromJurisdiction} -> ${c.toJurisdiction}`
        : c.fromJurisdiction !== undefined && c.fromJurisdiction === c.toJurisdiction
          ? `within ${c.fromJurisdiction}`
          : 'to the client';
    lines.push(
      `    ${c.from} -> ${c.to}  ${c.what}  ${border}  est ${bytes(c.estimatedBytes)}${e.analyzed ? `  actual ${bytes(c.actualBytes)}` : ''}`,
    );
  }
  if (e.crossings.length === 0) lines.push('    none: everything is read where the results go');
  if (e.suppressedGroups !== undefined && e.suppressedGroups > 0)
    lines.push(`  suppressed ${e.suppressedGroups} groups below minGroupSize inside the jurisdiction`);
  return `${lines.join('\n')}\n`;
}
