import { randomUUID } from 'node:crypto';
import { Schema, Table } from 'apache-arrow';
import type { AddAction } from '../log/actions.ts';
import { sharedDecodePool } from '../parquet/worker-pool.ts';
import type { DeltaSchema } from '../schema/types.ts';
import { physicalName } from '../schema/types.ts';
import type { Storage } from '../storage/storage.ts';
import { physicalSchema, toPhysicalTable } from './column-mapping.ts';
import { fileStats } from './file-stats.ts';
import { compressionSuffix, type Encoder, encodeParquet, type WriteCompression } from './parquet.ts';
import { partitionDirectory, splitPartitions } from './partition.ts';

const PARALLEL_UPLOADS = 4;

// Below this many rows a write encodes on the calling thread: starting a worker and compiling parquet-wasm in it costs
// more than the encoding, and a one-shot process (the CLI) would pay it on every small write.
const POOL_MIN_ROWS = 100_000;

/** The shared worker pool for a write large enough to gain from it, else the calling thread. */
function defaultEncoder(tables: readonly Table[]): Encoder {
  return tables.reduce((n, t) => n + t.numRows, 0) >= POOL_MIN_ROWS ? sharedDecodePool() : 'main-thread';
}

/** How {@link writeDataFiles} lays rows out. */
export interface DataFileOptions {
  /** The table's logical schema after the write; the tables' columns are in its order. */
  readonly schema: DeltaSchema;
  readonly partitionBy: readonly string[];
  /** Whether files, statistics and partition values use physical names (PROTOCOL.md "Column Mapping"). */
  readonly columnMapping: boolean;
  readonly compression: WriteCompression;
  readonly maxRowsPerFile: number;
  readonly rowGroupRows: number;
  /** A folder the files go under (`_change_data` for change data files); the table root when absent. */
  readonly prefix?: string;
  /**
   * Where files are encoded: the worker pool, so several files are encoded at once, or the calling thread. By default
   * the pool for writes of 100,000 rows or more (POOL_MIN_ROWS), the calling thread below.
   */
  readonly encoder?: Encoder | undefined;
  /** Called after each data file is stored. */
  readonly onFile?: ((progress: WriteProgress) => void) | undefined;
}

/** How far the data files of a write have got. */
export interface WriteProgress {
  readonly filesWritten: number;
  readonly files: number;
  readonly bytesWritten: number;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Writes rows as parquet data files (one or more per partition, Hive-style directories) with their
 * statistics, and returns the add actions a commit makes them live with. Nothing is committed: a
 * writer that stops here leaves unreferenced files only.
 */
export async function writeDataFiles(
  storage: Storage,
  tables: readonly Table[],
  options: DataFileOptions,
): Promise<AddAction[]> {
  const { schema, partitionBy, columnMapping } = options;
  const physical = (name: string): string => {
    const f = schema.fields.find((x) => x.name === name);
    return f ? physicalName(f, columnMapping) : name;
  };
  const jobs: { dir: string; values: Readonly<Record<string, string | null>>; table: Table }[] = [];
  for (const part of tables.flatMap((t) => splitPartitions(t, schema.fields, partitionBy))) {
    const values = Object.fromEntries(Object.entries(part.values).map(([k, v]) => [physical(k), v]));
    const dir = partitionDirectory(partitionBy.map(physical), values);
    for (let start = 0; start < part.table.numRows; start += options.maxRowsPerFile) {
      jobs.push({
        dir,
        values,
        table: part.table.slice(start, Math.min(start + options.maxRowsPerFile, part.table.numRows)),
      });
    }
  }
  const dataFields = schema.fields.filter((f) => !partitionBy.includes(f.name));
  const statsFields = columnMapping ? physicalSchema(dataFields) : dataFields;
  const writeId = randomUUID();
  const encoder = options.encoder ?? defaultEncoder(tables);
  let filesWritten = 0;
  let bytesWritten = 0;
  return mapLimit(
    jobs.map((job, i) => ({ job, i })),
    PARALLEL_UPLOADS,
    async ({ job, i }): Promise<AddAction> => {
      // Rebuilt on the data schema so the parquet file carries exactly the data columns, in order.
      let fileTable = new Table(new Schema(job.table.schema.fields), job.table.batches);
      if (columnMapping) fileTable = toPhysicalTable(fileTable, dataFields);
      const name = `part-${String(i).padStart(5, '0')}-${writeId}-c000${compressionSuffix[options.compression]}.parquet`;
      const dir = [options.prefix ?? '', job.dir].filter((d) => d !== '').join('/');
      const key = dir === '' ? name : `${dir}/${name}`;
      const settings = { compression: options.compression, rowGroupRows: options.rowGroupRows };
      // A worker encodes the file while this thread computes its statistics.
      const encoded = encodeParquet(fileTable, settings, encoder, key);
      let stats: string;
      try {
        stats = JSON.stringify(fileStats(fileTable, statsFields));
      } catch (error) {
        await encoded.catch(() => undefined);
        throw error;
      }
      const bytes = await encoded;
      await storage.put(key, bytes);
      filesWritten++;
      bytesWritten += bytes.length;
      options.onFile?.({ filesWritten, files: jobs.length, bytesWritten });
      return {
        // The log holds a URI: the key percent-encoded (Hive already escaped the partition values).
        path: encodeURI(key),
        partitionValues: job.values,
        size: bytes.length,
        modificationTime: Date.now(),
        dataChange: true,
        stats,
      };
    },
  );
}
