import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Int64, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { canonicalize, hashLines } from '../scripts/conformance/canonical.ts';
import { openTable } from '../src/snapshot/table.ts';
import { deltaSchemaOf } from '../src/write/schema.ts';
import { writeTable } from '../src/write/write-table.ts';

// Issue 16 item 11: a truncated or corrupt checkpoint falls back to the JSON commits that still exist, and is
// an error naming the checkpoint only when those commits are gone.

const batch = (n: number) =>
  new Table({
    id: vectorFromArray([BigInt(2 * n), BigInt(2 * n + 1)], new Int64()),
    part: vectorFromArray([`p${n % 3}`, `p${n % 3}`], new Utf8()),
  });
const LOG = '_delta_log';
const name = (v: number, suffix: string) => `${String(v).padStart(20, '0')}.${suffix}`;

async function rowsHash(dir: string, version?: number): Promise<string> {
  const snapshot = await (await openTable(dir)).snapshot(version === undefined ? {} : { version });
  const t = await snapshot.toArrow();
  return hashLines(canonicalize(t.batches, deltaSchemaOf(t.schema).fields).rows);
}

/** A table of 16 commits (0..15) with checkpoints at 5, 10 and 15. */
async function tableWithCheckpoints(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'meridian-delta-cp-fallback-')), 't');
  await writeTable(dir, batch(0), {
    mode: 'create',
    partitionBy: ['part'],
    configuration: { 'delta.checkpointInterval': '5' },
  });
  const checkpoints: number[] = [];
  for (let n = 1; n <= 15; n++) {
    const r = await writeTable(dir, batch(n), { mode: 'append' });
    if (r.checkpoint !== undefined) checkpoints.push(r.checkpoint);
  }
  expect(checkpoints).toEqual([5, 10, 15]);
  return dir;
}

describe('a checkpoint that cannot be read', () => {
  it('truncated: the latest version and time travel read the same rows from the commits', async () => {
    const dir = await tableWithCheckpoints();
    const before = await rowsHash(dir);
    const atTwelve = await rowsHash(dir, 12);
    const file = join(dir, LOG, name(15, 'checkpoint.parquet'));
    const { size } = await stat(file);
    await truncate(file, Math.floor(size / 2));
    expect(await rowsHash(dir)).toBe(before);
    // Checkpoint 10 is also unreadable (garbage of its own size): the replay starts at checkpoint 5.
    const ten = join(dir, LOG, name(10, 'checkpoint.parquet'));
    await writeFile(ten, new Uint8Array((await readFile(ten)).length).fill(7));
    expect(await rowsHash(dir)).toBe(before);
    expect(await rowsHash(dir, 12)).toBe(atTwelve);
    expect((await (await openTable(dir)).snapshot()).version).toBe(15);
  });

  it('empty (0 bytes) with the commits before it gone: an error naming the checkpoint file', async () => {
    const dir = await tableWithCheckpoints();
    await truncate(join(dir, LOG, name(15, 'checkpoint.parquet')), 0);
    for (let v = 0; v <= 14; v++) await rm(join(dir, LOG, name(v, 'json')));
    const read = (await openTable(dir)).snapshot();
    await expect(read).rejects.toMatchObject({
      code: 'log-incomplete',
      path: expect.stringContaining(name(15, 'checkpoint.parquet')),
      message: expect.stringContaining(name(15, 'checkpoint.parquet')),
    });
  });

  it('truncated with an earlier checkpoint and the commits after it kept: reads from that checkpoint', async () => {
    const dir = await tableWithCheckpoints();
    const before = await rowsHash(dir);
    await truncate(join(dir, LOG, name(15, 'checkpoint.parquet')), 100);
    // Commits before checkpoint 10 are gone, but 10 and 11..15 suffice.
    for (let v = 0; v <= 9; v++) await rm(join(dir, LOG, name(v, 'json')));
    expect(await rowsHash(dir)).toBe(before);
  });
});

describe('the checkpoint _last_checkpoint names is read while the log is listed, and used only if the listing chooses it', () => {
  it('a stale hint naming an older checkpoint (here one holding the state of 5): the newer one the listing shows wins', async () => {
    const dir = await tableWithCheckpoints();
    const before = await rowsHash(dir);
    const atTwelve = await rowsHash(dir, 12);
    const ten = await readFile(join(dir, LOG, name(10, 'checkpoint.parquet')));
    // Checkpoint 10 now holds checkpoint 5's state: read as the base of version 15, it would lose commits 6..10.
    await writeFile(
      join(dir, LOG, name(10, 'checkpoint.parquet')),
      await readFile(join(dir, LOG, name(5, 'checkpoint.parquet'))),
    );
    await writeFile(join(dir, LOG, '_last_checkpoint'), JSON.stringify({ version: 10, size: 1 }));
    expect(await rowsHash(dir)).toBe(before);
    expect((await (await openTable(dir)).snapshot()).version).toBe(15);
    // The hint names a checkpoint that is not there: its read fails unseen and the whole log is listed.
    await writeFile(join(dir, LOG, '_last_checkpoint'), JSON.stringify({ version: 13, size: 1 }));
    expect(await rowsHash(dir)).toBe(before);
    // Time travel to before the hint starts no early read, and the replay of 12 starts at checkpoint 10.
    await writeFile(join(dir, LOG, '_last_checkpoint'), JSON.stringify({ version: 15, size: 1 }));
    await writeFile(join(dir, LOG, name(10, 'checkpoint.parquet')), ten);
    expect(await rowsHash(dir, 12)).toBe(atTwelve);
  });
});
