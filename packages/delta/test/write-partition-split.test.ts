import { Int32, Table, Utf8, type Vector, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { splitPartitions } from '../src/write/partition.ts';
import { deltaSchemaOf } from '../src/write/schema.ts';
import { random } from './fixtures/random.ts';

/*
 * splitPartitions takes a batch whose partition values are all equal (compared as bytes) whole, and goes row by row
 * otherwise, joining runs of equal values without building their key. Checked against a grouping computed the slow
 * way (Vector.get per row), on batches of each kind one after another: constant, mixed, runs, nulls, two columns.
 */

function batchOf(ids: number[], region: (string | null)[], shard: (number | null)[]): Table {
  return new Table({
    id: vectorFromArray(ids, new Int32()),
    region: vectorFromArray(region, new Utf8()),
    shard: vectorFromArray(shard, new Int32()),
  });
}

/** The ids of each partition in row order, keyed by the partition values as writeTable serializes them. */
function reference(table: Table, partitionBy: readonly string[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < table.numRows; i++) {
    const key = JSON.stringify(
      partitionBy.map((c) => {
        const v = (table.getChild(c) as Vector).get(i) as string | number | null;
        return v === null ? null : String(v);
      }),
    );
    const ids = groups.get(key) ?? [];
    ids.push((table.getChild('id') as Vector).get(i) as number);
    groups.set(key, ids);
  }
  return groups;
}

function split(table: Table, partitionBy: readonly string[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const part of splitPartitions(table, deltaSchemaOf(table.schema).fields, partitionBy)) {
    const key = JSON.stringify(partitionBy.map((c) => part.values[c] ?? null));
    expect(out.has(key), `partition ${key} comes out once`).toBe(false);
    expect(part.table.schema.fields.map((f) => f.name)).toEqual(
      ['id', 'region', 'shard'].filter((c) => !partitionBy.includes(c)),
    );
    out.set(key, [...(part.table.getChild('id') as Vector).toArray()] as number[]);
  }
  return out;
}

describe('splitting rows by partition', () => {
  it('keeps every row once, in order, in its partition, for constant, mixed, run and null batches', () => {
    const next = random(21);
    const regions = ['eu-west-1', 'us-east-1', 'eu-west-2', 'eu-west-1x', 'e'];
    let id = 0;
    const ids = (n: number) => Array.from({ length: n }, () => id++);
    const batches: Table[] = [
      // One region throughout: taken whole.
      batchOf(ids(300), new Array(300).fill('eu-west-1'), new Array(300).fill(1)),
      // Equal but for the last row, and equal but for the first: neither may be taken whole.
      batchOf(ids(200), [...new Array(199).fill('us-east-1'), 'eu-west-1'], new Array(200).fill(2)),
      batchOf(ids(200), ['eu-west-2', ...new Array(199).fill('us-east-1')], new Array(200).fill(2)),
      // Values that are prefixes of one another (the empty string is refused: every reader reads it as null).
      batchOf(
        ids(500),
        Array.from({ length: 500 }, () => regions[Math.floor(next() * regions.length)] as string),
        Array.from({ length: 500 }, () => Math.floor(next() * 3)),
      ),
      // Runs of a value, with nulls among them.
      batchOf(
        ids(400),
        Array.from({ length: 400 }, (_, i) => (i % 97 === 5 ? null : (regions[Math.floor(i / 50) % 3] as string))),
        Array.from({ length: 400 }, (_, i) => (i % 89 === 3 ? null : Math.floor(i / 130))),
      ),
      // Every row null.
      batchOf(ids(50), new Array(50).fill(null), new Array(50).fill(null)),
    ];
    const table = new Table(batches.flatMap((b) => b.batches));
    for (const partitionBy of [['region'], ['shard'], ['region', 'shard'], ['shard', 'region']]) {
      expect(split(table, partitionBy), partitionBy.join(', ')).toEqual(reference(table, partitionBy));
    }
  });
});
