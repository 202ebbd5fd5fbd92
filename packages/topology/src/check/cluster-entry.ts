import { traitsOf } from '../model/kinds.ts';
import type { Component, Flow } from '../model/schema.ts';
import type { CheckContext } from './context.ts';

/**
 * What a synchronous flow into a Kubernetes cluster reaches. A flow drawn to the cluster (`alb -> eks`, as
 * examples/hld-global writes it) means the requests the cluster serves, so it must reach the same components a flow
 * drawn to them would: otherwise their limits and replica counts sit off the request path, and the verdict depends
 * on how the flow was written (docs/decisions/031-flows-to-a-cluster.md).
 * - `ingress`: the cluster's Ingresses (they name the backends in their rules).
 * - `workloads`: without an Ingress, the in-cluster components that listen for requests (they declare ports or a
 *   capacity, or something routes to them) and that no other such component of the cluster calls: the front line.
 *   Listed as an assumption, since the flow does not say which of them it means.
 * - `none`: nothing in it listens for requests (a GitOps agent, a queue consumer): the flow reaches the cluster
 *   alone, and the assumption says the serving workloads and their limits are not known.
 */
export interface ClusterEntry {
  readonly cluster: string;
  readonly reaches: 'ingress' | 'workloads' | 'none';
  /** The components a flow into the cluster stands for; empty when `none`. */
  readonly members: readonly string[];
}

const onRequestPath = (flow: Flow) => flow.sync && flow.when !== 'startup';

/** The entry of every cluster some synchronous flow from outside it targets, by cluster id. */
export function clusterEntries(context: CheckContext): ReadonlyMap<string, ClusterEntry> {
  const entries = new Map<string, ClusterEntry>();
  for (const flow of context.model.flows) {
    if (!onRequestPath(flow) || entries.has(flow.to)) continue;
    const cluster = context.components.get(flow.to);
    if (cluster?.kind !== 'kubernetesCluster' || context.clusterOf(flow.from)?.id === cluster.id) continue;
    entries.set(cluster.id, entryOf(cluster.id, context));
  }
  return entries;
}

function entryOf(cluster: string, context: CheckContext): ClusterEntry {
  const inside = [...context.components.values()].filter((c) => context.clusterOf(c.id)?.id === cluster);
  const ingresses = inside.filter((c) => traitsOf(c.kind).routesTraffic).map((c) => c.id);
  if (ingresses.length > 0) return { cluster, reaches: 'ingress', members: ingresses };
  const routed = new Set<string>();
  for (const flow of context.model.flows) if (onRequestPath(flow)) routed.add(flow.to);
  const listening = inside.filter((c) => traitsOf(c.kind).servesRequests && listens(c, routed));
  const ids = new Set(listening.map((c) => c.id));
  // What another listener of the cluster calls is behind it, reached through it, not a second door.
  const front = listening.filter(
    (c) => !(context.incoming.get(c.id) ?? []).some((flow) => onRequestPath(flow) && ids.has(flow.from)),
  );
  const members = (front.length > 0 ? front : listening).map((c) => c.id);
  return { cluster, reaches: members.length > 0 ? 'workloads' : 'none', members };
}

function listens(component: Component, routed: ReadonlySet<string>): boolean {
  if (routed.has(component.id) || component.capacity?.maxRps !== undefined) return true;
  return 'ports' in component && Array.isArray(component.ports) && component.ports.length > 0;
}

/** The assumption a flow into `entry`'s cluster makes, if any (check/assumptions.ts lists it). */
export function clusterEntryAssumption(entry: ClusterEntry, from: string): string | undefined {
  if (entry.reaches === 'ingress') return undefined;
  if (entry.reaches === 'workloads')
    return `assumes ${from} -> ${entry.cluster} reaches ${entry.members.join(', ')} (what listens for requests in the cluster: ports, a capacity or a route): the flow names the cluster, not its workloads`;
  return `assumes ${from} -> ${entry.cluster} reaches the cluster alone: no workload in it listens for requests (ports, a capacity or a route), so the limits and replicas of what serves there are not known; draw the flow to the workloads`;
}
