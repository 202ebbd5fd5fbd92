import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Int64, makeData, makeVector, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { openTable } from '../src/snapshot/table.ts';
import { writeTable } from '../src/write/write-table.ts';
import { harnessAgainstDuckDB } from './support/duckdb-answer.ts';

// Deletes and updates racing appends and each other in real processes: the protocol's isolation (write
// serializable) lets a blind append through, a change to the same files conflicts and is retried; no row is lost,
// resurrected or left with a stale value.

const run = promisify(execFile);
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function base(files: number): Table {
  const n = files * 100;
  return new Table({
    id: makeVector(
      makeData({ type: new Int64(), length: n, data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)) }),
    ),
    tag: vectorFromArray(
      Array.from({ length: n }, () => 'o'),
      new Utf8(),
    ),
  });
}

describe('deletes and updates racing appends (real processes, local disk)', () => {
  it.each([
    ['copy-on-write', {}],
    ['deletion vectors', { 'delta.enableDeletionVectors': 'true' }],
  ])(
    'a deleter, an updater of overlapping rows, a merger and an appender (%s): every change lands exactly once',
    async (_, configuration) => {
      const dir = join(await mkdtemp(join(tmpdir(), 'meridian-delta-mutate-race-')), 't');
      const files = 6;
      await writeTable(dir, base(files), { mode: 'create', maxRowsPerFile: 100, configuration });
      const startAt = String(Date.now() + 6000);
      const node = (args: string[]) =>
        run(process.execPath, args, { maxBuffer: 1 << 20 }).then(
          (r) => JSON.parse(r.stdout) as Record<string, unknown>,
        );
      const [deleter, updater, merger, appender] = await Promise.all([
        node([fixture('mutate-loop-writer.ts'), dir, 'delete', '0', '50', String(files), startAt]),
        node([fixture('mutate-loop-writer.ts'), dir, 'update', '25', '75', String(files), startAt]),
        node([fixture('mutate-loop-writer.ts'), dir, 'merge', '80', '90', String(files), startAt]),
        // Appended ids are 1e6 + append * 1e3 + row: far from the base ids.
        node([fixture('mutate-loop-writer.ts'), dir, 'append', '0', '20', '8', startAt]),
      ]);
      const snapshot = await (await openTable(dir)).snapshot();
      const t = await snapshot.toArrow();
      const got = new Map<number, string>();
      for (const r of t.toArray()) {
        expect(got.has(Number(r.id))).toBe(false);
        got.set(Number(r.id), String(r.tag));
      }
      const expected = new Map<number, string>();
      for (let id = 0; id < files * 100; id++) {
        const offset = id % 100;
        if (offset >= 50) expected.set(id, offset < 75 ? 'u' : offset >= 80 && offset < 90 ? 'm' : 'o');
      }
      for (let k = 0; k < files; k++) expected.set(2_000_000 + k, 'm');
      for (let a = 0; a < 8; a++) for (let i = 0; i < 20; i++) expected.set(1_000_000 + a * 1000 + i, 'o');
      expect(new Map([...got].sort((a, b) => a[0] - b[0]))).toEqual(new Map([...expected].sort((a, b) => a[0] - b[0])));
      expect((await harnessAgainstDuckDB(dir)).map((r) => r.problems)).toEqual([[]]);
      // 1 create + 6 deletes + 6 updates + 6 merges + 8 appends, each its own version.
      expect(snapshot.version).toBe(1 + files * 3 + 8 - 1);
      process.stderr.write(
        `[mutate-race] deleter ${JSON.stringify(deleter)} updater ${JSON.stringify(updater)} merger ${JSON.stringify(merger)} appender ${JSON.stringify(appender)}\n`,
      );
    },
    180_000,
  );
});
