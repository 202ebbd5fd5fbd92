import { describe, expect, it } from 'vitest';
import type { Adjacency } from '../../src/check/algorithms/adjacency.ts';
import { dependencyOrder } from '../../src/check/algorithms/dependency-order.ts';
import {
  availabilityAlgebra,
  capacityAlgebra,
  evaluateFactors,
  type SeriesParallel,
  seriesParallel,
  seriesValue,
} from '../../src/check/algorithms/series-parallel.ts';

/** The reduction of `out`, with `groups[node]` the alternative groups of that node (none by default). */
function reduce(out: Adjacency, groups: Record<number, number[][]> = {}): SeriesParallel {
  const asked: number[] = [];
  const reduced = seriesParallel(out, dependencyOrder(out), (node, dependencies) => {
    asked.push(node);
    // Alternatives are only ever among the node's own dependencies.
    for (const group of groups[node] ?? []) for (const member of group) expect(dependencies).toContain(member);
    return groups[node] ?? [];
  });
  // Only nodes with two dependencies or more can route between alternatives.
  for (const node of asked) expect((out[node] ?? []).length).toBeGreaterThanOrEqual(2);
  return reduced;
}

const factorsOf = (reduced: SeriesParallel, node: number) => [...(reduced.factors[node] as Int32Array)];

