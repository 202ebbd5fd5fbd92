/**
 * Graph algorithms in check/algorithms/ work on integer adjacency lists, not on graphology directly:
 * a rule picks the edges it cares about (sync flows, replication) once, then the algorithm runs in O(V + E)
 * without string lookups. `indexGraph` builds that view from any node list and edge predicate.
 */

/** Successor lists by node index. */
export type Adjacency = readonly (readonly number[])[];

/** Node ids and their successor lists, by index. */
export interface IndexedGraph {
  readonly ids: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  readonly out: Adjacency;
}

/** Builds an {@link IndexedGraph} from node ids and directed edges (duplicates and unknown ends dropped). */
export function indexGraph(ids: readonly string[], edges: Iterable<readonly [from: string, to: string]>): IndexedGraph {
  const index = new Map<string, number>();
  ids.forEach((id, i) => index.set(id, i));
  const out: number[][] = ids.map(() => []);
  const seen = new Set<string>();
  for (const [from, to] of edges) {
    const a = index.get(from);
    const b = index.get(to);
    if (a === undefined || b === undefined) continue;
    const key = `${a}>${b}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out[a]?.push(b);
  }
  return { ids, index, out };
}
