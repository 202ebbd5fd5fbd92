import { DeltaError } from '../errors.ts';

/** The `protocol` action (PROTOCOL.md "Protocol Evolution"). */
export interface ProtocolAction {
  readonly minReaderVersion: number;
  readonly minWriterVersion: number;
  readonly readerFeatures?: readonly string[];
  readonly writerFeatures?: readonly string[];
}

/** The `metaData` action (PROTOCOL.md "Change Metadata"). */
export interface MetadataAction {
  readonly id: string;
  readonly name?: string | null;
  readonly description?: string | null;
  readonly format: { readonly provider: string; readonly options?: Readonly<Record<string, string>> };
  /** Absent in a few log-only tables (Delta Live Tables' first commit); read as an empty schema. */
  readonly schemaString: string | null;
  readonly partitionColumns: readonly string[];
  readonly configuration: Readonly<Record<string, string>>;
  readonly createdTime?: number | null;
}

/** A deletion vector descriptor (PROTOCOL.md "Deletion Vector Descriptor Schema"). */
export interface DeletionVectorDescriptor {
  readonly storageType: string;
  readonly pathOrInlineDv: string;
  readonly offset?: number | null;
  readonly sizeInBytes: number;
  readonly cardinality: number;
}

/** The `add` action: a live data file. */
export interface AddAction {
  readonly path: string;
  readonly partitionValues: Readonly<Record<string, string | null>>;
  readonly size: number;
  readonly modificationTime: number;
  readonly dataChange: boolean;
  /** The raw JSON statistics string, when written. */
  readonly stats?: string | null;
  /** Statistics a checkpoint stored as a struct (`stats_parsed`). */
  readonly statsParsed?: Readonly<Record<string, unknown>> | null;
  readonly tags?: Readonly<Record<string, string | null>> | null;
  readonly deletionVector?: DeletionVectorDescriptor | null;
  readonly baseRowId?: number | null;
  readonly defaultRowCommitVersion?: number | null;
  readonly clusteringProvider?: string | null;
}

/** The `remove` action: a tombstone. */
export interface RemoveAction {
  readonly path: string;
  readonly deletionTimestamp?: number | null;
  readonly dataChange: boolean;
  readonly extendedFileMetadata?: boolean | null;
  readonly partitionValues?: Readonly<Record<string, string | null>> | null;
  readonly size?: number | null;
  readonly tags?: Readonly<Record<string, string | null>> | null;
  readonly deletionVector?: DeletionVectorDescriptor | null;
}

/** The `cdc` action: a change data file of one commit. */
interface CdcAction {
  readonly path: string;
  readonly partitionValues: Readonly<Record<string, string | null>>;
  readonly size: number;
  readonly dataChange?: boolean;
}

/** The `txn` action: the latest version an application committed. */
export interface TxnAction {
  readonly appId: string;
  readonly version: number;
  readonly lastUpdated?: number | null;
}

/** The `domainMetadata` action. */
export interface DomainMetadataAction {
  readonly domain: string;
  readonly configuration: string;
  readonly removed: boolean;
}

/** The `sidecar` action of a v2 checkpoint. */
interface SidecarAction {
  readonly path: string;
  readonly sizeInBytes: number;
  readonly modificationTime: number;
}

/** One action of a commit or checkpoint. */
export type Action =
  | { readonly type: 'add'; readonly add: AddAction }
  | { readonly type: 'remove'; readonly remove: RemoveAction }
  | { readonly type: 'metaData'; readonly metaData: MetadataAction }
  | { readonly type: 'protocol'; readonly protocol: ProtocolAction }
  | { readonly type: 'txn'; readonly txn: TxnAction }
  | { readonly type: 'cdc'; readonly cdc: CdcAction }
  | { readonly type: 'commitInfo'; readonly commitInfo: Readonly<Record<string, unknown>> }
  | { readonly type: 'domainMetadata'; readonly domainMetadata: DomainMetadataAction }
  | { readonly type: 'sidecar'; readonly sidecar: SidecarAction }
  | { readonly type: 'checkpointMetadata'; readonly checkpointMetadata: Readonly<Record<string, unknown>> };

function num(v: unknown): number {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') return Number(v);
  return Number.NaN;
}

function optNum(v: unknown): number | null {
  return v === null || v === undefined ? null : num(v);
}

function stringMap(v: unknown): Record<string, string | null> {
  if (v instanceof Map) return Object.fromEntries(v) as Record<string, string | null>;
  if (typeof v === 'object' && v !== null) return v as Record<string, string | null>;
  return {};
}

