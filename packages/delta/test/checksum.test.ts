import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTable } from '../src/snapshot/table.ts';
import { copyOfCorpusTable } from './support/corpus-copy.ts';

// Issue 16 item 8: where a version's checksum file (`NNN.crc`, PROTOCOL.md "Version Checksum File") exists, the
// replayed state is checked against it. The oracle is the checksums Delta Spark wrote with cdf-table-with-cdc-and-dvs
// (26 versions, deletion vectors, change data files).

const TABLE = 'cdf-table-with-cdc-and-dvs';
const LAST = 25;
const log = (dir: string, v: number, suffix: string) =>
  join(dir, '_delta_log', `${String(v).padStart(20, '0')}.${suffix}`);

describe('version checksums', () => {
  it('every version of a table another engine wrote matches its checksum', async () => {
    const dir = await copyOfCorpusTable(TABLE);
    const table = await openTable(dir);
    for (let v = 0; v <= LAST; v++) expect((await table.snapshot({ version: v })).version).toBe(v);
  });

  it('a checksum that disagrees with the log is refused naming the .crc file', async () => {
    const dir = await copyOfCorpusTable(TABLE);
    const crc = JSON.parse(await readFile(log(dir, LAST, 'crc'), 'utf8')) as { numFiles: number };
    await writeFile(log(dir, LAST, 'crc'), JSON.stringify({ ...crc, numFiles: crc.numFiles + 1 }));
    await expect((await openTable(dir)).snapshot()).rejects.toMatchObject({
      code: 'checksum-mismatch',
      path: expect.stringContaining(`${'0'.repeat(18)}${LAST}.crc`),
      message: expect.stringContaining('numFiles'),
    });
    // Other versions keep reading.
    expect((await (await openTable(dir)).snapshot({ version: LAST - 1 })).version).toBe(LAST - 1);
  });

  it('a commit that lost an action (still valid JSON) no longer matches its checksum', async () => {
    const dir = await copyOfCorpusTable(TABLE);
    const lines = (await readFile(log(dir, LAST, 'json'), 'utf8')).split('\n');
    const kept = lines.filter((l) => !l.startsWith('{"add"'));
    expect(kept.length).toBeLessThan(lines.length);
    await writeFile(log(dir, LAST, 'json'), kept.join('\n'));
    await expect((await openTable(dir)).snapshot({ version: LAST })).rejects.toMatchObject({
      code: 'checksum-mismatch',
      path: expect.stringContaining(`${'0'.repeat(18)}${LAST}.crc`),
    });
  });

  it('an empty or unparsable checksum is invalid-log naming it; an empty commit names the commit', async () => {
    const dir = await copyOfCorpusTable(TABLE);
    await writeFile(log(dir, LAST, 'crc'), '');
    await expect((await openTable(dir)).snapshot()).rejects.toMatchObject({
      code: 'invalid-log',
      path: expect.stringContaining(`${'0'.repeat(18)}${LAST}.crc`),
    });
    await writeFile(log(dir, LAST, 'crc'), '{"numFiles": ');
    await expect((await openTable(dir)).snapshot()).rejects.toMatchObject({ code: 'invalid-log' });
    await writeFile(log(dir, 15, 'json'), '');
    await expect((await openTable(dir)).snapshot({ version: 15 })).rejects.toMatchObject({
      code: 'invalid-log',
      path: expect.stringContaining(`${'0'.repeat(18)}15.json`),
    });
  });

  it('a table without checksums reads as before', async () => {
    const dir = await copyOfCorpusTable(TABLE);
    const before = (await (await openTable(dir)).snapshot()).files().length;
    for (let v = 0; v <= LAST; v++) await rm(log(dir, v, 'crc'));
    expect((await (await openTable(dir)).snapshot()).files()).toHaveLength(before);
  });
});
