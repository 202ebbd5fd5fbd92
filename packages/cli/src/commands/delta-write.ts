import {
  type CommitEntry,
  checkpoint,
  DeltaError,
  openTable,
  type VacuumResult,
  type WriteMode,
  writeTable,
} from '@meridian/delta';
import { CliInputError } from '../command.ts';
import { readTableFile } from '../input/table-file.ts';

/*
 * The writing actions of `meridian delta`: write, checkpoint, vacuum, history. Each is a function over
 * @meridian/delta returning a report, and a formatter for people; --json prints the report.
 */

/** What `meridian delta write` reports. */
export interface WriteReport {
  readonly uri: string;
  readonly from: string;
  readonly mode: WriteMode;
  readonly version: number;
  readonly rows: number;
  readonly files: number;
  readonly bytes: number;
  readonly removedFiles: number;
  readonly skipped: boolean;
  readonly checkpoint: number | undefined;
  /** What the checkpoint's clean-up removed (leftovers of killed writers older than the retention window). */
  readonly cleanUp: { readonly files: number; readonly bytes: number; readonly error?: string } | undefined;
  readonly ms: number;
}

const writeModes: readonly WriteMode[] = ['append', 'overwrite', 'create'];

/** The --mode value (append when absent). */
export function parseWriteMode(value: unknown): WriteMode {
  const mode = value === undefined ? 'append' : String(value);
  if (!(writeModes as readonly string[]).includes(mode)) {
    throw new CliInputError('unknown-mode', `unknown write mode '${mode}'`, `use one of ${writeModes.join(', ')}`);
  }
  return mode as WriteMode;
}

/** `--app-id` with `--app-version`: an application transaction, or undefined when neither is given. */
export function parseTxn(appId: unknown, appVersion: unknown): { appId: string; version: number } | undefined {
  if (appId === undefined && appVersion === undefined) return undefined;
  const version = Number(appVersion);
  if (
    appId === undefined ||
    appId === true ||
    String(appId) === '' ||
    appVersion === undefined ||
    !Number.isSafeInteger(version) ||
    version < 0
  ) {
    throw new CliInputError(
      'bad-transaction',
      '--app-id and --app-version go together: an application name and a whole number that grows with each run',
      'meridian delta write <uri> --from rows.parquet --app-id nightly-load --app-version 42',
    );
  }
  return { appId: String(appId), version };
}

/** A comma-separated list option, or undefined when absent. */
export function parseList(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  return String(value)
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
}

async function tableSchema(uri: string) {
  try {
    return (await (await openTable(uri)).snapshot()).schema;
  } catch (error) {
    if (error instanceof DeltaError && (error.code === 'not-a-table' || error.code === 'empty-log')) return undefined;
    throw error;
  }
}

/** Writes the rows of `from` to the table at `uri` (made when absent); `progress` gets stderr lines. */
export async function deltaWrite(
  uri: string,
  options: {
    readonly from: string;
    readonly mode: WriteMode;
    readonly partitionBy?: readonly string[];
    readonly overwriteSchema?: boolean;
    readonly replaceWhere?: string;
    readonly mergeSchema?: boolean;
    readonly txn?: { readonly appId: string; readonly version: number };
  },
  progress: (line: string) => void,
): Promise<WriteReport> {
  const started = performance.now();
  // CSV and JSON lines take the existing table's column types; parquet and Arrow carry their own.
  const data = await readTableFile(options.from, await tableSchema(uri));
  progress(`read ${data.numRows.toLocaleString('en-US')} rows from ${options.from}; writing to ${uri}`);
  const result = await writeTable(uri, data, {
    mode: options.mode,
    ...(options.partitionBy !== undefined ? { partitionBy: options.partitionBy } : {}),
    ...(options.overwriteSchema ? { overwriteSchema: true } : {}),
    ...(options.replaceWhere !== undefined ? { replaceWhere: options.replaceWhere } : {}),
    ...(options.mergeSchema ? { mergeSchema: true } : {}),
    ...(options.txn ? { txn: options.txn } : {}),
    onProgress: (p) => {
      // Long writes say how far they are; a write of one or two files needs no running count.
      if (p.files > 2)
        progress(`  ${p.filesWritten}/${p.files} files (${p.bytesWritten.toLocaleString('en-US')} bytes)`);
    },
  });
  progress(result.skipped ? 'nothing committed' : `committed version ${result.version}`);
  return {
    uri,
    from: options.from,
    mode: options.mode,
    version: result.version,
    rows: result.rows,
    files: result.added.length,
    bytes: result.added.reduce((s, a) => s + a.size, 0),
    removedFiles: result.removed,
    skipped: result.skipped,
    checkpoint: result.checkpoint,
    cleanUp:
      result.cleanUp === undefined
        ? undefined
        : {
            files: result.cleanUp.files.length,
            bytes: result.cleanUp.bytes,
            ...(result.cleanUp.error !== undefined ? { error: result.cleanUp.error } : {}),
          },
    ms: Math.round(performance.now() - started),
  };
}

