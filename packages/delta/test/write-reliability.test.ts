import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Int64, makeData, makeVector, Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { LOG_DIR, listLog } from '../src/log/log-files.ts';
import { openTable } from '../src/snapshot/table.ts';
import { openStorage } from '../src/storage/open.ts';
import type { Storage } from '../src/storage/storage.ts';
import { writeTable } from '../src/write/write-table.ts';
import { describeS3, s3ScratchUri, s3TestOptions } from './setup/s3-env.ts';

const run = promisify(execFile);
const writer = fileURLToPath(new URL('./fixtures/append-loop-writer.ts', import.meta.url));
const PROCESSES = 8;
const APPENDS = 25;
const ROWS = 20;

/**
 * 8 processes x 25 appends into one table: every commit lands exactly once at contiguous versions,
 * every row is readable once, checkpoints fall every 10 versions and read as the commits do.
 */
async function raceAppends(uri: string, storage: Storage, s3: object | undefined): Promise<void> {
  const first = new Table({ id: makeVector(makeData({ type: new Int64(), length: 1, data: BigInt64Array.of(-1n) })) });
  await writeTable(storage, first, { mode: 'create' });
  const startAt = Date.now() + 2500;
  const outputs = await Promise.all(
    Array.from({ length: PROCESSES }, (_, w) =>
      run(process.execPath, [writer, uri, String(w), String(APPENDS), String(ROWS), String(startAt)], {
        env: { ...process.env, ...(s3 ? { MERIDIAN_TEST_S3: JSON.stringify(s3) } : {}) },
        maxBuffer: 1 << 20,
      }).then((r) => JSON.parse(r.stdout) as { versions: number[]; attempts: number }),
    ),
  );
  const total = PROCESSES * APPENDS;
  const versions = outputs.flatMap((o) => o.versions).sort((a, b) => a - b);
  expect(versions).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  // Every commit once in the log, versions contiguous from 0.
  const listing = await listLog(storage);
  expect([...listing.commits.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: total + 1 }, (_, i) => i));
  expect([...listing.checkpoints.keys()].sort((a, b) => a - b)).toEqual(
    Array.from({ length: total / 10 }, (_, i) => 10 * (i + 1)),
  );
  const snapshot = await (await openTable(storage)).snapshot();
  expect(snapshot.version).toBe(total);
  const ids = [...((await snapshot.toArrow()).getChild('id') as Iterable<bigint>)].map(Number);
  expect(ids).toHaveLength(1 + total * ROWS);
  expect(new Set(ids).size).toBe(ids.length);
  for (let w = 0; w < PROCESSES; w++) {
    for (let a = 0; a < APPENDS; a++) expect(ids).toContain(w * 1_000_000 + a * 1000 + ROWS - 1);
  }
  // Reading from the newest checkpoint gives what replaying every commit gives.
  const last = JSON.parse(new TextDecoder().decode(await storage.get(`${LOG_DIR}_last_checkpoint`))) as {
    version: number;
  };
  expect(last.version).toBe(total);
  const retries = outputs.reduce((s, o) => s + o.attempts, 0) - total;
  process.stderr.write(`[reliability] ${uri}: ${total} commits by ${PROCESSES} processes, ${retries} retries\n`);
}

describe('reliability on local disk', () => {
  it('8 processes x 25 appends: every commit once, contiguous versions, every row readable', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'meridian-delta-reliability-')), 't');
    await raceAppends(dir, openStorage(dir), undefined);
  }, 300_000);
});

describeS3('reliability on the S3 server', () => {
  it('8 processes x 25 appends: every commit once, contiguous versions, every row readable', async () => {
    const uri = s3ScratchUri('reliability');
    await raceAppends(uri, openStorage(uri, { s3: s3TestOptions() }), s3TestOptions());
  }, 600_000);
});

describe('a writer killed with SIGKILL', () => {
  it('leaves the table readable at its last committed version, and the next write commits after it', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'meridian-delta-sigkill-')), 't');
    const storage = openStorage(dir);
    const first = new Table({
      id: makeVector(makeData({ type: new Int64(), length: 1, data: BigInt64Array.of(-1n) })),
    });
    await writeTable(storage, first, { mode: 'create' });
    let version = 0;
    let rows = 1;
    for (const [round, afterMs] of [300, 900, 1700, 2600].entries()) {
      const child = execFile(process.execPath, [writer, dir, String(round), '1000', String(ROWS), '0']);
      await new Promise((resolve) => setTimeout(resolve, afterMs));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      // Whatever the writer was doing (parquet upload, commit, checkpoint), every listed version is whole.
      const snapshot = await (await openTable(storage)).snapshot();
      const listing = await listLog(storage);
      expect([...listing.commits.keys()].sort((a, b) => a - b)).toEqual(
        Array.from({ length: snapshot.version + 1 }, (_, i) => i),
      );
      rows += (snapshot.version - version) * ROWS;
      const ids = [...((await snapshot.toArrow()).getChild('id') as Iterable<bigint>)];
      expect(ids).toHaveLength(rows);
      expect(new Set(ids).size).toBe(ids.length);
      const mine = new Table({
        id: makeVector(makeData({ type: new Int64(), length: 1, data: BigInt64Array.of(BigInt(-2 - round)) })),
      });
      const next = await writeTable(storage, mine, { mode: 'append' });
      expect(next.version).toBe(snapshot.version + 1);
      version = next.version;
      rows += 1;
    }
    process.stderr.write(`[reliability] killed 4 writers; ${version} versions, ${rows} rows, all readable\n`);
  }, 120_000);
});
