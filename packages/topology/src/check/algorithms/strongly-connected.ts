import type { Adjacency } from './adjacency.ts';

/**
 * Tarjan's strongly connected components, iterative so 10,000-node topologies do not overflow the stack.
 * Components come out in reverse topological order of the condensation (sinks first), which
 * the availability and capacity passes rely on to visit dependencies before dependants.
 */
export function stronglyConnectedComponents(out: Adjacency): number[][] {
  const n = out.length;
  const order = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const components: number[][] = [];
  const edgeCursor = new Int32Array(n);
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (order[root] !== -1) continue;
    const call: number[] = [root];
    order[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (call.length > 0) {
      const v = call[call.length - 1] as number;
      const successors = out[v] ?? [];
      const i = edgeCursor[v] as number;
      if (i < successors.length) {
        edgeCursor[v] = i + 1;
        const w = successors[i] as number;
        if (order[w] === -1) {
          order[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          call.push(w);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v] as number, order[w] as number);
        }
        continue;
      }
      call.pop();
      const parent = call[call.length - 1];
      if (parent !== undefined) low[parent] = Math.min(low[parent] as number, low[v] as number);
      if (low[v] === order[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        components.push(component);
      }
    }
  }
  return components;
}

/** True when a component is a real cycle: several nodes, or one node with an edge to itself. */
export function isCyclic(component: readonly number[], out: Adjacency): boolean {
  if (component.length > 1) return true;
  const only = component[0] as number;
  return (out[only] ?? []).includes(only);
}
