import type { Flow } from '../../model/schema.ts';
import { indexGraph } from '../algorithms/adjacency.ts';
import { isCyclic, stronglyConnectedComponents } from '../algorithms/strongly-connected.ts';
import { edgesOf } from '../graph.ts';
import type { Rule, RuleFinding } from '../rule.ts';

/**
 * `cycle`: synchronous calls that loop back (a waits on b waits on a), self-loops included. Such a loop deadlocks
 * or amplifies retries under load. Loops through a queue or a stream (publish/consume, async flows) are fine.
 */
export const cycle: Rule = {
  id: 'cycle',
  description:
    'Cycles among synchronous request, read, write and query flows (self-loops included); loops through async flows are allowed.',
  defaultSeverity: 'error',
  check(context) {
    const ids = [...context.components.keys()];
    const graph = indexGraph(
      ids,
      edgesOf(context.graph, (edge) => edge.type === 'flow' && edge.sync),
    );
    // Only the first flow of each reported loop is looked up, among the flows leaving its first member.
    const flowBetween = (from: string, to: string): Flow | undefined =>
      context.outgoing.get(from)?.find((flow) => flow.sync && flow.to === to);
    const findings: RuleFinding[] = [];
    for (const component of stronglyConnectedComponents(graph.out)) {
      if (!isCyclic(component, graph.out)) continue;
      const loop = findLoop(component, graph.out);
      const names = loop.map((i) => ids[i] as string);
      const first = flowBetween(names[0] as string, names[1] ?? (names[0] as string));
      const members = component.map((i) => ids[i] as string).sort();
      const path = [...names, names[0]].join(' -> ');
      findings.push({
        message:
          names.length === 1
            ? `${names[0]} calls itself synchronously (${path}): a request can wait on itself forever.`
            : `synchronous cycle ${path}${members.length > names.length ? ` (${members.length} components are on cycles together: ${members.join(', ')})` : ''}: each waits on the next, so one slow call stalls all of them.`,
        hint:
          names.length === 1
            ? `remove the flow ${names[0]} -> ${names[0]}, or make it async (a queue or stream between the two)`
            : `break the loop: make one of these flows async (publish to a queue or stream) or remove the call back to ${names[0]}`,
        components: names,
        location: first ? context.locateFlow(first) : context.locate(names[0] as string),
        details: { cycle: names, strongComponent: members },
      });
    }
    return findings;
  },
};

// One simple cycle inside a strongly connected component: walk from its smallest member until a node repeats.
function findLoop(component: readonly number[], out: readonly (readonly number[])[]): number[] {
  const inside = new Set(component);
  const start = Math.min(...component);
  const position = new Map<number, number>();
  const walk: number[] = [];
  let node = start;
  while (!position.has(node)) {
    position.set(node, walk.length);
    walk.push(node);
    const next = (out[node] ?? []).find((n) => inside.has(n));
    if (next === undefined) break;
    node = next;
  }
  return walk.slice(position.get(node) ?? 0);
}
