import type { DuckDBConnection } from '@duckdb/node-api';
import {
  type DeltaFile,
  type DeltaType,
  LocalStorage,
  loadDeletionVector,
  resolveTablePath,
  type Snapshot,
  type StructField,
} from '@meridian/delta';
import { ident, sqlString, sqlType } from './duckdb-sql.ts';

// PROTOCOL.md "Column Mapping": the physical name lives in the field metadata.
const PHYSICAL_NAME = 'delta.columnMapping.physicalName';

/** A column the fragment reads: its logical name, its field, and whether the log (not the file) holds it. */
interface SourceColumn {
  readonly field: StructField;
  readonly isPartition: boolean;
}

/** Why a region cannot run in DuckDB exactly, or undefined when it can. */
export function unsupportedColumn(snapshot: Snapshot, names: Iterable<string>): string | undefined {
  for (const name of names) {
    const field = snapshot.schema.fields.find((f) => f.name === name);
    if (!field) return `the table has no column '${name}'`;
    const sql = sqlType(field.type);
    if (!sql) return `column '${name}' is of type ${describeType(field.type)}, which the DuckDB runner does not read`;
    if (snapshot.partitionColumns.includes(name) && sql.duck === '')
      return `partition column '${name}' is a ${describeType(field.type)} (its log values are not cast in SQL)`;
  }
  return undefined;
}

function describeType(type: DeltaType): string {
  return type.kind === 'primitive' ? type.name : type.kind;
}

/** The file selection of a region, as DuckDB reads it: the files, their partition values and deleted rows. */
export interface RegionSource {
  /** `FROM ...` of the region's live rows, every requested column under its logical name. */
  readonly from: string;
  /** Drops the temporary tables. */
  release(): Promise<void>;
}

let sequence = 0;

/**
 * Loads a region's selected files into DuckDB's view: a temporary table of the files and their partition values as
 * the Delta log gives them (PROTOCOL.md "Partition Value Serialization": the files hold no partition columns), a
 * temporary table of the rows the deletion vectors delete (PROTOCOL.md "Deletion Vectors": row indexes in the file,
 * which is DuckDB's file_row_number), and the `FROM` clause that reads exactly those files with those rows removed,
 * physical names mapped to logical ones (PROTOCOL.md "Column Mapping"), and `NULL` for a column the files lack
 * (added after they were written). `absent` names physical columns none of the files has.
 */
