import type { Adjacency } from './adjacency.ts';
import { stronglyConnectedComponents } from './strongly-connected.ts';

/**
 * Nodes ordered dependencies-first (the reverse topological order Tarjan yields), with each node's rank.
 * Passes that fold values over dependencies visit a node after its dependencies; an edge that points to a
 * node of higher or equal rank closes a cycle and is skipped (the cycle rule reports it).
 */
export interface DependencyOrder {
  readonly order: readonly number[];
  readonly rank: Int32Array;
}

/** Orders the nodes of `out` dependencies-first. */
export function dependencyOrder(out: Adjacency): DependencyOrder {
  const order = stronglyConnectedComponents(out).flat();
  const rank = new Int32Array(out.length);
  order.forEach((node, i) => {
    rank[node] = i;
  });
  return { order, rank };
}

/** The dependencies of `node` that come before it in the order (edges closing a cycle dropped). */
export function acyclicSuccessors(node: number, out: Adjacency, rank: Int32Array): number[] {
  const own = rank[node] as number;
  return (out[node] ?? []).filter((next) => (rank[next] as number) < own);
}
