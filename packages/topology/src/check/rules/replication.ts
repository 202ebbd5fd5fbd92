import { traitsOf } from '../../model/kinds.ts';
import type { Component } from '../../model/schema.ts';
import { indexGraph } from '../algorithms/adjacency.ts';
import { isCyclic, stronglyConnectedComponents } from '../algorithms/strongly-connected.ts';
import type { CheckContext } from '../context.ts';
import { type ReplicationLink, replicationLinks } from '../replication-links.ts';
import type { Rule, RuleFinding } from '../rule.ts';

// Every multi-writer store kind (PostgreSQL, Redis, streams, buckets) can declare how conflicts resolve.
function resolvesConflicts(component: Component | undefined): boolean {
  const declared =
    component !== undefined && 'conflictResolution' in component ? component.conflictResolution : undefined;
  return declared !== undefined && declared !== 'none';
}

/**
 * `replication`: several writers replicating to each other with no conflict resolution, replicas of replicas across
 * regions (lag adds up hop by hop and promotion order is ambiguous), and a replica whose source is a cluster-internal
 * name in another region (it cannot be reached from there without a cross-cluster mesh).
 */
export const replication: Rule = {
  id: 'replication',
  description:
    "Multi-writer replication with no conflict resolution, replicas chained across regions, and replicas whose source is only reachable inside another region's cluster.",
  defaultSeverity: 'error',
  check(context) {
    const findings: RuleFinding[] = [];
    // Replication between two data services is what this rule is about.
    const links = replicationLinks(context).filter((link) => {
      const source = context.components.get(link.source);
      return source !== undefined && traitsOf(source.kind).dataService;
    });
    const ids = [...context.components.keys()];
    const graph = indexGraph(
      ids,
      links.map((link) => [link.source, link.target] as const),
    );
    const inCycle = new Set<string>();
    for (const component of stronglyConnectedComponents(graph.out)) {
      if (!isCyclic(component, graph.out)) continue;
      const members = component.map((i) => ids[i] as string).sort();
      for (const id of members) inCycle.add(id);
      if (members.every((id) => resolvesConflicts(context.components.get(id)))) continue;
      const regions = [...new Set(members.map((id) => context.regionOf(id) ?? 'global'))];
      findings.push({
        message: `${members.join(', ')} replicate to each other (${members.length} writers${regions.length > 1 ? ` in ${regions.join(', ')}` : ''}) with no conflict resolution declared: concurrent writes to the same key diverge or are silently lost.`,
        hint: 'make one of them the only writer (the others replicas), or declare how conflicts resolve (conflictResolution: last-writer-wins, crdt or application on each of them)',
        components: members,
        location: links.find((link) => link.source === members[0])?.location ?? context.locate(members[0] as string),
        details: { writers: members, regions },
      });
    }
    const sourcesOf = new Map<string, ReplicationLink[]>();
    for (const link of links) sourcesOf.set(link.target, [...(sourcesOf.get(link.target) ?? []), link]);
    // A chain is judged by its middle hop: a replica that feeds another store. A ring writer in the middle is no
    // replica (its ring is judged above), and a replica of it is a replica of a primary. A replica in the middle is a
    // chain whatever its ends are: a ring writer's replica's replica, or a replica feeding a ring writer, lags hop by hop.
    for (const link of links) {
      if (inCycle.has(link.source)) continue;
      for (const upstream of sourcesOf.get(link.source) ?? []) {
        const regions = [
          context.regionOf(upstream.source),
          context.regionOf(link.source),
          context.regionOf(link.target),
        ];
        if (regions[0] === regions[1] && regions[1] === regions[2]) continue;
        findings.push({
          message: `${link.target} replicates from ${link.source}, itself a replica of ${upstream.source} (${regions.map((r) => r ?? 'global').join(' -> ')}): lag adds up hop by hop, and losing ${link.source} cuts ${link.target} off.`,
          hint: `replicate ${link.target} directly from ${upstream.source} (the primary)`,
          components: [link.target, link.source, upstream.source],
          location: link.location,
          details: { chain: [upstream.source, link.source, link.target], regions },
        });
      }
    }
    for (const link of links) {
      const sourceCluster = context.clusterOf(link.source);
      if (!sourceCluster) continue;
      const sourceRegion = context.regionOf(link.source);
      const targetRegion = context.regionOf(link.target);
      if (sourceRegion === undefined || sourceRegion === targetRegion) continue;
      const targetCluster = context.clusterOf(link.target);
      if (targetCluster && meshed(context, sourceCluster.id, targetCluster.id)) continue;
      findings.push({
        message: `${link.target} (${targetRegion ?? 'global'}) replicates from ${link.source}, which runs inside cluster ${sourceCluster.id} in ${sourceRegion}: its service name (*.svc.cluster.local) resolves only inside that cluster.`,
        hint: `expose ${link.source} to ${targetRegion ?? 'the replica'} (an internal load balancer or a cross-cluster service mesh) and point the replica at that address`,
        components: [link.target, link.source, sourceCluster.id],
        location: link.location,
        details: { sourceCluster: sourceCluster.id, sourceRegion, targetRegion },
      });
    }
    return findings;
  },
};

// Two clusters federated by the same mesh, with service calls between them, can resolve each other's services.
// Only request, read and query flows are evidence of federation: replication (the link being judged) and pushes
// to public endpoints (remote write, mirroring) do not go through the mesh.
function meshed(context: CheckContext, a: string, b: string): boolean {
  const meshA = context.components.get(a);
  const meshB = context.components.get(b);
  if (meshA?.kind !== 'kubernetesCluster' || meshB?.kind !== 'kubernetesCluster') return false;
  if (!meshA.serviceMesh || meshA.serviceMesh.provider !== meshB.serviceMesh?.provider) return false;
  const clusterOf = (id: string) => (id === a || id === b ? id : context.clusterOf(id)?.id);
  return context.model.flows.some((flow) => {
    if (flow.kind !== 'request' && flow.kind !== 'read' && flow.kind !== 'query') return false;
    const from = clusterOf(flow.from);
    const to = clusterOf(flow.to);
    return (from === a && to === b) || (from === b && to === a);
  });
}
