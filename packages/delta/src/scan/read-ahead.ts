import type { RecordBatch } from 'apache-arrow';

/** A data file opened for reading (footer read, bytes fetched), decoded in runs of row groups, in order. */
export interface OpenedFile {
  readonly runs: number;
  /** The logical, filtered batches of run `run`. */
  decodeRun(run: number): Promise<RecordBatch[]>;
}

interface OpenSlot {
  readonly opening: Promise<OpenedFile | undefined>;
  /** Set once the file is open: undefined while opening, or when it has nothing to read. */
  opened: OpenedFile | undefined;
  settled: boolean;
  readonly pending: Promise<RecordBatch[]>[];
  started: number;
}

/**
 * Reads files in order, each in runs, a bounded distance ahead of the consumer: at most `filesAhead` files open
 * and `runsAhead` runs decoding or decoded and not yet taken, over all the open files together, in file order (the
 * next file's first runs start once every run of the files before it has started). What a scan holds is then
 * `runsAhead` runs (row groups) besides the one the consumer reads, and the bytes of a few files, whatever the
 * table's size (bench/README.md, delta-scan: the streamed full scan's memory).
 */
export class ReadAhead<F> {
  private readonly files: readonly F[];
  private readonly open: (file: F) => Promise<OpenedFile | undefined>;
  private readonly filesAhead: number;
  private readonly runsAhead: number;
  private readonly slots: OpenSlot[] = [];
  private nextFile = 0;
  /** Runs started and not yet taken by the consumer, over every open file. */
  private inFlight = 0;

  constructor(
    files: readonly F[],
    open: (file: F) => Promise<OpenedFile | undefined>,
    filesAhead: number,
    runsAhead: number,
  ) {
    this.files = files;
    this.open = open;
    this.filesAhead = Math.max(1, filesAhead);
    this.runsAhead = Math.max(1, runsAhead);
  }

  /** The batches of the next run, in file and run order; undefined once every file is read. */
  async next(): Promise<RecordBatch[] | undefined> {
    for (;;) {
      this.openMore();
      const head = this.slots[0];
      if (!head) return undefined;
      const opened = await head.opening;
      head.opened = opened;
      head.settled = true;
      if (opened === undefined || (head.pending.length === 0 && head.started >= opened.runs)) {
        this.slots.shift();
        continue;
      }
      this.startRuns();
      const batches = await (head.pending.shift() as Promise<RecordBatch[]>);
      this.inFlight--;
      // The next run starts once this one is taken: `runsAhead` runs in flight, never one more.
      this.startRuns();
      return batches;
    }
  }

  private openMore(): void {
    while (this.slots.length < this.filesAhead && this.nextFile < this.files.length) {
      const file = this.files[this.nextFile++] as F;
      const opening = this.open(file);
      const slot: OpenSlot = { opening, opened: undefined, settled: false, pending: [], started: 0 };
      // A file's bytes are fetched while the consumer still reads the files before it; its runs start decoding as
      // soon as it is open and there is room.
      opening.then(
        (opened) => {
          slot.opened = opened;
          slot.settled = true;
          this.startRuns();
        },
        () => undefined, // rethrown to the consumer by next()
      );
      this.slots.push(slot);
    }
  }

  /** Starts runs in file order while fewer than `runsAhead` are in flight; a file still opening holds back the rest. */
  private startRuns(): void {
    for (const slot of this.slots) {
      if (!slot.settled) return;
      const opened = slot.opened;
      if (!opened) continue;
      while (this.inFlight < this.runsAhead && slot.started < opened.runs) {
        const run = opened.decodeRun(slot.started++);
        // Awaited in order by next(); a failure of a run the consumer never reaches (a limit met) is not unhandled.
        run.catch(() => undefined);
        slot.pending.push(run);
        this.inFlight++;
      }
      if (slot.started < opened.runs) return;
    }
  }
}
