import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Int32, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { openTable } from '../src/snapshot/table.ts';
import { writeTable } from '../src/write/write-table.ts';
import { copyOfCorpusTable, duckdbOverActiveFiles } from './support/corpus-copy.ts';

const fresh = async () => join(await mkdtemp(join(tmpdir(), 'meridian-delta-merge-')), 't');

describe('mergeSchema', () => {
  it('adds new columns as nullable and writes nulls for nullable columns the data lacks', async () => {
    const dir = await fresh();
    await writeTable(
      dir,
      new Table({ id: vectorFromArray([1], new Int32()), qty: vectorFromArray([5], new Int32()) }),
      {
        mode: 'create',
      },
    );
    const wider = new Table({
      id: vectorFromArray([2], new Int32()),
      qty: vectorFromArray([6], new Int32()),
      note: vectorFromArray(['new'], new Utf8()),
    });
    await expect(writeTable(dir, wider, { mode: 'append' })).rejects.toMatchObject({
      code: 'schema-mismatch',
      hint: expect.stringContaining('mergeSchema'),
    });
    await writeTable(dir, wider, { mode: 'append', mergeSchema: true });
    await writeTable(dir, new Table({ id: vectorFromArray([3], new Int32()) }), { mode: 'append', mergeSchema: true });
    const snapshot = await (await openTable(dir)).snapshot();
    expect(snapshot.schema.fields.map((f) => `${f.name}:${f.nullable}`)).toEqual(['id:true', 'qty:true', 'note:true']);
    const rows = (await snapshot.toArrow()).toArray().map((r) => r.toJSON());
    expect(rows.sort((a, b) => (a.id as number) - (b.id as number))).toEqual([
      { id: 1, qty: 5, note: null },
      { id: 2, qty: 6, note: 'new' },
      { id: 3, qty: null, note: null },
    ]);
    const duck = await duckdbOverActiveFiles(
      dir,
      snapshot,
      (files) => `SELECT count(note) AS n, count(qty) AS q FROM ${files}`,
    );
    expect(duck[0]).toMatchObject({ n: 1n, q: 2n });
  });

  it('gives a new column of a column-mapping table the next id and a physical name', async () => {
    const dir = await copyOfCorpusTable('table_with_column_mapping');
    const data = new Table({
      'Company Very Short': vectorFromArray(['ACME'], new Utf8()),
      'Super Name': vectorFromArray(['Road Runner'], new Utf8()),
      Slogan: vectorFromArray(['meep'], new Utf8()),
    });
    await writeTable(dir, data, { mode: 'append', mergeSchema: true });
    const snapshot = await (await openTable(dir)).snapshot();
    const slogan = snapshot.schema.fields.find((f) => f.name === 'Slogan');
    expect(slogan?.metadata['delta.columnMapping.id']).toBe(3);
    expect(String(slogan?.metadata['delta.columnMapping.physicalName'])).toMatch(/^col-/);
    expect(snapshot.configuration['delta.columnMapping.maxColumnId']).toBe('3');
    const read = await snapshot.toArrow({ where: "Slogan = 'meep'" });
    expect(read.numRows).toBe(1);
    expect(read.getChild('Super Name')?.get(0)).toBe('Road Runner');
  });
});
