import { DeltaError } from '../errors.ts';
import type { ProtocolAction } from '../log/actions.ts';
import type { DeltaSchema, DeltaType, StructField } from '../schema/types.ts';
import { readerFeaturesOf } from './features.ts';

/** The highest writer version this writer implements (PROTOCOL.md "Writer Version Requirements"). */
export const MAX_WRITER_VERSION = 7;

/**
 * Writer features this writer implements, each with what it does for the feature (PROTOCOL.md
 * "Valid Feature Names in Table Features" and the "Writer Requirements for ..." of each). A feature
 * whose requirement applies only when a column or property uses it is checked again per write by
 * {@link assertWritableMetadata}: supported here means "implemented or refused when in use".
 */
const WRITER_FEATURES: Readonly<Record<string, string>> = {
  appendOnly: 'overwrites are refused when delta.appendOnly is true',
  invariants: 'delta.invariants column expressions are evaluated on every written row',
  checkConstraints: 'delta.constraints.* expressions are evaluated on every written row',
  changeDataFeed: 'writes add or remove whole files only, which change data readers derive from the log',
  generatedColumns: 'refused when a column has a generation expression',
  identityColumns: 'refused when a column is an identity column',
  columnMapping: 'files carry physical names and field ids',
  deletionVectors: 'removes carry the deletion vector of the file they remove',
  timestampNtz: 'timestamp_ntz columns are written as such',
  inCommitTimestamp: 'commitInfo comes first and carries a monotonic inCommitTimestamp',
  domainMetadata: 'domains are left as they are',
  typeWidening: 'files are written with the current (widened) types',
  'typeWidening-preview': 'files are written with the current (widened) types',
  v2Checkpoint: 'checkpoints are v2 spec (JSON, actions inline)',
  vacuumProtocolCheck: 'vacuum checks the reader and the writer protocol of every table before it deletes a file',
  checkpointProtection: 'this writer never truncates the log',
  allowColumnDefaults: 'every column must be given, so no default is ever needed',
  variantType: 'variant columns cannot be given, so none is written',
  'variantType-preview': 'variant columns cannot be given, so none is written',
};

/** The names of {@link WRITER_FEATURES}. */
export const SUPPORTED_WRITER_FEATURES: ReadonlySet<string> = new Set(Object.keys(WRITER_FEATURES));

// PROTOCOL.md "Table Features": the features a legacy writer version implies.
const LEGACY_WRITER_FEATURES: readonly (readonly string[])[] = [
  [],
  [],
  ['appendOnly', 'invariants'],
  ['appendOnly', 'invariants', 'checkConstraints'],
  ['appendOnly', 'invariants', 'checkConstraints', 'changeDataFeed', 'generatedColumns'],
  ['appendOnly', 'invariants', 'checkConstraints', 'changeDataFeed', 'generatedColumns', 'columnMapping'],
  [
    'appendOnly',
    'invariants',
    'checkConstraints',
    'changeDataFeed',
    'generatedColumns',
    'columnMapping',
    'identityColumns',
  ],
];

/** The writer features a protocol declares, whatever its version. */
export function writerFeaturesOf(protocol: ProtocolAction): readonly string[] {
  if (protocol.minWriterVersion >= 7) return protocol.writerFeatures ?? [];
  return LEGACY_WRITER_FEATURES[protocol.minWriterVersion] ?? [];
}

/**
 * Refuses to write to a table whose protocol asks for a writer version above 7 or a writer feature
 * this writer does not implement: writing without honouring it would corrupt the table for every
 * engine that does (PROTOCOL.md "Protocol Evolution": writers must implement every writer feature).
 */
export function assertWritable(protocol: ProtocolAction, uri: string): void {
  const v = protocol.minWriterVersion;
  if (!Number.isInteger(v) || v < 1 || v > MAX_WRITER_VERSION) {
    throw new DeltaError(
      'unsupported-writer-version',
      `table ${uri} requires writer version ${v}; this writer implements versions 1-${MAX_WRITER_VERSION}`,
      { path: uri, hint: 'write to the table with an engine that implements this protocol version' },
    );
  }
  const missing = writerFeaturesOf(protocol).filter((f) => !SUPPORTED_WRITER_FEATURES.has(f));
  if (missing.length > 0) {
    throw new DeltaError(
      'unsupported-writer-feature',
      `table ${uri} requires writer feature${missing.length > 1 ? 's' : ''} ${missing.map((f) => `'${f}'`).join(', ')}, which this writer does not implement`,
      {
        path: uri,
        hint: 'write to the table with an engine that implements the feature; reading it is still possible',
      },
    );
  }
}

function* leafFields(fields: readonly StructField[], path: string): Generator<[StructField, string]> {
  for (const f of fields) {
    const here = path === '' ? f.name : `${path}.${f.name}`;
    yield [f, here];
    const stack: DeltaType[] = [f.type];
    for (let t = stack.pop(); t; t = stack.pop()) {
      if (t.kind === 'struct') yield* leafFields(t.fields, here);
      else if (t.kind === 'array') stack.push(t.elementType);
      else if (t.kind === 'map') stack.push(t.keyType, t.valueType);
    }
  }
}

/**
 * Refuses a write that would need a feature in use this writer only supports by refusing it:
 * generated and identity columns (PROTOCOL.md "Writer Requirements for Generated Columns",
 * "Identity Columns": values must be computed by the writer).
 */
