import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Int8, Table, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { openTable } from '../src/snapshot/table.ts';
import { writeTable } from '../src/write/write-table.ts';

/** A table whose byte column `b` was widened to decimal(4,1) at version 1 under `feature`. */
async function widened(feature: string): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'meridian-delta-widening-')), 't');
  await writeTable(dir, new Table({ b: vectorFromArray([1, -2, 127, null], new Int8()) }), { mode: 'create' });
  const schema = {
    type: 'struct',
    fields: [
      {
        name: 'b',
        type: 'decimal(4,1)',
        nullable: true,
        metadata: { 'delta.typeChanges': [{ fromType: 'byte', toType: 'decimal(4,1)', tableVersion: 1 }] },
      },
    ],
  };
  const before = await (await openTable(dir)).snapshot();
  const lines = [
    { commitInfo: { timestamp: 1, operation: 'CHANGE COLUMN' } },
    {
      protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: [feature], writerFeatures: [feature] },
    },
    { metaData: { ...before.metadata, schemaString: JSON.stringify(schema) } },
  ];
  await writeFile(
    join(dir, '_delta_log', '00000000000000000001.json'),
    `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`,
  );
  return dir;
}

describe('typeWidening-preview tables', () => {
  it('reads a byte column widened to decimal(4,1) as the preview allowed', async () => {
    const snapshot = await (await openTable(await widened('typeWidening-preview'))).snapshot();
    const column = (await snapshot.toArrow()).getChild('b');
    const unscaled = [...(column ?? [])].map((v) => (v === null ? null : ((v as Uint32Array)[0] as number) | 0));
    // decimal(4,1): the unscaled value is the byte times 10.
    expect(unscaled).toEqual([10, -20, 1270, null]);
  });

  it('still refuses the change under the final typeWidening feature, which does not define it', async () => {
    const table = await openTable(await widened('typeWidening'));
    await expect(table.snapshot()).rejects.toMatchObject({
      code: 'unsupported-reader-feature',
      message: expect.stringContaining('byte -> decimal(4,1)'),
    });
  });
});
