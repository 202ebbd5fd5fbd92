import {
  type DeltaSchema,
  formatDeltaType,
  openTable,
  type Snapshot,
  type SnapshotOptions,
  type TableScanOptions,
  vacuum,
} from '@meridian/delta';
import { tableToIPC } from 'apache-arrow';
import { CliInputError, ExitCode, type RegisterCommand } from '../command.ts';
import { parseFormat, parseLimit } from '../options/row-options.ts';
import { batchRows } from '../render/arrow-rows.ts';
import { csvHeader, rowLine, rowTexts, textTable } from '../render/row-text.ts';
import {
  deltaDelete,
  deltaMerge,
  deltaOptimize,
  deltaUpdate,
  formatMutate,
  formatOptimize,
  parseAssignments,
  parseKeys,
  parseMergeClauses,
  parseTargetSize,
  requireWhere,
} from './delta-mutate.ts';
import { deltaReplicate, formatReplicate, parseAddColumns } from './delta-replicate.ts';
import {
  deltaCheckpoint,
  deltaHistory,
  deltaWrite,
  formatCheckpoint,
  formatHistory,
  formatVacuum,
  formatWrite,
  parseList,
  parseRetentionHours,
  parseTxn,
  parseWriteMode,
} from './delta-write.ts';

/** What `meridian delta info` reports about one snapshot. */
interface DeltaInfo {
  readonly uri: string;
  readonly version: number;
  /** Commit time of the version, ISO 8601, when known. */
  readonly timestamp: string | undefined;
  readonly protocol: {
    readonly minReaderVersion: number;
    readonly minWriterVersion: number;
    readonly readerFeatures: readonly string[];
    readonly writerFeatures: readonly string[];
  };
  readonly schema: readonly { readonly name: string; readonly type: string; readonly nullable: boolean }[];
  readonly partitionColumns: readonly string[];
  readonly files: number;
  /** Total bytes of the live data files. */
  readonly size: number;
  /** Live rows by the log: the files' numRecords less their deletion vectors; null when a file has no numRecords. */
  readonly rows: number | null;
  /** Rows the deletion vectors delete (already taken off `rows`). */
  readonly deletedRows: number;
  /** Files without a numRecords statistic (why `rows` is null). */
  readonly filesWithoutRowCount: number;
}

/** The actions of `meridian delta <action> <uri>`, as --help lists them. */
const deltaActions = [
  'info',
  'scan',
  'history',
  'write',
  'delete',
  'update',
  'merge',
  'optimize',
  'checkpoint',
  'vacuum',
  'replicate',
] as const;

/** The output formats of `meridian delta scan`. */
const scanFormats = ['table', 'jsonl', 'csv', 'parquet'] as const;
type ScanFormat = (typeof scanFormats)[number];

function snapshotOptions(options: { version?: unknown; timestamp?: unknown }): SnapshotOptions {
  if (options.version !== undefined && options.timestamp !== undefined) {
    throw new CliInputError('conflicting-options', 'give --version or --timestamp, not both', 'drop one of them');
  }
  if (options.version !== undefined) {
    const version = Number(options.version);
    if (!Number.isInteger(version) || version < 0) {
      throw new CliInputError(
        'bad-version',
        `--version ${String(options.version)} is not a table version`,
        'give a whole number, e.g. --version 3',
      );
    }
    return { version };
  }
  if (options.timestamp !== undefined) return { timestamp: String(options.timestamp) };
  return {};
}

/** Opens the table at `uri` and describes the snapshot (the latest, or the one the options name). */
async function deltaInfo(uri: string, options: SnapshotOptions = {}): Promise<DeltaInfo> {
  const snapshot = await (await openTable(uri)).snapshot(options);
  const files = snapshot.files();
  const count = snapshot.rowCount();
  return {
    uri,
    version: snapshot.version,
    timestamp: snapshot.timestamp === undefined ? undefined : new Date(snapshot.timestamp).toISOString(),
    protocol: {
      minReaderVersion: snapshot.protocol.minReaderVersion,
      minWriterVersion: snapshot.protocol.minWriterVersion,
      readerFeatures: snapshot.protocol.readerFeatures ?? [],
      writerFeatures: snapshot.protocol.writerFeatures ?? [],
    },
    schema: schemaRows(snapshot.schema),
    partitionColumns: snapshot.partitionColumns,
    files: files.length,
    size: files.reduce((sum, f) => sum + f.size, 0),
    rows: count.rows ?? null,
    deletedRows: count.deleted,
    filesWithoutRowCount: count.filesWithoutCount,
  };
}

