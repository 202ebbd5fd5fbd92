import {
  deleteRows,
  mergeRows,
  type OptimizeResult,
  openTable,
  optimize,
  type RewriteResult,
  updateRows,
} from '@meridian/delta';
import { CliInputError } from '../command.ts';
import { readTableFile } from '../input/table-file.ts';

/*
 * The row-changing actions of `meridian delta`: delete, update, merge, optimize. Each is a function over
 * @meridian/delta returning a report, and a one-line summary for people; --json prints the report.
 */

/** What `meridian delta delete|update|merge` reports. */
export interface MutateReport extends RewriteResult {
  readonly uri: string;
  readonly action: 'delete' | 'update' | 'merge';
  readonly ms: number;
}

/** The --where predicate, required by delete and update (a delete of every row must say so: --where "true"). */
export function requireWhere(action: string, where: unknown): string {
  if (where === undefined || where === true || String(where).trim() === '') {
    throw new CliInputError(
      'missing-where',
      `delta ${action} needs --where <predicate>`,
      `meridian delta ${action} <uri> --where "id = 42"${action === 'update' ? ' --set status=done' : ''}`,
    );
  }
  return String(where);
}

/**
 * The --set assignments (`col=value`, repeatable, or comma-separated): the value is text the column's type reads,
 * as in a predicate ('2024-05-01' for a date); quotes around it are dropped; the bare word null sets null.
 */
export function parseAssignments(value: unknown): Record<string, string | null> {
  const items = (Array.isArray(value) ? value : value === undefined ? [] : [value]).flatMap((v) =>
    v === true ? [''] : String(v).split(','),
  );
  if (items.length === 0) {
    throw new CliInputError(
      'missing-set',
      'delta update needs --set <column=value>',
      'meridian delta update <uri> --where "id = 42" --set status=shipped --set qty=0',
    );
  }
  const out: Record<string, string | null> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    const column = item.slice(0, eq).trim();
    if (eq <= 0 || column === '') {
      throw new CliInputError(
        'bad-set',
        `--set '${item}' is not column=value`,
        'write --set status=shipped (text the column type reads; null sets null)',
      );
    }
    const raw = item.slice(eq + 1).trim();
    const quoted = /^'(.*)'$/s.exec(raw) ?? /^"(.*)"$/s.exec(raw);
    out[column] = quoted ? (quoted[1] as string) : raw === 'null' ? null : raw;
  }
  return out;
}

/** --on of a merge (the key columns) or --zorder of optimize (the columns to order by), comma-separated. */
export function parseKeys(value: unknown, flag: 'on' | 'zorder' = 'on'): string[] {
  const keys =
    value === undefined || value === true
      ? []
      : String(value)
          .split(',')
          .map((k) => k.trim())
          .filter((k) => k !== '');
  if (keys.length === 0) {
    throw flag === 'on'
      ? new CliInputError(
          'missing-on',
          'delta merge needs --on <key columns>',
          'meridian delta merge <uri> --from changes.parquet --on id --when-matched update --when-not-matched insert',
        )
      : new CliInputError(
          'missing-zorder',
          'delta optimize --zorder needs the columns to order by',
          'meridian delta optimize <uri> --zorder device_id,ts',
        );
  }
  return keys;
}

/** --when-matched (update, delete) and --when-not-matched (insert) of a merge; at least one. */
export function parseMergeClauses(
  matched: unknown,
  notMatched: unknown,
): { whenMatched?: 'update' | 'delete'; whenNotMatched?: 'insert' } {
  const hint =
    'meridian delta merge <uri> --from changes.parquet --on id --when-matched update --when-not-matched insert';
  if (matched !== undefined && matched !== 'update' && matched !== 'delete') {
    throw new CliInputError(
      'bad-merge-clause',
      `--when-matched must be update or delete, not '${String(matched)}'`,
      hint,
    );
  }
  if (notMatched !== undefined && notMatched !== 'insert') {
    throw new CliInputError('bad-merge-clause', `--when-not-matched must be insert, not '${String(notMatched)}'`, hint);
  }
  if (matched === undefined && notMatched === undefined) {
    throw new CliInputError('bad-merge-clause', 'delta merge needs --when-matched and/or --when-not-matched', hint);
  }
  return {
    ...(matched !== undefined ? { whenMatched: matched } : {}),
    ...(notMatched !== undefined ? { whenNotMatched: 'insert' as const } : {}),
  };
}

/** --target-size of optimize: bytes, with an optional K/M/G suffix (binary units). */
export function parseTargetSize(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i.exec(String(value).trim());
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m?.[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  const bytes = m ? Math.round(Number(m[1]) * unit) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new CliInputError(
      'bad-target-size',
      `--target-size must be a size in bytes (K, M, G suffixes allowed), not '${String(value)}'`,
      'meridian delta optimize <uri> --target-size 128M',
    );
  }
  return bytes;
}

