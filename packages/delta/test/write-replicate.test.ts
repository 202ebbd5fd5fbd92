import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Int64, makeData, makeVector, Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { openTable } from '../src/snapshot/table.ts';
import { deleteRows } from '../src/write/delete-rows.ts';
import { optimize } from '../src/write/optimize.ts';
import { replicate } from '../src/write/replicate.ts';
import { writeTable } from '../src/write/write-table.ts';
import { harnessAgainstDuckDB } from './support/duckdb-answer.ts';

const fresh = async (name: string) => join(await mkdtemp(join(tmpdir(), 'meridian-delta-replicate-')), name);
const rows = (from: number, n: number) =>
  new Table({
    id: makeVector(
      makeData({ type: new Int64(), length: n, data: BigInt64Array.from({ length: n }, (_, i) => BigInt(from + i)) }),
    ),
  });

async function targetRows(dir: string): Promise<string[]> {
  const t = await (await (await openTable(dir)).snapshot()).toArrow();
  return t
    .toArray()
    .map((r) => `${Number(r.id)}:${r.region}`)
    .sort();
}
/** The source version the target's progress txn names, -1 when none is committed yet. */
async function copiedUpTo(target: string): Promise<number> {
  try {
    const txns = (await (await openTable(target)).snapshot()).txns();
    return [...txns.values()][0] ?? -1;
  } catch {
    return -1;
  }
}
const expected = (n: number, region: string) => Array.from({ length: n }, (_, i) => `${i}:${region}`).sort();

describe('replicate (appends, exactly once)', () => {
  it('copies new versions with the added column, skips optimize, and a rerun copies nothing twice', async () => {
    const source = await fresh('source');
    const target = await fresh('target');
    await writeTable(source, rows(0, 10), { mode: 'create' });
    await writeTable(source, rows(10, 10), { mode: 'append' });
    const first = await replicate(source, target, { addColumns: { region: 'eu-west-1' } });
    expect(first).toMatchObject({ versions: [0, 1], upTo: 1, rows: 20 });
    await optimize(source);
    await writeTable(source, rows(20, 5), { mode: 'append' });
    const second = await replicate(source, target, { addColumns: { region: 'eu-west-1' } });
    expect(second).toMatchObject({ versions: [3], rows: 5 });
    expect(await replicate(source, target, { addColumns: { region: 'eu-west-1' } })).toMatchObject({ versions: [] });
    expect(await targetRows(target)).toEqual(expected(25, 'eu-west-1'));
    expect((await harnessAgainstDuckDB(target)).map((r) => r.problems)).toEqual([[]]);
  });

  it('refuses a source version that removes data, naming it, after copying what came before', async () => {
    const source = await fresh('source');
    const target = await fresh('target');
    await writeTable(source, rows(0, 10), { mode: 'create' });
    await deleteRows(source, 'id < 2');
    await expect(replicate(source, target)).rejects.toMatchObject({
      code: 'unsupported-write',
      message: expect.stringContaining('version 1'),
    });
    expect((await (await (await openTable(target)).snapshot()).toArrow()).numRows).toBe(10);
  });

  it('killed at random points and rerun, the target holds every source row exactly once', async () => {
    const source = await fresh('source');
    const target = await fresh('target');
    const versions = 16;
    for (let v = 0; v < versions; v++)
      await writeTable(source, rows(v * 10, 10), { mode: v === 0 ? 'create' : 'append' });
    const runner = fileURLToPath(new URL('./fixtures/replicate-runner.ts', import.meta.url));
    let kills = 0;
    const progress: number[] = [];
    for (let run = 0; run < 20; run++) {
      const child = spawn(process.execPath, [runner, source, target, 'us-east-1'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      // Killed after 1 to 3 versions of this run were committed, plus up to 30 ms: inside the next version's read,
      // file write or commit.
      const after = 1 + Math.floor(Math.random() * 3);
      let seen = 0;
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l.startsWith('copied')).length;
        if (seen >= after) setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 30));
      });
      const code = await exited;
      if (code === 0) break;
      kills++;
      progress.push(await copiedUpTo(target));
    }
    const final = await replicate(source, target, { addColumns: { region: 'us-east-1' } });
    expect(final.upTo).toBe(versions - 1);
    expect(await targetRows(target)).toEqual(expected(versions * 10, 'us-east-1'));
    process.stderr.write(
      `[replicate-crash] ${kills} kills (source versions copied at each: ${progress.join(', ')}) before a run completed; the last run copied ${final.versions.length} versions\n`,
    );
  }, 300_000);
});