/** The one-line summary of a write. */
export function formatWrite(r: WriteReport): string {
  if (r.skipped) return `skipped: ${r.uri} already holds this write (version ${r.version})`;
  const removed = r.removedFiles > 0 ? `, removed ${r.removedFiles} file${r.removedFiles === 1 ? '' : 's'}` : '';
  const cp = r.checkpoint !== undefined ? `, checkpoint at version ${r.checkpoint}` : '';
  const swept = !r.cleanUp
    ? ''
    : r.cleanUp.error !== undefined
      ? ` (leftovers of killed writers not removed: ${r.cleanUp.error}; meridian delta vacuum removes them)`
      : r.cleanUp.files > 0
        ? ` (removed ${r.cleanUp.files} leftover file${r.cleanUp.files === 1 ? '' : 's'} of killed writers, ${r.cleanUp.bytes.toLocaleString('en-US')} bytes)`
        : '';
  return `${r.mode}: wrote ${r.rows.toLocaleString('en-US')} rows in ${r.files} file${r.files === 1 ? '' : 's'} (${r.bytes.toLocaleString('en-US')} bytes) to ${r.uri} as version ${r.version}${removed}${cp}${swept} in ${r.ms} ms`;
}

/** What `meridian delta checkpoint` reports. */
export interface CheckpointReport {
  readonly uri: string;
  readonly version: number;
  readonly key: string;
  readonly actions: number;
  readonly sizeInBytes: number;
}

/** Writes a checkpoint of the table's latest version. */
export async function deltaCheckpoint(uri: string): Promise<CheckpointReport> {
  const r = await checkpoint(uri);
  return { uri, version: r.version, key: r.key, actions: r.actions, sizeInBytes: r.sizeInBytes };
}

export function formatCheckpoint(r: CheckpointReport): string {
  return `checkpoint of ${r.uri} at version ${r.version}: ${r.actions} actions, ${r.sizeInBytes.toLocaleString('en-US')} bytes (${r.key})`;
}

/** The --retention-hours value: hours, 0 or more (undefined when absent: the table's own retention). */
export function parseRetentionHours(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const hours = Number(value);
  if (value === true || value === '' || !Number.isFinite(hours) || hours < 0) {
    throw new CliInputError(
      'bad-retention',
      `--retention-hours must be a number of hours, 0 or more, not '${String(value)}'`,
      'meridian delta vacuum <uri> --retention-hours 168',
    );
  }
  return hours;
}

/** One line per file deleted (or, in a dry run, to be deleted), then a summary. */
export function formatVacuum(r: VacuumResult): string {
  const verb = r.dryRun ? 'would delete' : 'deleted';
  const lines = r.files.map((f) => `${verb}  ${f.key}  (${f.reason}, ${f.size.toLocaleString('en-US')} bytes)`);
  lines.push(
    `vacuum of ${r.uri} at version ${r.version}: ${verb} ${r.files.length} file${r.files.length === 1 ? '' : 's'} (${r.bytes.toLocaleString('en-US')} bytes) older than ${r.retentionHours} hours; kept ${r.kept} the table uses`,
  );
  return lines.join('\n');
}

/** One line of `meridian delta history`. */
export interface HistoryEntry {
  readonly version: number;
  readonly timestamp: string;
  readonly operation: string | undefined;
  readonly parameters: Readonly<Record<string, unknown>> | undefined;
  readonly engine: string | undefined;
}

/** The table's commits, newest first. */
export async function deltaHistory(uri: string, limit: number | undefined): Promise<HistoryEntry[]> {
  const entries: CommitEntry[] = await (await openTable(uri)).history(limit === undefined ? {} : { limit });
  return entries.map((e) => {
    const info = e.commitInfo;
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const params = info?.operationParameters;
    return {
      version: e.version,
      timestamp: new Date(e.timestamp).toISOString(),
      operation: text(info?.operation),
      parameters: typeof params === 'object' && params !== null ? (params as Record<string, unknown>) : undefined,
      engine: text(info?.engineInfo),
    };
  });
}

export function formatHistory(entries: readonly HistoryEntry[]): string {
  const width = Math.max(7, ...entries.map((e) => String(e.version).length));
  const lines = entries.map((e) => {
    const params = e.parameters
      ? Object.entries(e.parameters)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ')
      : '';
    return `${String(e.version).padStart(width)}  ${e.timestamp}  ${e.operation ?? '(no commitInfo)'}${params ? `  ${params}` : ''}${e.engine ? `  [${e.engine}]` : ''}`;
  });
  return [`${'version'.padStart(width)}  ${'timestamp'.padEnd(24)}  operation`, ...lines].join('\n');
}
