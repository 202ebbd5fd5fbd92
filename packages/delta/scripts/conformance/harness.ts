import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { DeltaError, type DeltaErrorCode } from '../../src/errors.ts';
import { formatDeltaType } from '../../src/schema/types.ts';
import type { Snapshot } from '../../src/snapshot/snapshot.ts';
import type { DeltaTable } from '../../src/snapshot/table.ts';
import type { Storage } from '../../src/storage/storage.ts';
import { canonicalize, hashLines } from './canonical.ts';

/** The parts of an answer file (ANSWERS.md) the harness compares; unknown fields are ignored. */
export interface Answer {
  readonly table: string;
  /** Absent (or null) for tables that must fail before any version is known (an empty log, not a table). */
  readonly version?: number | null;
  readonly latestVersion?: number;
  readonly protocol?: Readonly<Record<string, unknown>>;
  readonly schema?: readonly { name: string; type: string; nullable: boolean; physicalName?: string }[] | null;
  readonly partitionColumns?: readonly string[];
  readonly configuration?: Readonly<Record<string, string>>;
  readonly metadataId?: string;
  readonly columnMappingMode?: string;
  readonly numFiles?: number;
  readonly sizeBytes?: number;
  readonly activePathsHash?: string;
  readonly activePaths?: readonly string[];
  readonly tombstones?: number;
  readonly txns?: Readonly<Record<string, number>>;
  readonly domainMetadata?: readonly string[];
  readonly statsNumRecords?: number | null;
  readonly commitTimestamp?: number;
  readonly inCommitTimestamp?: number;
  readonly numRows?: number;
  readonly contentHash?: string;
  readonly columnHashes?: Readonly<Record<string, string>>;
  readonly firstRow?: string;
  readonly lastRow?: string;
  readonly deletionVectors?: { readonly files: number; readonly deletedRows: number };
  readonly error?: { readonly kind: string; readonly message?: string };
  readonly unsupported?: string;
  readonly dataUnavailable?: string;
  readonly timeTravel?: readonly Answer[];
}

/** The outcome of one table (all its answered versions). */
export interface TableResult {
  readonly table: string;
  readonly passed: boolean;
  /** What differed, one line each, prefixed with the version. */
  readonly problems: readonly string[];
  /** Versions checked, with what was compared (`data`, `log`, `error`, `refused`). */
  readonly checked: readonly string[];
  readonly ms: number;
}

/** Options of {@link runConformance}. */
export interface ConformanceOptions {
  readonly corpus: string;
  readonly answers: string;
  /** Opens a table's storage (the caller chooses the backend). */
  readonly openStorage: (path: string) => Storage;
  readonly openTable: (storage: Storage) => Promise<DeltaTable>;
  /** Only tables whose name includes this string. */
  readonly filter?: string;
  /** Called after each table. */
  readonly onResult?: (r: TableResult) => void;
}

const ERROR_KINDS: Record<string, DeltaErrorCode> = {
  missingProtocol: 'missing-protocol',
  missingMetadata: 'missing-metadata',
  versionsNotContiguous: 'versions-not-contiguous',
  logIncomplete: 'log-incomplete',
  emptyLog: 'empty-log',
  notATable: 'not-a-table',
};

