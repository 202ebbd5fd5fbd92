/**
 * The bytes of a data file a read needs, and getting them: which ranges (column chunks, page indexes, footer), what
 * lies before the tail the footer's read fetched from storage, the rest from that tail. A read decoded here gets a
 * sparse copy of the file; a run sent to a worker gets its ranges packed (docs/decisions/040).
 */
import { type FetchedFooter, PARQUET_MAGIC, type ParquetFooter, type RowGroupInfo } from '../parquet/footer.ts';
import type { Piece } from '../parquet/transcode.ts';
import type { Storage } from '../storage/storage.ts';

/** The end of the file the footer's read fetched (footer, page indexes, often the last chunks). */
type Tail = FetchedFooter['prefetched'];

// Ranges of one file closer than this are fetched in one request.
const RANGE_MERGE_GAP = 256 * 1024;

/** The byte ranges of the chunks to decode, merged, plus the footer. */
export function neededRanges(
  footer: ParquetFooter,
  groups: readonly RowGroupInfo[],
  columns: ReadonlySet<string> | undefined,
  size: number,
): [number, number][] {
  const ranges: [number, number][] = [];
  for (const group of groups) {
    for (const chunk of group.columns)
      if (!columns || columns.has(chunk.path[0] as string)) ranges.push([chunk.start, chunk.end]);
  }
  ranges.push([size - footer.tailLength, size]);
  for (const [start, end] of footer.indexRanges) ranges.push([start, end]);
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1] + RANGE_MERGE_GAP) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

/** Bytes `start` to `end` of the file: what lies before the tail from storage (`fetched` bytes), the rest from it. */
export async function readRange(
  storage: Storage,
  key: string,
  tail: Tail,
  start: number,
  end: number,
): Promise<{ bytes: Uint8Array; fetched: number }> {
  if (start >= tail.start) return { bytes: tail.bytes.subarray(start - tail.start, end - tail.start), fetched: 0 };
  const head = await storage.getRange(key, start, Math.min(end, tail.start));
  if (end <= tail.start) return { bytes: head, fetched: head.length };
  const joined = new Uint8Array(end - start);
  joined.set(head);
  joined.set(tail.bytes.subarray(0, end - tail.start), tail.start - start);
  return { bytes: joined, fetched: head.length };
}

/**
 * The needed ranges of a file, fetched: each range before the tail from storage, the tail as the footer's read got
 * it. Ascending by start, as `neededRanges` gives them (the last may overlap the tail); a selective scan fetches a
 * fraction of the file.
 */
export async function fetchPieces(
  storage: Storage,
  key: string,
  ranges: [number, number][],
  tail: Tail,
): Promise<{ pieces: Piece[]; fetched: number }> {
  let fetched = tail.bytes.length;
  const before = await Promise.all(
    ranges
      .filter(([start]) => start < tail.start)
      .map(async ([start, end]): Promise<Piece> => {
        // A range running into the tail is joined to the tail's bytes, so a chunk across the boundary is one piece.
        const part = await readRange(storage, key, tail, start, end);
        fetched += part.fetched;
        return { start, bytes: part.bytes };
      }),
  );
  return { pieces: [...before, { start: tail.start, bytes: tail.bytes }], fetched };
}

/**
 * A sparse copy of the file: the parquet layout kept (offsets in the footer stay valid) with only the fetched
 * pieces filled in, zeros elsewhere; what the decoder reads when a run is not transcoded.
 */
export function sparseCopy(size: number, pieces: readonly Piece[]): Uint8Array {
  const bytes = new Uint8Array(size);
  bytes.set(PARQUET_MAGIC);
  for (const piece of pieces) bytes.set(piece.bytes, piece.start);
  return bytes;
}

/** The ranges of a file one run of it needs, one after the other, and where each sits in the file. */
export interface RunRanges {
  readonly bytes: Uint8Array;
  readonly layout: { readonly fileSize: number; readonly ranges: readonly number[] };
}

/**
 * What a worker decodes one run of a file from: the leading magic, the run's column chunks, the page indexes and the
 * footer, packed (DecodeJob.layout), each range read by `read`. The worker lays them out at their offsets in a
 * zeroed buffer it reuses, so no file-sized copy is made here, moved, or left for a worker's garbage collector.
 */
export async function runRanges(
  read: (start: number, end: number) => Uint8Array | Promise<Uint8Array>,
  footer: ParquetFooter,
  run: readonly RowGroupInfo[],
  columns: ReadonlySet<string> | undefined,
  fileSize: number,
): Promise<RunRanges> {
  const ranges = neededRanges(footer, run, columns, fileSize);
  const parts = await Promise.all(ranges.map(([start, end]) => read(start, end)));
  const bytes = new Uint8Array(PARQUET_MAGIC.length + parts.reduce((sum, part) => sum + part.length, 0));
  bytes.set(PARQUET_MAGIC);
  const layout = [0, PARQUET_MAGIC.length];
  let at = PARQUET_MAGIC.length;
  for (const [i, part] of parts.entries()) {
    bytes.set(part, at);
    layout.push((ranges[i] as [number, number])[0], part.length);
    at += part.length;
  }
  return { bytes, layout: { fileSize, ranges: layout } };
}
