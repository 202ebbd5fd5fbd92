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
  ids.forEach((id, i) => {
    index.set(id, i);
  });
  const out: number[][] = ids.map(() => []);
  for (const [from, to] of edges) {
    const a = index.get(from);
    const b = index.get(to);
    if (a === undefined || b === undefined) continue;
    out[a]?.push(b);
  }
  // Duplicates removed by sorting each list: no per-edge string keys, O(E log degree).
  for (let i = 0; i < out.length; i++) {
    const list = out[i] as number[];
    if (list.length < 2) continue;
    list.sort((x, y) => x - y);
    let k = 1;
    for (let j = 1; j < list.length; j++) if (list[j] !== list[k - 1]) list[k++] = list[j] as number;
    list.length = k;
  }
  return { ids, index, out };
}