function dv(v: unknown): DeletionVectorDescriptor | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.storageType !== 'string' || typeof o.pathOrInlineDv !== 'string') return null;
  return {
    storageType: o.storageType,
    pathOrInlineDv: o.pathOrInlineDv,
    offset: optNum(o.offset),
    sizeInBytes: num(o.sizeInBytes),
    cardinality: num(o.cardinality),
  };
}

function fail(what: string, where: string): never {
  throw new DeltaError('invalid-log', `malformed ${what} action`, {
    path: where,
    hint: 'the log file is corrupt or was written by a broken writer',
  });
}

/**
 * The `add` action of one raw action object (a JSON line's `add`, or a checkpoint row read into a scratch object):
 * the path must be a string and the size a byte count (the reader checks each data file against its size before
 * reading it). `where` names the line or row, built only for an error. Reads the fields it keeps and holds on to
 * `o` only for `stats_parsed`, so a checkpoint may hand over one reused object (without `stats_parsed`) for all its rows.
 */
export function addAction(o: Readonly<Record<string, unknown>>, where: string | (() => string)): AddAction {
  const path = o.path;
  if (typeof path !== 'string') fail('add', typeof where === 'string' ? where : where());
  const size = num(o.size);
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new DeltaError(
      'invalid-log',
      `malformed add action for ${path}: size must be a whole number of bytes, found ${JSON.stringify(o.size) ?? 'nothing'}`,
      {
        path: typeof where === 'string' ? where : where(),
        hint: 'the log file is corrupt or was written by a broken writer',
      },
    );
  }
  const add: AddAction = {
    path,
    partitionValues: stringMap(o.partitionValues),
    size,
    modificationTime: num(o.modificationTime),
    dataChange: o.dataChange !== false,
    stats: typeof o.stats === 'string' ? o.stats : null,
    tags: o.tags === null || o.tags === undefined ? null : stringMap(o.tags),
    deletionVector: dv(o.deletionVector),
    baseRowId: optNum(o.baseRowId),
    defaultRowCommitVersion: optNum(o.defaultRowCommitVersion),
    clusteringProvider: typeof o.clusteringProvider === 'string' ? o.clusteringProvider : null,
  };
  // Read through on access: a checkpoint reader may hand over stats_parsed lazily.
  if ('stats_parsed' in o) readStatsParsedOnAccess(add, () => o.stats_parsed);
  return add;
}

/**
 * Gives `add` a `statsParsed` read from `raw` on first access and on every access after (a checkpoint's struct column
 * is converted only if a scan's file skipping asks): an object, or null for anything else.
 */
export function readStatsParsedOnAccess(add: AddAction, raw: () => unknown): void {
  Object.defineProperty(add, 'statsParsed', {
    enumerable: true,
    get: () => {
      const sp = raw();
      return typeof sp === 'object' && sp !== null ? (sp as Record<string, unknown>) : null;
    },
  });
}

/**
 * Normalises one action object (a JSON commit line or a checkpoint row) into an {@link Action}.
 * Returns undefined for action kinds this reader does not need (unknown kinds are ignored, as
 * PROTOCOL.md asks readers to).
 */