describe('series-parallel reduction (availability and capacity, issue 20)', () => {
  it('a chain is every component in series', () => {
    // 0 -> 1 -> 2
    const reduced = reduce([[1], [2], []]);
    expect(reduced.nodeCount).toBe(3);
    expect(factorsOf(reduced, 0)).toEqual([0, 1, 2]);
    expect(factorsOf(reduced, 1)).toEqual([1, 2]);
    expect(factorsOf(reduced, 2)).toEqual([2]);
    expect(reduced.groups).toEqual([]);
  });

  it('a diamond counts what both sides need once, a router below it included, and keeps factors sorted', () => {
    // 0 needs 2 and 1 (listed in that order); both need 3, which routes to 4 or 5.
    const out: Adjacency = [[2, 1], [3], [3], [4, 5], [], []];
    const reduced = reduce(out, { 3: [[4, 5]] });
    const n = reduced.nodeCount;
    expect(factorsOf(reduced, 3)).toEqual([3, n]);
    expect(factorsOf(reduced, 0)).toEqual([0, 1, 2, 3, n]);
    const values = evaluateFactors(reduced, () => 0.9, availabilityAlgebra);
    expect(seriesValue(reduced.factors[0] as Int32Array, values, availabilityAlgebra)).toBeCloseTo(0.9 ** 4 * 0.99, 12);
  });

  it('a router over two alternatives that share a database: the database once in series, the rest one parallel factor', () => {
    // 0 routes to 1 or 2; both need 3; 4 is needed by 1 only.
    const out: Adjacency = [[1, 2], [3, 4], [3], []];
    const reduced = reduce([...out, []], { 0: [[1, 2]] });
    const n = reduced.nodeCount;
    expect(n).toBe(5);
    expect(factorsOf(reduced, 0)).toEqual([0, 3, n]);
    expect(reduced.groups).toHaveLength(1);
    expect(reduced.groups[0]?.node).toBe(0);
    expect(reduced.groups[0]?.alternatives).toEqual([1, 2]);
    expect([...(reduced.groups[0]?.shared ?? [])]).toEqual([3]);
    // Availability: each branch is its own factors minus the shared database.
    const up = [0.99, 0.9, 0.8, 0.95, 0.5];
    const values = evaluateFactors(reduced, (i) => up[i] as number, availabilityAlgebra);
    const branch1 = 0.9 * 0.5;
    const branch2 = 0.8;
    expect(values[n]).toBeCloseTo(1 - (1 - branch1) * (1 - branch2), 12);
    expect(seriesValue(reduced.factors[0] as Int32Array, values, availabilityAlgebra)).toBeCloseTo(
      0.99 * 0.95 * (1 - (1 - branch1) * (1 - branch2)),
      12,
    );
    // Capacity: the minimum in series, branches add up.
    const capacity = [1000, 300, 200, 400, 100];
    const limits = evaluateFactors(reduced, (i) => capacity[i] as number, capacityAlgebra);
    expect(limits[n]).toBe(100 + 200);
    expect(seriesValue(reduced.factors[0] as Int32Array, limits, capacityAlgebra)).toBe(300);
    expect(seriesValue(new Int32Array(0), limits, capacityAlgebra)).toBe(Number.POSITIVE_INFINITY);
  });

  it('two groups on one router are two parallel factors; a dependency in no group stays in series', () => {
    // 0 routes /api to 1 or 2 and / to 3 or 4, and needs 5 to run.
    const out: Adjacency = [[1, 2, 3, 4, 5], [], [], [], [], []];
    const reduced = reduce(out, {
      0: [
        [1, 2],
        [3, 4],
      ],
    });
    const n = reduced.nodeCount;
    expect(factorsOf(reduced, 0)).toEqual([0, 5, n, n + 1]);
    expect(reduced.groups.map((g) => g.alternatives)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    const values = evaluateFactors(reduced, (i) => [1, 0.9, 0.9, 0.5, 0.5, 0.99][i] as number, availabilityAlgebra);
    expect(values[n]).toBeCloseTo(0.99, 12);
    expect(values[n + 1]).toBeCloseTo(0.75, 12);
    // A group-specific composition replaces the algebra's for the groups it answers for.
    const worst = evaluateFactors(
      reduced,
      (i) => [1, 0.9, 0.9, 0.5, 0.5, 0.99][i] as number,
      availabilityAlgebra,
      (group) => (group.alternatives[0] === 3 ? (branches) => Math.min(...branches) : undefined),
    );
    expect(worst[n]).toBeCloseTo(0.99, 12);
    expect(worst[n + 1]).toBe(0.5);
  });

  it('a group of one member, or of one member twice, is no redundancy: it stays in series', () => {
    const out: Adjacency = [[1, 2], [], []];
    const reduced = reduce(out, { 0: [[1, 1], [2]] });
    expect(factorsOf(reduced, 0)).toEqual([0, 1, 2]);
    expect(reduced.groups).toEqual([]);
  });

  it('repeated members of a group count once', () => {
    const out: Adjacency = [[1, 2], [], []];
    const reduced = reduce(out, { 0: [[1, 2, 1]] });
    expect(reduced.groups.map((g) => g.alternatives)).toEqual([[1, 2]]);
    expect(factorsOf(reduced, 0)).toEqual([0, 3]);
  });

  it("nested routers: a group inside a branch is that branch's own parallel factor", () => {
    // 0 routes to 1 or 2; 1 routes to 3 or 4.
    const out: Adjacency = [[1, 2], [3, 4], [], [], []];
    const reduced = reduce(out, { 0: [[1, 2]], 1: [[3, 4]] });
    const n = reduced.nodeCount;
    // Groups are numbered in dependency order: 1's first.
    expect(reduced.groups.map((g) => g.node)).toEqual([1, 0]);
    expect(factorsOf(reduced, 1)).toEqual([1, n]);
    expect(factorsOf(reduced, 0)).toEqual([0, n + 1]);
    const values = evaluateFactors(reduced, (i) => [1, 1, 0.5, 0.5, 0.5][i] as number, availabilityAlgebra);
    expect(values[n]).toBeCloseTo(0.75, 12);
    expect(values[n + 1]).toBeCloseTo(1 - 0.25 * 0.5, 12);
  });

  it('a cycle edge is skipped, and a chain longer than the first buffer keeps every factor', () => {
    const cycle = reduce([[1], [0]]);
    expect(cycle.factors.map((f) => f.length).sort()).toEqual([1, 2]);
    const length = 3000;
    const chain: Adjacency = Array.from({ length }, (_, i) => (i + 1 < length ? [i + 1] : []));
    const long = reduce(chain);
    expect(factorsOf(long, 0)).toEqual(Array.from({ length }, (_, i) => i));
    expect(factorsOf(long, 2000)).toEqual(Array.from({ length: 1000 }, (_, i) => 2000 + i));
  });
});
