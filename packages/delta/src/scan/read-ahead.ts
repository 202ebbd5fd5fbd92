import type { RecordBatch } from 'apache-arrow';

/** A data file opened for reading (footer read, bytes fetched), decoded in runs of row groups, in order. */
export interface OpenedFile {
  readonly runs: number;
  /** The logical, filtered batches of run `run`. */
  decodeRun(run: number): Promise<RecordBatch[]>;
}

interface OpenSlot {
  readonly opening: Promise<OpenedFile | undefined>;
  opened: OpenedFile | undefined;
  readonly pending: Promise<RecordBatch[]>[];
  started: number;
}

/**
 * Reads files in order, each in runs, a bounded distance ahead of the consumer: at most `filesAhead` files open
 * and `runsAhead` runs of each decoding. What a scan holds is then a few runs (row groups) and the bytes of a few
 * files, whatever the table's size (bench/README.md, delta-scan: peak RSS of the streamed full scan).
 */
export class ReadAhead<F> {
  private readonly files: readonly F[];
  private readonly open: (file: F) => Promise<OpenedFile | undefined>;
  private readonly filesAhead: number;
  private readonly runsAhead: number;
  private readonly slots: OpenSlot[] = [];
  private nextFile = 0;

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
      if (opened === undefined || (head.pending.length === 0 && head.started >= opened.runs)) {
        this.slots.shift();
        continue;
      }
      this.startRuns(head);
      const batches = await (head.pending.shift() as Promise<RecordBatch[]>);
      // The next run starts once this one is done: `runsAhead` decodes of a file in flight, never one more.
      this.startRuns(head);
      return batches;
    }
  }

  private openMore(): void {
    while (this.slots.length < this.filesAhead && this.nextFile < this.files.length) {
      const file = this.files[this.nextFile++] as F;
      const opening = this.open(file);
      const slot: OpenSlot = { opening, opened: undefined, pending: [], started: 0 };
      // A file decodes its first runs as soon as it is open, while the consumer still reads the files before it.
      opening.then(
        (opened) => {
          slot.opened = opened;
          this.startRuns(slot);
        },
        () => undefined, // rethrown to the consumer by next()
      );
      this.slots.push(slot);
    }
  }

  private startRuns(slot: OpenSlot): void {
    const opened = slot.opened;
    if (!opened) return;
    while (slot.pending.length < this.runsAhead && slot.started < opened.runs) {
      const run = opened.decodeRun(slot.started++);
      // Awaited in order by next(); a failure of a run the consumer never reaches (a limit met) is not unhandled.
      run.catch(() => undefined);
      slot.pending.push(run);
    }
  }
}
