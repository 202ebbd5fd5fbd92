import { DeltaError } from '../errors.ts';
import type { ProtocolAction } from '../log/actions.ts';

/** The highest reader version this reader implements (PROTOCOL.md "Reader Version Requirements"). */
export const MAX_READER_VERSION = 3;

/**
 * Reader features this reader implements (PROTOCOL.md "Valid Feature Names in Table Features").
 * The `-preview` names are the ones Databricks/Spark runtimes wrote before a feature was final.
 * `variantShredding-preview` is accepted for tables whose files hold unshredded variants only:
 * the scan refuses any file with a shredded (`typed_value`) variant column.
 */
export const SUPPORTED_READER_FEATURES: ReadonlySet<string> = new Set([
  'columnMapping',
  'deletionVectors',
  'timestampNtz',
  'typeWidening',
  'typeWidening-preview',
  'v2Checkpoint',
  'vacuumProtocolCheck',
  'variantType',
  'variantType-preview',
  'variantShredding-preview',
]);

/** The reader features a protocol requires, whatever its version (version 2 implies columnMapping). */
export function readerFeaturesOf(protocol: ProtocolAction): readonly string[] {
  if (protocol.minReaderVersion >= 3) return protocol.readerFeatures ?? [];
  if (protocol.minReaderVersion === 2) return ['columnMapping'];
  return [];
}

/**
 * Refuses a table this reader cannot read correctly: a reader version above 3, or any reader
 * feature outside {@link SUPPORTED_READER_FEATURES}. Reading such a table could silently return
 * wrong rows, so the error names what is missing.
 */
export function assertReadable(protocol: ProtocolAction, uri: string): void {
  const v = protocol.minReaderVersion;
  if (!Number.isInteger(v) || v < 1 || v > MAX_READER_VERSION) {
    const unknown = (protocol.readerFeatures ?? []).filter((f) => !SUPPORTED_READER_FEATURES.has(f));
    throw new DeltaError(
      'unsupported-reader-version',
      `table requires reader version ${v}; this reader implements versions 1-${MAX_READER_VERSION}` +
        (unknown.length > 0 ? ` (it also lists unknown reader features: ${unknown.join(', ')})` : ''),
      { path: uri, hint: 'read the table with an engine that implements this protocol version' },
    );
  }
  const missing = readerFeaturesOf(protocol).filter((f) => !SUPPORTED_READER_FEATURES.has(f));
  if (missing.length > 0) {
    throw new DeltaError(
      'unsupported-reader-feature',
      `table requires reader feature${missing.length > 1 ? 's' : ''} ${missing.map((f) => `'${f}'`).join(', ')}, which this reader does not implement`,
      { path: uri, hint: 'read the table with an engine that implements the feature, or ask its writer to drop it' },
    );
  }
}