export function assertWritableMetadata(protocol: ProtocolAction, schema: DeltaSchema, uri: string): void {
  const features = writerFeaturesOf(protocol);
  for (const [field, path] of leafFields(schema.fields, '')) {
    if (features.includes('generatedColumns') && field.metadata['delta.generationExpression'] !== undefined) {
      throw new DeltaError(
        'unsupported-writer-feature',
        `column ${path} of ${uri} is generated (${String(field.metadata['delta.generationExpression'])}); writer feature 'generatedColumns' is not implemented for such columns`,
        { path: uri, hint: 'write to the table with an engine that computes generated columns' },
      );
    }
    if (
      features.includes('identityColumns') &&
      Object.keys(field.metadata).some((k) => k.startsWith('delta.identity.'))
    ) {
      throw new DeltaError(
        'unsupported-writer-feature',
        `column ${path} of ${uri} is an identity column; writer feature 'identityColumns' is not implemented for such columns`,
        { path: uri, hint: 'write to the table with an engine that assigns identity values' },
      );
    }
  }
}

/** Whether the table's appendOnly feature is active (PROTOCOL.md "Append-only Tables"). */
export function isAppendOnly(protocol: ProtocolAction, configuration: Readonly<Record<string, string>>): boolean {
  return writerFeaturesOf(protocol).includes('appendOnly') && configuration['delta.appendOnly'] === 'true';
}

/** Whether In-Commit Timestamps must be written (PROTOCOL.md "Writer Requirements for In-Commit Timestamps"). */
export function writesInCommitTimestamps(
  protocol: ProtocolAction,
  configuration: Readonly<Record<string, string>>,
): boolean {
  return (
    writerFeaturesOf(protocol).includes('inCommitTimestamp') &&
    configuration['delta.enableInCommitTimestamps'] === 'true'
  );
}

/** A feature a table property turns on, and whether readers must know it too. */
interface PropertyFeature {
  readonly feature: string;
  readonly reader: boolean;
}

/**
 * The features the properties and schema of a table need (PROTOCOL.md: each feature's "enablement"
 * property). Properties this writer cannot honour (row tracking, Iceberg compat)
 * are refused instead of being written under a protocol that does not declare them.
 */
export function featuresNeeded(configuration: Readonly<Record<string, string>>, uri: string): PropertyFeature[] {
  const out: PropertyFeature[] = [];
  const on = (key: string) => configuration[key]?.toLowerCase() === 'true';
  if (on('delta.appendOnly')) out.push({ feature: 'appendOnly', reader: false });
  if (on('delta.enableChangeDataFeed')) out.push({ feature: 'changeDataFeed', reader: false });
  if (Object.keys(configuration).some((k) => k.startsWith('delta.constraints.')))
    out.push({ feature: 'checkConstraints', reader: false });
  if (on('delta.enableDeletionVectors')) out.push({ feature: 'deletionVectors', reader: true });
  if (on('delta.enableInCommitTimestamps')) out.push({ feature: 'inCommitTimestamp', reader: false });
  const mode = configuration['delta.columnMapping.mode'];
  if (mode === 'name' || mode === 'id') out.push({ feature: 'columnMapping', reader: true });
  else if (mode !== undefined && mode !== 'none') {
    throw new DeltaError('unsupported-write', `delta.columnMapping.mode '${mode}' is not a column mapping mode`, {
      path: uri,
      hint: "use 'none', 'name' or 'id'",
    });
  }
  for (const key of ['delta.enableRowTracking', 'delta.enableIcebergCompatV1', 'delta.enableIcebergCompatV2']) {
    if (on(key)) {
      throw new DeltaError(
        'unsupported-writer-feature',
        `property ${key} needs a writer feature this writer does not implement`,
        {
          path: uri,
          hint: `leave ${key} out of the configuration`,
        },
      );
    }
  }
  if (configuration['delta.checkpointPolicy'] === 'v2') out.push({ feature: 'v2Checkpoint', reader: true });
  return out;
}

/**
 * The protocol a table needs after a write: `base` (the current protocol, or none for a new table)
 * plus every feature in `needed`. Stays on the legacy versions when they already cover the features;
 * otherwise moves to table features (reader 3 when a reader feature is needed, else 1; writer 7),
 * listing the features the legacy versions implied so nothing is dropped (PROTOCOL.md "Table Features").
 */
export function upgradeProtocol(base: ProtocolAction | undefined, needed: readonly PropertyFeature[]): ProtocolAction {
  const current: ProtocolAction = base ?? { minReaderVersion: 1, minWriterVersion: 2 };
  const writer = new Set(writerFeaturesOf(current));
  const reader = new Set(readerFeaturesOf(current));
  const missing = needed.filter((n) => !writer.has(n.feature) || (n.reader && !reader.has(n.feature)));
  if (missing.length === 0) return current;
  for (const n of needed) {
    writer.add(n.feature);
    if (n.reader) reader.add(n.feature);
  }
  const readerVersion = reader.size > 0 ? 3 : Math.max(1, current.minReaderVersion >= 3 ? 3 : 1);
  return {
    minReaderVersion: readerVersion,
    minWriterVersion: 7,
    ...(readerVersion >= 3 ? { readerFeatures: [...reader] } : {}),
    writerFeatures: [...writer],
  };
}
