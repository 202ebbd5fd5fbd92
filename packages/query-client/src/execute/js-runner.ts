import { arrowType, DeltaError, openTable, type Snapshot, type TableScanOptions } from '@meridian/delta';
import { Field, type RecordBatch } from 'apache-arrow';
import { partialAggregate } from '../aggregate/aggregate.ts';
import type { QueryFragment } from '../plan/plan.ts';
import type { OpenedRegion, RegionRunner, RegionTally } from './region-runner.ts';
import { regionTopK } from './top-k.ts';

/** What a fragment pushes down to the Delta scan: its columns, predicate and limit. */
export function scanOptions(fragment: QueryFragment): TableScanOptions {
  return {
    ...(fragment.columns ? { columns: fragment.columns } : {}),
    ...(fragment.where ? { where: fragment.where } : {}),
    ...(fragment.limit !== undefined ? { limit: fragment.limit } : {}),
  };
}

/** The Arrow fields a fragment returns: its selected columns of the snapshot's schema. */
export function fragmentFields(fragment: QueryFragment, snapshot: Snapshot): Field[] {
  const fields = snapshot.schema.fields;
  const names = fragment.columns ?? fields.map((f) => f.name);
  return names.map((name) => {
    const field = fields.find((f) => f.name === name);
    if (!field) {
      throw new DeltaError('unknown-column', `the table has no column '${name}'`, {
        path: fragment.uri,
        hint: `columns: ${fields.map((f) => f.name).join(', ')}`,
      });
    }
    return new Field(field.name, arrowType(field.type), true);
  });
}

/** Every column of the snapshot's table, as a scan returns them (what types an aggregate's partial). */
function tableFields(snapshot: Snapshot): Field[] {
  return snapshot.schema.fields.map((f) => new Field(f.name, arrowType(f.type), true));
}

/** The batches of a scan, counting their rows into the region's tally. */
async function* counted(batches: AsyncIterable<RecordBatch>, tally: RegionTally): AsyncGenerator<RecordBatch> {
  for await (const batch of batches) {
    tally.rows += batch.numRows;
    yield batch;
  }
}

/**
 * A region's fragment run in this process over an opened snapshot: the Delta scan (partition and statistics
 * pruning, deletion vectors) and the aggregate or top-k in JS. `reason` says why it runs when another runner was
 * asked for.
 */
export function jsRegion(fragment: QueryFragment, snapshot: Snapshot, reason?: string): OpenedRegion {
  const scan = (tally: RegionTally) => {
    const s = snapshot.scan(scanOptions(fragment));
    tally.metrics = s.metrics;
    return s;
  };
  return {
    runner: 'js',
    runnerReason: reason,
    version: snapshot.version,
    fields: () => fragmentFields(fragment, snapshot),
    aggregate: (aggregate, tally) =>
      partialAggregate(counted(scan(tally), tally), aggregate, fragment.region, tableFields(snapshot)),
    topK: (schema, orderBy, k, tally) =>
      regionTopK(scan(tally), schema, orderBy, k, fragment.region, (n) => {
        tally.rows += n;
      }),
    rows: (tally) => scan(tally),
  };
}

/** The runner of @meridian/delta's own scan: every fragment, every table feature the reader supports. */
export const jsRunner: RegionRunner = {
  name: 'js',
  async open(fragment, context) {
    const snapshot = await (await openTable(context.openStorage(fragment.uri, fragment))).snapshot();
    return jsRegion(fragment, snapshot);
  },
};
