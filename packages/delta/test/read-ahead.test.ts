import { type RecordBatch, tableFromArrays } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { type OpenedFile, ReadAhead } from '../src/scan/read-ahead.ts';

// Files of runs whose decodes finish when the test says: the read-ahead's bound is what is in flight at once.
function harness(runsPerFile: readonly number[]) {
  let decoding = 0;
  let mostDecoding = 0;
  let opening = 0;
  let mostOpen = 0;
  const order: string[] = [];
  const open = async (file: number): Promise<OpenedFile | undefined> => {
    opening++;
    mostOpen = Math.max(mostOpen, opening);
    await new Promise((r) => setTimeout(r, 1));
    const runs = runsPerFile[file] as number;
    if (runs === 0) {
      opening--;
      return undefined;
    }
    let left = runs;
    return {
      runs,
      decodeRun: async (run: number): Promise<RecordBatch[]> => {
        decoding++;
        mostDecoding = Math.max(mostDecoding, decoding);
        await new Promise((r) => setTimeout(r, 2));
        decoding--;
        if (--left === 0) opening--;
        order.push(`${file}.${run}`);
        return tableFromArrays({ file: Int32Array.of(file), run: Int32Array.of(run) }).batches;
      },
    };
  };
  return { open, most: () => ({ decoding: mostDecoding, open: mostOpen }), order };
}

async function drain(reads: ReadAhead<number>): Promise<string[]> {
  const out: string[] = [];
  for (let b = await reads.next(); b !== undefined; b = await reads.next())
    for (const batch of b) out.push(`${batch.getChild('file')?.get(0)}.${batch.getChild('run')?.get(0)}`);
  return out;
}

describe('ReadAhead', () => {
  it('returns every run of every file in order, skipping files with nothing to read', async () => {
    const h = harness([3, 0, 1, 5, 2]);
    const got = await drain(new ReadAhead([0, 1, 2, 3, 4], h.open, 2, 2));
    expect(got).toEqual(['0.0', '0.1', '0.2', '2.0', '3.0', '3.1', '3.2', '3.3', '3.4', '4.0', '4.1']);
  });

  it('keeps at most filesAhead files open and runsAhead runs decoding over all of them, however long the files', async () => {
    const h = harness(Array.from({ length: 8 }, () => 20));
    const got = await drain(new ReadAhead([0, 1, 2, 3, 4, 5, 6, 7], h.open, 2, 2));
    expect(got).toHaveLength(160);
    expect(h.most().open).toBeLessThanOrEqual(2);
    // Two runs in flight in all, not two of each open file (the streamed scan's memory is counted in runs).
    expect(h.most().decoding).toBe(2);
  });

  it("starts the next file's runs while the last runs of the file before it decode", async () => {
    // Files of one run each: with two runs ahead, two files decode at once, in order.
    const h = harness([1, 1, 1, 1]);
    const got = await drain(new ReadAhead([0, 1, 2, 3], h.open, 2, 2));
    expect(got).toEqual(['0.0', '1.0', '2.0', '3.0']);
    expect(h.most().decoding).toBe(2);
  });

  it('reads one run at a time with one file and one run ahead', async () => {
    const h = harness([4, 4]);
    await drain(new ReadAhead([0, 1], h.open, 1, 1));
    expect(h.most()).toEqual({ decoding: 1, open: 1 });
  });

  it('fails at the failing file, after the runs before it', async () => {
    const open = async (file: number): Promise<OpenedFile | undefined> => {
      if (file === 1) throw new Error('file 1 is damaged');
      return { runs: 1, decodeRun: async () => tableFromArrays({ file: Int32Array.of(file) }).batches };
    };
    const reads = new ReadAhead([0, 1, 2], open, 2, 2);
    expect(await reads.next()).toHaveLength(1);
    await expect(reads.next()).rejects.toThrow('file 1 is damaged');
  });
});
