import type { RecordBatch } from 'apache-arrow';

/** What moved from one place to another during a query, and how many bytes of it (as encoded for the wire). */
export interface BorderCrossing {
  /** A region id. */
  readonly from: string;
  readonly fromJurisdiction: string | undefined;
  /** A region id, a jurisdiction (`jurisdiction US`), or `client` when the request named no destination. */
  readonly to: string;
  readonly toJurisdiction: string | undefined;
  /** `broadcast`: a join's smaller table, sent whole to each region of the other. */
  readonly what: 'rows' | 'partial aggregates' | 'final aggregates' | 'broadcast';
  /** Rows, or groups of an aggregate. */
  count: number;
  bytes: number;
}

/** The bytes of a batch's Arrow buffers (values, offsets, validity), what an Arrow IPC body of it carries. */
export function batchBytes(batch: RecordBatch): number {
  let total = 0;
  const visit = (data: RecordBatch['data']): void => {
    for (const buffer of [data.values, data.valueOffsets, data.nullBitmap] as (ArrayBufferView | undefined)[]) {
      if (buffer !== undefined && buffer !== null) total += buffer.byteLength;
    }
    for (const child of data.children) visit(child as RecordBatch['data']);
  };
  visit(batch.data);
  return total;
}