function schemaRows(schema: DeltaSchema): DeltaInfo['schema'] {
  return schema.fields.map((f) => ({ name: f.name, type: formatDeltaType(f.type), nullable: f.nullable }));
}

function formatInfo(info: DeltaInfo): string {
  const features = (list: readonly string[]) => (list.length > 0 ? ` [${list.join(', ')}]` : '');
  const width = Math.max(...info.schema.map((f) => f.name.length), 4);
  return [
    `table      ${info.uri}`,
    `version    ${info.version}${info.timestamp ? ` (${info.timestamp})` : ''}`,
    `protocol   reader ${info.protocol.minReaderVersion}${features(info.protocol.readerFeatures)}, writer ${info.protocol.minWriterVersion}${features(info.protocol.writerFeatures)}`,
    `partitions ${info.partitionColumns.length > 0 ? info.partitionColumns.join(', ') : '(none)'}`,
    `files      ${info.files} (${info.size.toLocaleString('en-US')} bytes)`,
    `rows       ${formatRows(info)}`,
    'schema',
    ...info.schema.map((f) => `  ${f.name.padEnd(width)}  ${f.type}${f.nullable ? '' : ' not null'}`),
  ].join('\n');
}

/** The row count as the log gives it, saying how it was found, or why it is not known. */
function formatRows(info: DeltaInfo): string {
  const n = (count: number) => count.toLocaleString('en-US');
  if (info.rows === null) {
    return `unknown (${n(info.filesWithoutRowCount)} of ${n(info.files)} files have no numRecords statistic; meridian delta scan reads them)`;
  }
  if (info.deletedRows === 0) return `${n(info.rows)} (by the files' statistics)`;
  return `${n(info.rows)} (${n(info.rows + info.deletedRows)} by the files' statistics, less ${n(info.deletedRows)} deleted by deletion vectors)`;
}

/** Options of {@link deltaScan}. */
interface DeltaScanOptions extends SnapshotOptions {
  readonly columns?: readonly string[];
  readonly where?: string;
  readonly limit?: number;
  readonly format?: ScanFormat;
}

/** Scans the table at `uri` and writes the rows to `out` in the format asked (parquet as bytes). */
async function deltaScan(
  uri: string,
  options: DeltaScanOptions,
  out: (chunk: string | Uint8Array) => void,
): Promise<number> {
  const snapshot: Snapshot = await (await openTable(uri)).snapshot({
    ...(options.version !== undefined ? { version: options.version } : {}),
    ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
  });
  const scanOptions: TableScanOptions = {
    ...(options.columns ? { columns: options.columns } : {}),
    ...(options.where ? { where: options.where } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
  };
  const scan = snapshot.scan(scanOptions);
  const format = options.format ?? 'table';
  const names = scan.schema.fields.map((f) => f.name);
  let rows = 0;
  if (format === 'parquet') {
    const table = await scan.toArrow();
    const parquet = await import('parquet-wasm');
    const properties = new parquet.WriterPropertiesBuilder().setCompression(parquet.Compression.ZSTD).build();
    out(parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(table, 'stream')), properties));
    return table.numRows;
  }
  if (format === 'table') {
    // Column widths need every row first; a table is for reading, so it is held in memory.
    const cells: string[][] = [];
    for await (const batch of scan) for (const row of batchRows(batch)) cells.push(rowTexts(names, row));
    out(textTable(names, cells));
    out(`(${cells.length} row${cells.length === 1 ? '' : 's'})\n`);
    return cells.length;
  }
  if (format === 'csv') out(csvHeader(names));
  for await (const batch of scan) {
    const lines: string[] = [];
    for (const row of batchRows(batch)) {
      lines.push(rowLine(format, names, row));
      rows++;
    }
    if (lines.length > 0) out(`${lines.join('\n')}\n`);
  }
  return rows;
}

