import type { Table } from 'apache-arrow';
import type { DomainMetadataAction, MetadataAction, ProtocolAction, RemoveAction } from '../log/actions.ts';
import { type DeltaFile, toDeltaFile } from '../log/files.ts';
import type { TableState } from '../log/replay.ts';
import { readerFeaturesOf } from '../protocol/features.ts';
import { TableScan, type TableScanOptions } from '../scan/table-scan.ts';
import type { DeltaSchema } from '../schema/types.ts';
import { parseSchemaString } from '../schema/types.ts';
import type { Storage } from '../storage/storage.ts';
import { countRows, type RowCount } from './row-count.ts';

/** How logical column names map to the names in data files (PROTOCOL.md "Column Mapping"). */
export type ColumnMappingMode = 'none' | 'name' | 'id';

/** A consistent, read-only view of a Delta table at one version. */
export class Snapshot {
  /** The table version this snapshot shows. */
  readonly version: number;
  readonly protocol: ProtocolAction;
  readonly metadata: MetadataAction;
  /** The logical schema, parsed from `metaData.schemaString`. */
  readonly schema: DeltaSchema;
  readonly partitionColumns: readonly string[];
  readonly columnMappingMode: ColumnMappingMode;
  /** Commit timestamp (epoch ms) of this version: inCommitTimestamp when enabled, else the commit file's time. */
  readonly timestamp: number | undefined;
  /** The storage the table lives on. */
  readonly storage: Storage;
  private readonly state: TableState;
  private fileList: DeltaFile[] | undefined;

  /** @internal Built by {@link DeltaTable.snapshot}. */
  constructor(storage: Storage, state: TableState, timestamp: number | undefined) {
    this.storage = storage;
    this.state = state;
    this.version = state.version;
    this.protocol = state.protocol;
    this.metadata = state.metadata;
    this.schema =
      state.metadata.schemaString === null
        ? { kind: 'struct', fields: [] }
        : parseSchemaString(state.metadata.schemaString);
    this.partitionColumns = state.metadata.partitionColumns;
    const mode = state.metadata.configuration['delta.columnMapping.mode'];
    // PROTOCOL.md "Reader Requirements for Column Mapping": the mode applies on reader version 2, or
    // on version 3 when `columnMapping` is a reader feature.
    const mapped = readerFeaturesOf(state.protocol).includes('columnMapping');
    this.columnMappingMode = mapped && (mode === 'name' || mode === 'id') ? mode : 'none';
    this.timestamp = timestamp;
  }

  /** The live data files. */
  files(): readonly DeltaFile[] {
    this.fileList ??= [...this.state.files.values()].map(toDeltaFile);
    return this.fileList;
  }

  /**
   * The live row count from the log alone: numRecords statistics less deletion vectors, unknown when a file has
   * no numRecords. `(await table.snapshot()).rowCount().rows`
   */
  rowCount(): RowCount {
    return countRows(this.files());
  }

  /** Reconciled remove actions (tombstones), as the log holds them. */
  tombstones(): readonly RemoveAction[] {
    return [...this.state.tombstones.values()];
  }

  /** Application transaction versions by appId (`txn` actions). */
  txns(): ReadonlyMap<string, number> {
    return new Map([...this.state.txns.values()].map((t) => [t.appId, t.version]));
  }

  /** Live domain metadata by domain name. */
  domainMetadata(): ReadonlyMap<string, DomainMetadataAction> {
    return this.state.domains;
  }

  /** Table properties (`metaData.configuration`). */
  get configuration(): Readonly<Record<string, string>> {
    return this.metadata.configuration;
  }

  /**
   * Reads the table's rows as Arrow record batches: files skipped by partition values and statistics,
   * row groups by their statistics, the rest decoded in worker threads one row group at a time, a few ahead (bounded memory),
   * rows filtered exactly. Deletion vectors are applied, partition values materialised.
   * `snapshot.scan({ columns: ['ts'], where: col('region').eq('eu-west-1'), limit: 10 })`
   */
  scan(options: TableScanOptions = {}): TableScan {
    return new TableScan(this.scanContext(), this.files(), options);
  }

  /** Reads the whole (projected, filtered) table into one Arrow table. */
  toArrow(options: TableScanOptions = {}): Promise<Table> {
    return this.scan(options).toArrow();
  }

  /** What the file reader needs to turn files into logical rows. */
  scanContext(): import('../scan/file-read.ts').ScanContext {
    return {
      storage: this.storage,
      schema: this.schema,
      partitionColumns: this.partitionColumns,
      columnMappingMode: this.columnMappingMode,
    };
  }
}
