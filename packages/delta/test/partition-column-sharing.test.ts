import { makeVector } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { partitionColumn } from '../src/arrow/partition-column.ts';
import type { DeltaType } from '../src/schema/types.ts';

const STRING: DeltaType = { kind: 'primitive', name: 'string' };
const INTEGER: DeltaType = { kind: 'primitive', name: 'integer' };
const values = (t: DeltaType, v: string | null, n: number) => [...makeVector(partitionColumn(t, v, n))];

describe('partitionColumn', () => {
  it('gives the batches of one partition one shared column instead of a copy each', () => {
    const a = partitionColumn(STRING, 'eu-west-1', 65_536);
    const b = partitionColumn(STRING, 'eu-west-1', 65_536);
    expect(b).toBe(a);
    expect(new Set([...makeVector(b)])).toEqual(new Set(['eu-west-1']));
  });

  it('shares nothing between different values, lengths, types or nulls, and each stays exact', () => {
    const held = [
      partitionColumn(STRING, 'eu-west-1', 3),
      partitionColumn(STRING, 'us-east-1', 3),
      partitionColumn(STRING, 'eu-west-1', 2),
      partitionColumn(INTEGER, '7', 3),
      partitionColumn({ kind: 'primitive', name: 'long' }, '7', 3),
      partitionColumn(STRING, null, 3),
      partitionColumn(STRING, '', 3),
      partitionColumn(STRING, 'null', 3),
    ];
    expect(new Set(held).size).toBe(held.length);
    expect(values(STRING, 'eu-west-1', 3)).toEqual(['eu-west-1', 'eu-west-1', 'eu-west-1']);
    expect(values(STRING, 'us-east-1', 3)).toEqual(['us-east-1', 'us-east-1', 'us-east-1']);
    expect(values(STRING, 'eu-west-1', 2)).toEqual(['eu-west-1', 'eu-west-1']);
    expect(values(INTEGER, '7', 3)).toEqual([7, 7, 7]);
    expect(values({ kind: 'primitive', name: 'long' }, '7', 3)).toEqual([7n, 7n, 7n]);
    expect(values(STRING, null, 3)).toEqual([null, null, null]);
    expect(values(STRING, '', 3)).toEqual([null, null, null]);
    expect(values(STRING, 'null', 3)).toEqual(['null', 'null', 'null']);
  });

  it('still refuses a value its type cannot hold, every time it is asked', () => {
    for (let i = 0; i < 2; i++) expect(() => partitionColumn(INTEGER, 'abc', 3)).toThrow(/not a valid integer/);
  });
});
