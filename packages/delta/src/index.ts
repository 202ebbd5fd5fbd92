// Public API of @meridian/delta: every export is named here.
export { DeltaError } from './errors.ts';
export type { DeltaErrorCode } from './errors.ts';
export type { ObjectInfo, Storage } from './storage/storage.ts';
export { openStorage } from './storage/open.ts';
export type { OpenStorageOptions } from './storage/open.ts';
export { LocalStorage } from './storage/local.ts';
export { MemoryStorage } from './storage/memory.ts';
export { S3Storage } from './storage/s3.ts';
export type { S3Credentials, S3StorageOptions } from './storage/s3-config.ts';
export { openTable, DeltaTable } from './snapshot/table.ts';
export type { CommitEntry, SnapshotOptions } from './snapshot/table.ts';
export { Snapshot } from './snapshot/snapshot.ts';
export type { ColumnMappingMode } from './snapshot/snapshot.ts';
export type { DeltaFile, FileStats } from './log/files.ts';
export { resolveTablePath } from './log/table-paths.ts';
export { loadDeletionVector } from './deletion-vectors/descriptor.ts';
export type { RowCount } from './snapshot/row-count.ts';
export type {
  AddAction,
  DeletionVectorDescriptor,
  DomainMetadataAction,
  MetadataAction,
  ProtocolAction,
  RemoveAction,
  TxnAction,
} from './log/actions.ts';
export type { DeltaSchema, DeltaType, PrimitiveTypeName, StructField } from './schema/types.ts';
export { formatDeltaType, parseSchemaString } from './schema/types.ts';
export { arrowSchema, arrowType } from './schema/arrow.ts';
export { SUPPORTED_READER_FEATURES, MAX_READER_VERSION } from './protocol/features.ts';
export { SUPPORTED_WRITER_FEATURES, MAX_WRITER_VERSION } from './protocol/writer-features.ts';
export type { ScanContext, ScanOptions } from './scan/file-read.ts';
export { defaultMaxDecodedBytes } from './scan/verify-file.ts';
export { decodeVariant, VariantScalar } from './arrow/variant.ts';
export type { VariantValue } from './arrow/variant.ts';
export { CHANGE_COLUMNS } from './snapshot/changes.ts';
export { and, col, ColumnRef, not, or, Predicate } from './scan/predicate.ts';
export type { ComparisonOperator, Literal, PredicateNode } from './scan/predicate.ts';
export { parsePredicate } from './scan/predicate-parser.ts';
export { TableScan } from './scan/table-scan.ts';
export type { ScanMetrics, TableScanOptions } from './scan/table-scan.ts';
export { DecodePool, defaultPoolSize } from './parquet/worker-pool.ts';
export { writeTable } from './write/write-table.ts';
export { checkpoint } from './write/checkpoint.ts';
export { vacuum } from './write/vacuum.ts';
export type { LeftoverCleanUp, VacuumFile, VacuumOptions, VacuumResult } from './write/vacuum.ts';
export type { CheckpointResult } from './write/checkpoint.ts';
export type { WriteMode, WriteOptions } from './write/options.ts';
export type { WriteResult } from './write/write-table.ts';
export type { WriteProgress } from './write/data-files.ts';
export type { WriteCompression } from './write/parquet.ts';
export { deleteRows } from './write/delete-rows.ts';
export type { DeleteOptions } from './write/delete-rows.ts';
export { updateRows } from './write/update-rows.ts';
export type { Assignments, UpdateOptions } from './write/update-rows.ts';
export type { RewriteOptions, RewriteResult } from './write/rewrite-files.ts';
export { mergeRows } from './write/merge-rows.ts';
export type { MergeOptions } from './write/merge-rows.ts';
export { optimize } from './write/optimize.ts';
export type { OptimizeOptions, OptimizeResult } from './write/optimize.ts';
export { replicate } from './write/replicate.ts';
export type { ReplicateOptions, ReplicateResult } from './write/replicate.ts';