/**
 * cac's global `-v, --version` is a boolean flag, so `--version 3` would lose its value; for `meridian delta`
 * it means the table version, so it is renamed before cac parses the arguments (main passes process.argv itself).
 */
function renameVersionFlag(argv: string[]): void {
  if (argv[2] !== 'delta') return;
  for (let i = 3; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--version') argv[i] = '--at-version';
    else if (arg.startsWith('--version=')) argv[i] = `--at-version=${arg.slice('--version='.length)}`;
  }
}

export const registerDelta: RegisterCommand = (cli) => {
  renameVersionFlag(process.argv);
  cli
    .command(
      'delta <action> <uri> [target]',
      `Inspect, read or write a Delta table (actions: ${deltaActions.join(', ')}); <uri> is a path, file://, s3:// or memory://; replicate takes a <target> too`,
    )
    .option('--at-version <n>', 'Table version to read, time travel (also spelled --version <n>)')
    .option('--timestamp <time>', 'Read the version current at this time (ISO 8601 or epoch ms)')
    .option('--columns <a,b>', 'scan: columns to return, comma-separated')
    .option(
      '--where <expr>',
      "scan: rows to keep; delete, update: rows to change, e.g. \"region = 'eu-west-1' and ts >= '2024-01-01'\"",
    )
    .option('--limit <n>', 'scan: at most this many rows')
    .option('--format <format>', `scan: ${scanFormats.join(', ')} (default table)`)
    .option('--from <file>', 'write, merge: the rows to write, a .parquet, .arrow, .jsonl or .csv file')
    .option('--set <column=value>', 'update: a new value, as text the column type reads (repeatable; null sets null)')
    .option('--on <a,b>', 'merge: key columns matching source rows to table rows')
    .option('--when-matched <action>', 'merge: update or delete the table rows a source row matches')
    .option('--when-not-matched <action>', 'merge: insert the source rows no table row matches')
    .option('--target-size <bytes>', 'optimize: size of a compacted file (K, M, G suffixes; default 100M)')
    .option('--zorder <a,b>', 'optimize: rewrite every file sorted by the Z-order of these columns (skipping on each)')
    .option('--mode <mode>', 'write: append (default), overwrite or create')
    .option('--partition-by <a,b>', 'write: partition columns of a new table (an existing table keeps its own)')
    .option('--overwrite-schema', "write: with --mode overwrite, replace the table's schema and partitioning")
    .option('--replace-where <expr>', 'write: with --mode overwrite, replace only the rows matching this predicate')
    .option(
      '--app-id <id>',
      'write: with --app-version, make the write idempotent: a rerun of the same version is skipped',
    )
    .option('--app-version <n>', 'write: the run number of --app-id (grows with each run)')
    .option('--merge-schema', 'write: add the columns the table lacks (nullable); write nulls for missing ones')
    .option(
      '--retention-hours <n>',
      "vacuum: delete files unused for this long (default: the table's delta.deletedFileRetentionDuration, else 168)",
    )
    .option('--add-column <name=value>', 'replicate: a constant column added to every copied row (repeatable)')
    .option('--topology <file>', 'replicate: refuse to move a residency-restricted data class out of its jurisdictions')
    .option('--source-table <id>', 'replicate: the deltaTable of the topology the source is (default: by s3 location)')
    .option('--target-table <id>', 'replicate: the deltaTable of the topology the target is (default: by s3 location)')
    .option('--target-region <region>', 'replicate: the region of a target the topology does not declare')
    .option('--dry-run', 'delete, update, merge, optimize, vacuum, replicate: say what would change, write nothing')
    .option('--force', "vacuum: allow --retention-hours below the table's retention")
    .option(
      '--json',
      'info, history, write, delete, update, merge, optimize, checkpoint, vacuum, replicate: print JSON',
    )
    .example('meridian delta info s3://lake/events --json')
    .example('meridian delta scan ./events --columns ts,region --where "region = \'eu-west-1\'" --limit 20')
    .example('meridian delta scan ./events --version 3 --format parquet > events-v3.parquet')
    .example('meridian delta write ./events --from new-events.parquet')
    .example('meridian delta write ./events --from events.csv --mode overwrite --partition-by region')
    .example(
      'meridian delta write ./events --from may.parquet --mode overwrite --replace-where "day >= \'2024-05-01\'"',
    )
    .example('meridian delta delete ./events --where "day < \'2024-01-01\'" --dry-run')
    .example('meridian delta update ./orders --where "id = 42" --set status=shipped')
    .example(
      'meridian delta merge ./orders --from changes.parquet --on id --when-matched update --when-not-matched insert',
    )
    .example('meridian delta optimize ./events --target-size 128M')
    .example('meridian delta optimize ./events --zorder device_id,ts')
    .example(
      'meridian delta replicate s3://shop-lake-eu-west-1/orders s3://shop-global/orders --add-column region=eu-west-1 --topology topology.ts',
    )
    .example('meridian delta checkpoint s3://lake/events')
    .example('meridian delta vacuum ./events --dry-run')
    .example('meridian delta history ./events --limit 10')
    .action(
      async (
        action: string,
        uri: string,
        target: string | undefined,
        options: {
          addColumn?: unknown;
          topology?: unknown;
          sourceTable?: unknown;
          targetTable?: unknown;
          targetRegion?: unknown;
          atVersion?: unknown;
          timestamp?: unknown;
          columns?: unknown;
          where?: unknown;
          limit?: unknown;
          format?: unknown;
          json?: boolean;
          from?: unknown;
          mode?: unknown;
          partitionBy?: unknown;
          overwriteSchema?: boolean;
          replaceWhere?: unknown;
          mergeSchema?: boolean;
          appId?: unknown;
          appVersion?: unknown;
          retentionHours?: unknown;
          dryRun?: boolean;
          force?: boolean;
          set?: unknown;
          on?: unknown;
          whenMatched?: unknown;
          whenNotMatched?: unknown;
          targetSize?: unknown;
          zorder?: unknown;
        },
      ) => {
        const print = (report: unknown, text: string) =>
          process.stdout.write(`${options.json ? JSON.stringify(report, null, 2) : text}\n`);
        if (action === 'replicate') {
          if (target === undefined)
            throw new CliInputError(
              'missing-target',
              'delta replicate needs a <source> and a <target> table',
              'meridian delta replicate <source> <target> --add-column region=eu-west-1',
            );
          const text = (v: unknown) => (v === undefined || v === true ? undefined : String(v));
          const flags = {
            topology: text(options.topology),
            sourceTable: text(options.sourceTable),
            targetTable: text(options.targetTable),
            targetRegion: text(options.targetRegion),
          };
          const report = await deltaReplicate(
            uri,
            target,
            {
              addColumns: parseAddColumns(options.addColumn),
              dryRun: options.dryRun === true,
              ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)),
            },
            (line) => process.stderr.write(`${line}\n`),
          );
          print(report, formatReplicate(report));
          process.exitCode = ExitCode.ok;
          return;
        }
        if (target !== undefined)
          throw new CliInputError(
            'unexpected-argument',
            `delta ${action} takes one table, not '${target}' as well`,
            `meridian delta ${action} <uri>`,
          );
        if (action === 'write') {
          if (options.from === undefined || options.from === true)
            throw new CliInputError(
              'missing-from',
              'delta write needs --from <file>',
              'meridian delta write <uri> --from rows.parquet',
            );
          const partitionBy = parseList(options.partitionBy);
          const txn = parseTxn(options.appId, options.appVersion);
          const report = await deltaWrite(
            uri,
            {
              from: String(options.from),
              mode: parseWriteMode(options.mode),
              ...(partitionBy !== undefined ? { partitionBy } : {}),
              ...(options.overwriteSchema ? { overwriteSchema: true } : {}),
              ...(options.replaceWhere !== undefined ? { replaceWhere: String(options.replaceWhere) } : {}),
              ...(options.mergeSchema ? { mergeSchema: true } : {}),
              ...(txn ? { txn } : {}),
            },
            (line) => process.stderr.write(`${line}\n`),
          );
          print(report, formatWrite(report));
          process.exitCode = ExitCode.ok;
          return;
        }
        if (action === 'delete' || action === 'update' || action === 'merge') {
          const dryRun = options.dryRun === true;
          let report: Awaited<ReturnType<typeof deltaDelete>>;
          if (action === 'merge') {
            if (options.from === undefined || options.from === true)
              throw new CliInputError(
                'missing-from',
                'delta merge needs --from <file>',
                'meridian delta merge <uri> --from changes.parquet --on id --when-matched update --when-not-matched insert',
              );
            const on = parseKeys(options.on);
            const clauses = parseMergeClauses(options.whenMatched, options.whenNotMatched);
            report = await deltaMerge(uri, String(options.from), on, clauses, dryRun);
          } else {
            const where = requireWhere(action, options.where);
            report =
              action === 'delete'
                ? await deltaDelete(uri, where, dryRun)
                : await deltaUpdate(uri, where, parseAssignments(options.set), dryRun);
          }
          print(report, formatMutate(report));
          process.exitCode = ExitCode.ok;
          return;
        }
        if (action === 'optimize') {
          const targetSize = parseTargetSize(options.targetSize);
          const zOrderBy = options.zorder === undefined ? undefined : parseKeys(options.zorder, 'zorder');
          const report = await deltaOptimize(
            uri,
            {
              ...(targetSize !== undefined ? { targetSize } : {}),
              ...(zOrderBy !== undefined ? { zOrderBy } : {}),
              dryRun: options.dryRun === true,
            },
            (line) => process.stderr.write(`${line}\n`),
          );
          print(report, formatOptimize(report));
          process.exitCode = ExitCode.ok;
          return;
        }
        if (action === 'checkpoint') {
          const report = await deltaCheckpoint(uri);
          print(report, formatCheckpoint(report));
          process.exitCode = ExitCode.ok;
          return;
        }
        if (action === 'vacuum') {
          const retentionHours = parseRetentionHours(options.retentionHours);
          const report = await vacuum(uri, {
            ...(retentionHours !== undefined ? { retentionHours } : {}),
            ...(options.dryRun ? { dryRun: true } : {}),
            ...(options.force ? { force: true } : {}),
          });
          print(report, formatVacuum(report));
          process.exitCode = ExitCode.ok;
          return;
        }
        if (action === 'history') {
          const entries = await deltaHistory(uri, parseLimit(options.limit));
          print(entries, formatHistory(entries));
          process.exitCode = ExitCode.ok;
          return;
        }
        const at = snapshotOptions({ ...options, version: options.atVersion });
        if (action === 'info') {
          const info = await deltaInfo(uri, at);
          process.stdout.write(`${options.json ? JSON.stringify(info, null, 2) : formatInfo(info)}\n`);
          process.exitCode = ExitCode.ok;
          return;
        }
        if (action !== 'scan')
          throw new CliInputError(
            'unknown-action',
            `unknown delta action '${action}'`,
            `use one of: meridian delta ${deltaActions.join('|')} <uri>`,
          );
        const format = parseFormat(options.format, scanFormats);
        if (format === 'parquet' && process.stdout.isTTY) {
          throw new CliInputError(
            'binary-to-terminal',
            'parquet output is binary; redirect it to a file',
            'meridian delta scan <uri> --format parquet > rows.parquet',
          );
        }
        const limit = parseLimit(options.limit);
        const columns =
          options.columns === undefined
            ? undefined
            : String(options.columns)
                .split(',')
                .map((c) => c.trim())
                .filter((c) => c.length > 0);
        const rows = await deltaScan(
          uri,
          {
            ...at,
            ...(columns ? { columns } : {}),
            ...(options.where !== undefined ? { where: String(options.where) } : {}),
            ...(limit !== undefined ? { limit } : {}),
            format,
          },
          (chunk) => process.stdout.write(chunk),
        );
        if (format !== 'table') process.stderr.write(`${rows} rows\n`);
        process.exitCode = ExitCode.ok;
      },
    );
};