export function toAction(obj: Record<string, unknown>, where: string): Action | undefined {
  for (const [k, v] of Object.entries(obj)) {
    if (v === null || v === undefined || typeof v !== 'object') continue;
    const o = v as Record<string, unknown>;
    switch (k) {
      case 'add':
        return { type: 'add', add: addAction(o, where) };
      case 'remove': {
        if (typeof o.path !== 'string') fail('remove', where);
        return {
          type: 'remove',
          remove: {
            path: o.path,
            deletionTimestamp: optNum(o.deletionTimestamp),
            dataChange: o.dataChange !== false,
            extendedFileMetadata: typeof o.extendedFileMetadata === 'boolean' ? o.extendedFileMetadata : null,
            partitionValues:
              o.partitionValues === null || o.partitionValues === undefined ? null : stringMap(o.partitionValues),
            size: optNum(o.size),
            tags: o.tags === null || o.tags === undefined ? null : stringMap(o.tags),
            deletionVector: dv(o.deletionVector),
          },
        };
      }
      case 'metaData': {
        if (o.schemaString !== undefined && o.schemaString !== null && typeof o.schemaString !== 'string')
          fail('metaData', where);
        const fmt = (o.format ?? { provider: 'parquet' }) as Record<string, unknown>;
        const partitionColumns = Array.isArray(o.partitionColumns)
          ? (o.partitionColumns as string[])
          : o.partitionColumns && typeof (o.partitionColumns as Iterable<string>)[Symbol.iterator] === 'function'
            ? [...(o.partitionColumns as Iterable<string>)]
            : [];
        return {
          type: 'metaData',
          metaData: {
            id: String(o.id ?? ''),
            name: typeof o.name === 'string' ? o.name : null,
            description: typeof o.description === 'string' ? o.description : null,
            format: {
              provider: String(fmt.provider ?? 'parquet'),
              options: stringMap(fmt.options) as Record<string, string>,
            },
            schemaString: typeof o.schemaString === 'string' ? o.schemaString : null,
            partitionColumns,
            configuration: stringMap(o.configuration) as Record<string, string>,
            createdTime: optNum(o.createdTime),
          },
        };
      }
      case 'protocol': {
        const rf = o.readerFeatures;
        const wf = o.writerFeatures;
        const list = (x: unknown): string[] | undefined =>
          x === null || x === undefined ? undefined : Array.isArray(x) ? (x as string[]) : [...(x as Iterable<string>)];
        const readerFeatures = list(rf);
        const writerFeatures = list(wf);
        return {
          type: 'protocol',
          protocol: {
            minReaderVersion: num(o.minReaderVersion),
            minWriterVersion: num(o.minWriterVersion),
            ...(readerFeatures ? { readerFeatures } : {}),
            ...(writerFeatures ? { writerFeatures } : {}),
          },
        };
      }
      case 'txn':
        if (typeof o.appId !== 'string') fail('txn', where);
        return { type: 'txn', txn: { appId: o.appId, version: num(o.version), lastUpdated: optNum(o.lastUpdated) } };
      case 'cdc':
        if (typeof o.path !== 'string') fail('cdc', where);
        return {
          type: 'cdc',
          cdc: { path: o.path, partitionValues: stringMap(o.partitionValues), size: num(o.size) },
        };
      case 'commitInfo':
        return { type: 'commitInfo', commitInfo: o };
      case 'domainMetadata':
        if (typeof o.domain !== 'string') fail('domainMetadata', where);
        return {
          type: 'domainMetadata',
          domainMetadata: {
            domain: o.domain,
            configuration: typeof o.configuration === 'string' ? o.configuration : '',
            removed: o.removed === true,
          },
        };
      case 'sidecar':
        if (typeof o.path !== 'string') fail('sidecar', where);
        return {
          type: 'sidecar',
          sidecar: { path: o.path, sizeInBytes: num(o.sizeInBytes), modificationTime: num(o.modificationTime) },
        };
      case 'checkpointMetadata':
        return { type: 'checkpointMetadata', checkpointMetadata: o };
      default:
        continue;
    }
  }
  return undefined;
}

/** Parses a newline-delimited JSON commit file into actions. */
export function parseCommit(bytes: Uint8Array, where: string): Action[] {
  const text = new TextDecoder().decode(bytes);
  const out: Action[] = [];
  let lineNo = 0;
  let lines = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    const trimmed = line.trim();
    if (trimmed === '') continue;
    lines++;
    let obj: unknown;
    try {
      obj = JSON.parse(trimmed);
    } catch (cause) {
      throw new DeltaError('invalid-log', `line ${lineNo} of ${where} is not JSON`, {
        path: where,
        hint: 'the commit file is corrupt (each line must be one JSON action)',
        cause,
      });
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new DeltaError('invalid-log', `line ${lineNo} of ${where} is not an action (a JSON object)`, {
        path: where,
        hint: 'the commit file is corrupt (each line must be one JSON object holding one action)',
      });
    }
    const a = toAction(obj as Record<string, unknown>, `${where}:${lineNo}`);
    if (a) out.push(a);
  }
  // PROTOCOL.md "Delta Log Entries": a commit holds at least one action. An empty file is a commit that was lost
  // (a crash or a copy cut short); reading it as an empty version would silently drop that version's changes.
  if (lines === 0) {
    throw new DeltaError('invalid-log', `the commit file ${where} is empty`, {
      path: where,
      hint: 'the commit was lost or truncated: restore the file from a copy of the table, or rewrite that version',
    });
  }
  return out;
}

/**
 * The key that identifies a logical file in reconciliation: its path plus the deletion vector's
 * unique id (PROTOCOL.md "Action Reconciliation", "Deletion Vectors": storageType + pathOrInlineDv + offset).
 */
export function fileKey(path: string, dvd: DeletionVectorDescriptor | null | undefined): string {
  if (!dvd) return path;
  const off = dvd.offset === null || dvd.offset === undefined ? '' : `@${dvd.offset}`;
  return `${path}\u0000${dvd.storageType}${dvd.pathOrInlineDv}${off}`;
}
