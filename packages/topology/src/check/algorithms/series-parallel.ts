import type { Adjacency } from './adjacency.ts';
import { acyclicSuccessors, type DependencyOrder } from './dependency-order.ts';
import { difference, intersect } from './sorted-set.ts';

/**
 * Series-parallel reduction of a dependency graph without enumerating paths.
 *
 * A node needs every dependency (series) except those its `alternatives` groups: a failover DNS or a global load
 * balancer needs only one of several regions (parallel) for each request it routes, and a router serving two kinds
 * of request (`/api/*` and `/*`) has one group per kind, each in series with the others (issue 20). For each node
 * we keep the set of independent *factors* its success is the product of: the distinct components it needs in
 * series, plus one *parallel factor* per alternative group (index `nodeCount + group index`). The components every alternative needs (a database all regions
 * write to) are pulled out of the group into the series set, so a shared dependency counts once and is not
 * mistaken for redundancy. Cost: O(E × set size), the set size bounded by the components one request can touch.
 * The factors of a node, minus the parallel factors, are exactly the components whose single failure takes it down.
 */
export interface SeriesParallel {
  readonly nodeCount: number;
  /** Sorted factor sets per node: component indices < nodeCount, parallel factors >= nodeCount. */
  readonly factors: readonly Int32Array[];
  /**
   * Alternative groups, dependencies first: the routing node, its alternatives and what they all share. The
   * parallel factor `nodeCount + i` is `groups[i]`.
   */
  readonly groups: readonly ParallelGroup[];
}

/** One set of alternatives behind a routing node. */
export interface ParallelGroup {
  readonly node: number;
  readonly alternatives: readonly number[];
  /** Factors every alternative needs, moved into the node's series set. */
  readonly shared: Int32Array;
}

/**
 * Reduces the graph; `alternatives(node, dependencies)` returns the groups of dependencies that are interchangeable
 * (each group one request the node routes; a dependency in no group is needed in series).
 */
export function seriesParallel(
  out: Adjacency,
  order: DependencyOrder,
  alternatives: (node: number, dependencies: readonly number[]) => readonly (readonly number[])[],
): SeriesParallel {
  const n = out.length;
  const factors: Int32Array[] = new Array(n);
  const groups: ParallelGroup[] = [];
  // A group has two or more members, so a node has at most half its out-degree of groups.
  const maxGroups = out.reduce((sum, targets) => sum + (targets.length >> 1), 0);
  // Union of many sorted sets without a chain of pairwise merges: stamp what is seen, collect, sort once.
  const seen = new Int32Array(n + maxGroups).fill(-1);
  let buffer = new Int32Array(1024);
  for (const node of order.order) {
    const dependencies = acyclicSuccessors(node, out, order.rank);
    const parallel = (dependencies.length >= 2 ? alternatives(node, dependencies) : []).filter(
      (group) => new Set(group).size >= 2,
    );
    const inSomeGroup = new Set(parallel.flat());
    let size = 0;
    const add = (factor: number) => {
      if (seen[factor] === node) return;
      seen[factor] = node;
      if (size === buffer.length) {
        const grown = new Int32Array(buffer.length * 2);
        grown.set(buffer);
        buffer = grown;
      }
      buffer[size++] = factor;
    };
    add(node);
    for (const dependency of dependencies) {
      if (inSomeGroup.has(dependency)) continue;
      for (const factor of factors[dependency] as Int32Array) add(factor);
    }
    for (const group of parallel) {
      const members = [...new Set(group)];
      let shared = factors[members[0] as number] as Int32Array;
      for (let i = 1; i < members.length; i++) shared = intersect(shared, factors[members[i] as number] as Int32Array);
      for (const factor of shared) add(factor);
      add(n + groups.length);
      groups.push({ node, alternatives: members, shared });
    }
    factors[node] = buffer.slice(0, size).sort();
  }
  return { nodeCount: n, factors, groups };
}

/** How values combine: in series (availability multiplies, capacity takes the minimum) and in parallel. */
export interface SeriesParallelAlgebra {
  readonly seriesIdentity: number;
  series(a: number, b: number): number;
  parallel(branches: readonly number[]): number;
}

/**
 * Evaluates every parallel factor and returns the value of each factor (components' own values first, then
 * parallel factors); `valueOfSet` then gives any node's value as its factors in series.
 */
export function evaluateFactors(
  reduced: SeriesParallel,
  own: (node: number) => number,
  algebra: SeriesParallelAlgebra,
  /** A group-specific parallel composition (failover that takes time), else the algebra's. */
  parallelOf?: (group: ParallelGroup) => ((branches: readonly number[]) => number) | undefined,
): Float64Array {
  const values = new Float64Array(reduced.nodeCount + reduced.groups.length).fill(algebra.seriesIdentity);
  for (let i = 0; i < reduced.nodeCount; i++) values[i] = own(i);
  reduced.groups.forEach((group, index) => {
    const branches = group.alternatives.map((member) =>
      seriesValue(difference(reduced.factors[member] as Int32Array, group.shared), values, algebra),
    );
    const parallel = parallelOf?.(group) ?? algebra.parallel;
    values[reduced.nodeCount + index] = parallel(branches);
  });
  return values;
}

/** The value of a set of factors in series. */
export function seriesValue(set: Int32Array, values: Float64Array, algebra: SeriesParallelAlgebra): number {
  let value = algebra.seriesIdentity;
  for (const factor of set) value = algebra.series(value, values[factor] as number);
  return value;
}

/** Availability: independent factors multiply in series; a parallel group fails only when every branch does. */
export const availabilityAlgebra: SeriesParallelAlgebra = {
  seriesIdentity: 1,
  series: (a, b) => a * b,
  parallel: (branches) => 1 - branches.reduce((down, up) => down * (1 - up), 1),
};

/** Capacity: a request passes every factor in series (the minimum); parallel branches add up. */
export const capacityAlgebra: SeriesParallelAlgebra = {
  seriesIdentity: Number.POSITIVE_INFINITY,
  series: (a, b) => Math.min(a, b),
  parallel: (branches) => branches.reduce((sum, value) => sum + value, 0),
};