function sha256Lines(lines: readonly string[]): string {
  return `sha256:${createHash('sha256').update(lines.join('\n')).digest('hex')}`;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sortedOrUndefined(x: readonly string[] | undefined): string[] | undefined {
  return x ? [...x].sort() : undefined;
}

/** Compares log-level facts of a snapshot with an answer; pushes one line per difference. */
function compareLog(snap: Snapshot, a: Answer, top: boolean, problems: string[]): void {
  const diff = (what: string, ours: unknown, theirs: unknown) => {
    if (!same(ours, theirs)) problems.push(`${what}: got ${JSON.stringify(ours)}, answer ${JSON.stringify(theirs)}`);
  };
  if (typeof a.version === 'number') diff('version', snap.version, a.version);
  if (a.protocol) {
    const p = snap.protocol;
    const ours: Record<string, unknown> = {
      minReaderVersion: p.minReaderVersion,
      minWriterVersion: p.minWriterVersion,
    };
    const rf = sortedOrUndefined(p.readerFeatures);
    const wf = sortedOrUndefined(p.writerFeatures);
    if ('readerFeatures' in a.protocol || rf) ours.readerFeatures = rf;
    if ('writerFeatures' in a.protocol || wf) ours.writerFeatures = wf;
    const theirs = { ...a.protocol };
    if (Array.isArray(theirs.readerFeatures)) theirs.readerFeatures = [...(theirs.readerFeatures as string[])].sort();
    if (Array.isArray(theirs.writerFeatures)) theirs.writerFeatures = [...(theirs.writerFeatures as string[])].sort();
    diff('protocol', ours, theirs);
  }
  if (a.schema === null) diff('schema', snap.metadata.schemaString === null ? null : 'a schema', null);
  else if (a.schema) {
    const mapped = snap.columnMappingMode !== 'none';
    const ours = snap.schema.fields.map((f) => {
      const o: Record<string, unknown> = { name: f.name, type: formatDeltaType(f.type), nullable: f.nullable };
      const pn = f.metadata['delta.columnMapping.physicalName'];
      if (mapped && typeof pn === 'string') o.physicalName = pn;
      return o;
    });
    diff('schema', ours, a.schema);
  }
  if (a.partitionColumns) diff('partitionColumns', snap.partitionColumns, a.partitionColumns);
  if (top && a.configuration) diff('configuration', snap.configuration, a.configuration);
  if (top && a.metadataId !== undefined) diff('metadataId', snap.metadata.id, a.metadataId);
  if (a.columnMappingMode !== undefined) diff('columnMappingMode', snap.columnMappingMode, a.columnMappingMode);
  const files = snap.files();
  if (a.numFiles !== undefined) diff('numFiles', files.length, a.numFiles);
  if (a.sizeBytes !== undefined)
    diff(
      'sizeBytes',
      files.reduce((s, f) => s + f.size, 0),
      a.sizeBytes,
    );
  const paths = files.map((f) => f.path).sort();
  if (a.activePathsHash !== undefined) diff('activePathsHash', sha256Lines(paths), a.activePathsHash);
  if (a.activePaths !== undefined) diff('activePaths', paths, [...a.activePaths].sort());
  if (a.tombstones !== undefined) diff('tombstones', snap.tombstones().length, a.tombstones);
  if (a.txns !== undefined) diff('txns', Object.fromEntries(snap.txns()), a.txns);
  if (a.domainMetadata !== undefined)
    diff('domainMetadata', [...snap.domainMetadata().keys()].sort(), [...a.domainMetadata].sort());
  const count = snap.rowCount();
  if (a.statsNumRecords !== undefined)
    diff('statsNumRecords', count.filesWithoutCount > 0 ? null : count.recorded, a.statsNumRecords);
  if (a.deletionVectors !== undefined) {
    const withDv = files.filter((f) => f.deletionVector).length;
    diff('deletionVectors', { files: withDv, deletedRows: count.deleted }, a.deletionVectors);
  }
  if (top && a.inCommitTimestamp !== undefined) diff('inCommitTimestamp', snap.timestamp, a.inCommitTimestamp);
}

async function compareData(snap: Snapshot, a: Answer, problems: string[]): Promise<void> {
  const batches: RecordBatch[] = [];
  for await (const b of snap.scan()) batches.push(b);
  const { rows, columns } = canonicalize(batches, snap.schema.fields);
  if (a.numRows !== undefined && rows.length !== a.numRows)
    problems.push(`numRows: got ${rows.length}, answer ${a.numRows}`);
  if (a.contentHash === undefined) return;
  const hash = hashLines(rows);
  if (hash === a.contentHash) return;
  problems.push(`contentHash differs`);
  if (a.firstRow !== undefined && rows[0] !== a.firstRow)
    problems.push(`firstRow: got ${rows[0]}, answer ${a.firstRow}`);
  if (a.lastRow !== undefined && rows.at(-1) !== a.lastRow)
    problems.push(`lastRow: got ${rows.at(-1)}, answer ${a.lastRow}`);
  for (const [name, expected] of Object.entries(a.columnHashes ?? {})) {
    const values = columns.get(name);
    if (!values) problems.push(`column ${name}: missing`);
    else if (hashLines(values) !== expected) problems.push(`column ${name}: hash differs (first value ${values[0]})`);
  }
}

function describe(e: unknown): string {
  return e instanceof DeltaError
    ? `${e.code}: ${e.message}`
    : e instanceof Error
      ? `${e.name}: ${e.message}`
      : String(e);
}

async function checkVersion(
  table: DeltaTable,
  a: Answer,
  top: boolean,
  problems: string[],
  checked: string[],
): Promise<void> {
  const label = typeof a.version === 'number' ? `v${a.version}` : 'latest';
  const at = typeof a.version === 'number' ? { version: a.version } : {};
  const tag = (p: string[]) => p.map((x) => `${label} ${x}`);
  const local: string[] = [];
  if (a.error) {
    const want = ERROR_KINDS[a.error.kind];
    try {
      const snap = await table.snapshot(at);
      if (!a.dataUnavailable) for await (const _ of snap.scan()) break;
      local.push(`expected error ${a.error.kind}, but the read succeeded`);
    } catch (e) {
      if (!(e instanceof DeltaError) || e.code !== want)
        local.push(`expected error ${want ?? a.error.kind}, got ${describe(e)}`);
    }
    checked.push(`${label}:error`);
    problems.push(...tag(local));
    return;
  }
  if (a.unsupported !== undefined) {
    const byVersion = /reader ?version/i.test(a.unsupported);
    const want: DeltaErrorCode = byVersion ? 'unsupported-reader-version' : 'unsupported-reader-feature';
    // The refusal must name what is unsupported: the version number, or each feature the answer names.
    const named = byVersion
      ? [/(\d+)/.exec(a.unsupported)?.[1] ?? '']
      : ((a.protocol?.readerFeatures as string[] | undefined) ?? []).filter((f) => a.unsupported?.includes(f));
    try {
      const snap = await table.snapshot(at);
      for await (const _ of snap.scan()) break;
      local.push(`expected a refusal (${want}), but the read succeeded`);
    } catch (e) {
      if (!(e instanceof DeltaError) || e.code !== want) local.push(`expected ${want}, got ${describe(e)}`);
      else for (const n of named) if (!e.message.includes(n)) local.push(`refusal does not name '${n}': ${e.message}`);
    }
    checked.push(`${label}:refused`);
    problems.push(...tag(local));
    return;
  }
  let snap: Snapshot;
  try {
    snap = await table.snapshot(at);
  } catch (e) {
    problems.push(...tag([`snapshot failed: ${describe(e)}`]));
    return;
  }
  compareLog(snap, a, top, local);
  if (a.dataUnavailable === undefined && (a.numRows !== undefined || a.contentHash !== undefined)) {
    try {
      await compareData(snap, a, local);
    } catch (e) {
      local.push(`scan failed: ${describe(e)}`);
    }
    checked.push(`${label}:data`);
  } else checked.push(`${label}:log`);
  problems.push(...tag(local));
}

/** Checks one table against its answer: the answered version and every time-travel version. */
async function checkTable(options: ConformanceOptions, a: Answer): Promise<TableResult> {
  const t0 = performance.now();
  const problems: string[] = [];
  const checked: string[] = [];
  try {
    const table = await options.openTable(options.openStorage(join(options.corpus, a.table)));
    if (a.latestVersion !== undefined && !a.error) {
      try {
        const latest = await table.latestVersion();
        if (latest !== a.latestVersion) problems.push(`latestVersion: got ${latest}, answer ${a.latestVersion}`);
      } catch (e) {
        problems.push(`latestVersion failed: ${describe(e)}`);
      }
    }
    await checkVersion(table, a, true, problems, checked);
    for (const tt of a.timeTravel ?? []) await checkVersion(table, tt, false, problems, checked);
  } catch (e) {
    problems.push(`failed: ${describe(e)}`);
  }
  return { table: a.table, passed: problems.length === 0, problems, checked, ms: performance.now() - t0 };
}

/** Reads every answer file of a folder, sorted by name. */
async function loadAnswers(dir: string): Promise<Answer[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  const out: Answer[] = [];
  for (const n of names) out.push(JSON.parse(await readFile(join(dir, n), 'utf8')) as Answer);
  return out;
}

/** Runs every answered table of a corpus; returns per-table results. */
export async function runConformance(options: ConformanceOptions): Promise<TableResult[]> {
  const answers = await loadAnswers(options.answers);
  const results: TableResult[] = [];
  for (const a of answers) {
    if (options.filter !== undefined && !a.table.includes(options.filter)) continue;
    const r = await checkTable(options, a);
    options.onResult?.(r);
    results.push(r);
  }
  return results;
}