/** Runs a delete, update or merge and times it. */
async function deltaMutate(
  uri: string,
  action: MutateReport['action'],
  run: () => Promise<RewriteResult>,
): Promise<MutateReport> {
  const started = performance.now();
  const result = await run();
  return { uri, action, ...result, ms: Math.round(performance.now() - started) };
}

export function deltaDelete(uri: string, where: string, dryRun: boolean): Promise<MutateReport> {
  return deltaMutate(uri, 'delete', () => deleteRows(uri, where, { dryRun }));
}

export function deltaUpdate(
  uri: string,
  where: string,
  assignments: Record<string, string | null>,
  dryRun: boolean,
): Promise<MutateReport> {
  return deltaMutate(uri, 'update', () => updateRows(uri, where, assignments, { dryRun }));
}

export async function deltaMerge(
  uri: string,
  from: string,
  on: readonly string[],
  clauses: ReturnType<typeof parseMergeClauses>,
  dryRun: boolean,
): Promise<MutateReport> {
  // CSV and JSON lines take the table's column types, so the source's keys compare with the table's.
  const schema = (await (await openTable(uri)).snapshot()).schema;
  const source = await readTableFile(from, schema);
  return deltaMutate(uri, 'merge', () => mergeRows(uri, source, { on, ...clauses, dryRun }));
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/** The one-line summary of a delete, update or merge. */
export function formatMutate(r: MutateReport): string {
  const verb = { delete: 'deleted', update: 'updated', merge: 'matched' }[r.action];
  const inserted = r.action === 'merge' ? `, inserted ${plural(r.rowsInserted, 'row')}` : '';
  const what = `${r.dryRun ? `would have ${verb}` : verb} ${plural(r.rowsMatched, 'row')}${inserted}`;
  const files = `read ${r.filesRead} of ${plural(r.filesTotal, 'file')} (${r.filesSkipped} skipped by statistics or partition)`;
  const how =
    r.deletionVectors > 0
      ? `${plural(r.deletionVectors, 'deletion vector')}, ${plural(r.filesAdded - r.deletionVectors, 'new file')}`
      : `rewrote ${plural(r.filesRemoved, 'file')} as ${r.filesAdded} (${plural(r.rowsCopied, 'row')} copied)`;
  if (r.dryRun) return `${r.action} dry run on ${r.uri} at version ${r.version}: ${what}; ${files}; nothing written`;
  if (!r.committed)
    return `${r.action} on ${r.uri}: no row matched, nothing committed (version ${r.version}); ${files}`;
  const cdc = r.changeFiles > 0 ? `, ${plural(r.changeFiles, 'change data file')}` : '';
  return `${r.action} on ${r.uri}: ${what} as version ${r.version}; ${files}; ${how}${cdc} in ${r.ms} ms`;
}

/** What `meridian delta optimize` reports. */
export interface OptimizeReport extends OptimizeResult {
  readonly uri: string;
  /** The --zorder columns; empty for bin-packing. */
  readonly zOrderBy: readonly string[];
  readonly ms: number;
}

export async function deltaOptimize(
  uri: string,
  options: { targetSize?: number; zOrderBy?: readonly string[]; dryRun: boolean },
  progress: (line: string) => void,
): Promise<OptimizeReport> {
  const started = performance.now();
  const result = await optimize(uri, {
    ...(options.targetSize !== undefined ? { targetSize: options.targetSize } : {}),
    ...(options.zOrderBy !== undefined ? { zOrderBy: options.zOrderBy } : {}),
    dryRun: options.dryRun,
    onProgress: (p) => {
      if (p.bins > 2) progress(`  ${p.binsDone}/${p.bins} bins compacted`);
    },
  });
  return { uri, ...result, zOrderBy: options.zOrderBy ?? [], ms: Math.round(performance.now() - started) };
}

export function formatOptimize(r: OptimizeReport): string {
  const bytes = (n: number) => `${n.toLocaleString('en-US')} bytes`;
  if (r.dryRun)
    return `optimize dry run on ${r.uri} at version ${r.version}: would compact ${plural(r.filesRemoved, 'file')} (${bytes(r.bytesRemoved)}) of ${r.filesTotal}; nothing written`;
  if (!r.committed)
    return `optimize on ${r.uri}: nothing to compact (${plural(r.filesTotal, 'file')}, version ${r.version})`;
  if (r.zOrderBy.length > 0)
    return `optimize on ${r.uri}: Z-ordered by ${r.zOrderBy.join(', ')}: rewrote ${plural(r.filesRemoved, 'file')} (${bytes(r.bytesRemoved)}) as ${r.filesAdded} (${bytes(r.bytesAdded)}), ${plural(r.rows, 'row')}, as version ${r.version} in ${r.ms} ms`;
  return `optimize on ${r.uri}: compacted ${plural(r.filesRemoved, 'file')} (${bytes(r.bytesRemoved)}) into ${r.filesAdded} (${bytes(r.bytesAdded)}), ${plural(r.rows, 'row')}, as version ${r.version} in ${r.ms} ms`;
}
