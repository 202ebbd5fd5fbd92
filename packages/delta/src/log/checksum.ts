import { DeltaError } from '../errors.ts';
import type { Storage } from '../storage/storage.ts';
import type { TableState } from './replay.ts';

/*
 * PROTOCOL.md "Version Checksum File": `_delta_log/NNN.crc` holds what the table state at version NNN reconciles
 * to (live file count and bytes, metadata, protocol, transactions). "State Validation": a reader computes the same
 * from the log and treats any difference as corruption. A log rewritten or truncated behind the writers' back (a
 * commit emptied, a checkpoint swapped) then fails here, naming the file, instead of reading as another table.
 * Fields a writer left out (older Spark writes only the counts) are not checked.
 */

type Json = Readonly<Record<string, unknown>>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sameSet(a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean {
  const x = new Set((a ?? []).map(String));
  const y = new Set((b ?? []).map(String));
  return x.size === y.size && [...x].every((v) => y.has(v));
}

/** What differs between the replayed state and the checksum, one phrase each. */
function differences(crc: Json, state: TableState): string[] {
  const out: string[] = [];
  const files = [...state.files.values()];
  if (typeof crc.numFiles === 'number' && crc.numFiles !== files.length)
    out.push(`numFiles ${crc.numFiles} in the checksum, ${files.length} live files in the log`);
  const bytes = files.reduce((s, f) => s + f.size, 0);
  if (typeof crc.tableSizeBytes === 'number' && crc.tableSizeBytes !== bytes)
    out.push(`tableSizeBytes ${crc.tableSizeBytes} in the checksum, ${bytes} in the log`);
  const metadata = crc.metadata;
  if (isObject(metadata)) {
    if (metadata.id !== undefined && metadata.id !== state.metadata.id)
      out.push(`metadata id ${String(metadata.id)} in the checksum, ${state.metadata.id} in the log`);
    if (typeof metadata.schemaString === 'string' && metadata.schemaString !== state.metadata.schemaString)
      out.push('a different schema');
    if (
      Array.isArray(metadata.partitionColumns) &&
      !sameSet(metadata.partitionColumns, state.metadata.partitionColumns)
    )
      out.push('different partition columns');
  }
  const protocol = crc.protocol;
  if (isObject(protocol)) {
    const p = state.protocol;
    if (protocol.minReaderVersion !== p.minReaderVersion || protocol.minWriterVersion !== p.minWriterVersion)
      out.push(
        `protocol ${String(protocol.minReaderVersion)}/${String(protocol.minWriterVersion)} in the checksum, ${p.minReaderVersion}/${p.minWriterVersion} in the log`,
      );
    else if (
      !sameSet(protocol.readerFeatures as unknown[] | undefined, p.readerFeatures) ||
      !sameSet(protocol.writerFeatures as unknown[] | undefined, p.writerFeatures)
    )
      out.push('different table features');
  }
  if (Array.isArray(crc.setTransactions)) {
    const crcTxns = new Map<string, unknown>(
      crc.setTransactions.filter(isObject).map((t) => [String(t.appId), t.version] as const),
    );
    const same = crcTxns.size === state.txns.size && [...state.txns].every(([id, t]) => crcTxns.get(id) === t.version);
    if (!same) out.push(`${crcTxns.size} application transactions in the checksum, ${state.txns.size} in the log`);
  }
  return out;
}

/**
 * Checks the state replayed for a version against that version's checksum file; refuses a difference with
 * `checksum-mismatch`, and a checksum that is empty or not a JSON object with `invalid-log`, both naming the file.
 */
export async function verifyChecksum(storage: Storage, key: string, state: TableState): Promise<void> {
  const text = new TextDecoder().decode(await storage.get(key));
  let crc: unknown;
  try {
    crc = JSON.parse(text);
  } catch {
    crc = undefined;
  }
  if (!isObject(crc)) {
    throw new DeltaError(
      'invalid-log',
      `the version checksum ${key} is ${text.trim() === '' ? 'empty' : 'not a JSON object'}`,
      {
        path: key,
        hint: 'the log was damaged: restore the file from a backup, or delete it if the commits are known to be intact',
      },
    );
  }
  const found = differences(crc, state);
  if (found.length > 0) {
    throw new DeltaError(
      'checksum-mismatch',
      `version ${state.version} replayed from the log does not match its checksum ${key}: ${found.join('; ')}`,
      {
        path: key,
        hint: 'a commit or checkpoint of this table was changed, emptied or removed after it was written; restore the log from a backup',
      },
    );
  }
}