export async function regionSource(
  connection: DuckDBConnection,
  snapshot: Snapshot,
  files: readonly DeltaFile[],
  columns: readonly string[],
  absent: ReadonlySet<string>,
): Promise<RegionSource> {
  const storage = snapshot.storage as LocalStorage;
  const mapped = snapshot.columnMappingMode !== 'none';
  const id = ++sequence;
  const filesTable = `meridian_files_${id}`;
  const deletedTable = `meridian_deleted_${id}`;
  const paths = files.map((f) => `${storage.root}/${resolveTablePath(storage.uri, f.path)}`);
  const wanted: SourceColumn[] = columns.map((name) => ({
    field: snapshot.schema.fields.find((f) => f.name === name) as StructField,
    isPartition: snapshot.partitionColumns.includes(name),
  }));
  const partition = wanted.filter((c) => c.isPartition);
  const created: string[] = [];
  if (partition.length > 0) {
    const physical = (f: StructField) => {
      const p = f.metadata[PHYSICAL_NAME];
      return mapped && typeof p === 'string' ? p : f.name;
    };
    await connection.run(
      `CREATE TEMP TABLE ${filesTable} (filename VARCHAR, ${partition
        .map((c) => `${ident(c.field.name)} ${sqlType(c.field.type)?.duck}`)
        .join(', ')})`,
    );
    created.push(filesTable);
    const rows = files.map((file, i) => {
      const values = partition.map((c) => {
        // A partition value of null, or the empty string, is null (PROTOCOL.md "Partition Value Serialization").
        const text = file.partitionValues[physical(c.field)] ?? file.partitionValues[c.field.name] ?? null;
        return text === null || text === '' ? 'NULL' : `CAST(${sqlString(text)} AS ${sqlType(c.field.type)?.duck})`;
      });
      return `(${sqlString(paths[i] as string)}, ${values.join(', ')})`;
    });
    for (let i = 0; i < rows.length; i += 500)
      await connection.run(`INSERT INTO ${filesTable} VALUES ${rows.slice(i, i + 500).join(', ')}`);
  }
  const withVectors = files.map((f, i) => ({ f, path: paths[i] as string })).filter(({ f }) => f.deletionVector);
  if (withVectors.length > 0) {
    await connection.run(`CREATE TEMP TABLE ${deletedTable} (filename VARCHAR, pos BIGINT)`);
    created.push(deletedTable);
    const appender = await connection.createAppender(deletedTable);
    try {
      for (const { f, path } of withVectors) {
        const deleted = await loadDeletionVector(storage, f.deletionVector as NonNullable<DeltaFile['deletionVector']>);
        for (const position of deleted) {
          appender.appendVarchar(path);
          appender.appendBigInt(BigInt(position));
          appender.endRow();
        }
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }
  const select = wanted.map(({ field, isPartition }) => {
    const sql = sqlType(field.type);
    const p = field.metadata[PHYSICAL_NAME];
    const physical = mapped && typeof p === 'string' ? p : field.name;
    const raw = isPartition ? `f.${ident(field.name)}` : absent.has(physical) ? 'NULL' : `d.${ident(physical)}`;
    const typed = sql?.duck ? `CAST(${raw} AS ${sql.duck})` : raw;
    return `${typed} AS ${ident(field.name)}`;
  });
  const list = `[${paths.map(sqlString).join(', ')}]`;
  const from = [
    `(SELECT ${select.length > 0 ? select.join(', ') : '1 AS one'} FROM read_parquet(${list}, filename = true, file_row_number = true, union_by_name = true) AS d`,
    partition.length > 0 ? `JOIN ${filesTable} AS f ON d.filename = f.filename` : '',
    withVectors.length > 0
      ? `ANTI JOIN ${deletedTable} AS x ON x.filename = d.filename AND x.pos = d.file_row_number`
      : '',
    ')',
  ]
    .filter((part) => part !== '')
    .join(' ');
  return {
    from,
    async release() {
      for (const table of created) await connection.run(`DROP TABLE IF EXISTS ${table}`);
    },
  };
}

/** Physical columns of `wanted` that none of the files holds (a column added after they were written). */
export async function absentColumns(
  connection: DuckDBConnection,
  snapshot: Snapshot,
  files: readonly DeltaFile[],
  wanted: readonly string[],
): Promise<Set<string>> {
  const storage = snapshot.storage as LocalStorage;
  const mapped = snapshot.columnMappingMode !== 'none';
  const physical = wanted
    .filter((name) => !snapshot.partitionColumns.includes(name))
    .map((name) => {
      const field = snapshot.schema.fields.find((f) => f.name === name) as StructField;
      const p = field.metadata[PHYSICAL_NAME];
      return mapped && typeof p === 'string' ? p : field.name;
    });
  if (physical.length === 0 || files.length === 0) return new Set();
  const list = `[${files.map((f) => sqlString(`${storage.root}/${resolveTablePath(storage.uri, f.path)}`)).join(', ')}]`;
  const present = new Set(
    (await connection.runAndReadAll(`SELECT DISTINCT name FROM parquet_schema(${list})`))
      .getRowsJS()
      .map((r) => String(r[0])),
  );
  return new Set(physical.filter((p) => !present.has(p)));
}

/**
 * Whether the snapshot's files are a plain directory on this machine, which DuckDB reads without extensions. A
 * storage that wraps one (a caller's `openStorage` counting, throttling or decrypting reads) is not: DuckDB would
 * bypass it.
 */
export function isLocal(snapshot: Snapshot): boolean {
  return Object.getPrototypeOf(snapshot.storage) === LocalStorage.prototype;
}
