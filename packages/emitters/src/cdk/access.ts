import { type Flow, placementOf } from '@meridian/topology';
import { quote } from './code.ts';
import type { CdkContext, Reachable } from './context.ts';

/**
 * Network access the model's flows need: a flow from an EKS cluster (or a workload in it) to a database, cache or
 * stream of the same region opens the target's port to the cluster's security group, once per pair, described by
 * the first flow; a flow from a load balancer to a cluster (or a workload in it) opens the flow's port on the
 * cluster (else the workload's ports, else every TCP port, said in the rule's description). Every other way in stays
 * closed: the data subnets have no route out and the stores' security groups admit nothing else.
 */
export function planAccess(ctx: CdkContext): void {
  for (const stack of ctx.stacks.values()) {
    const rules: string[] = [];
    const seen = new Set<string>();
    for (const flow of ctx.model.flows) {
      const fromBalancer = stack.reachable.get(flow.from);
      if (fromBalancer?.kind === 'load-balancer') {
        const rule = balancerRule(ctx, stack.reachable, flow, fromBalancer.variable);
        if (rule && !seen.has(rule)) rules.push(rule);
        if (rule) seen.add(rule);
        continue;
      }
      const clusterId =
        ctx.component(flow.from)?.kind === 'kubernetesCluster' ? flow.from : placementOf(ctx.model, flow.from).cluster;
      const source = clusterId ? stack.reachable.get(clusterId) : undefined;
      const target = stack.reachable.get(flow.to);
      if (source?.kind !== 'source' || (target?.kind !== 'connections' && target?.kind !== 'security-group')) continue;
      const pair = `${clusterId} ${flow.to}`;
      if (seen.has(pair)) continue;
      seen.add(pair);
      const description = quote(`${flow.from} -> ${flow.to} (${flow.kind})`);
      rules.push(
        target.kind === 'connections'
          ? `${target.variable}.connections.allowDefaultPortFrom(${source.variable}, ${description});`
          : `${target.variable}.addIngressRule(ec2.Peer.securityGroupId(${source.variable}.clusterSecurityGroupId), ec2.Port.tcp(${target.port}), ${description});`,
      );
    }
    if (rules.length) {
      stack.use('ec2');
      stack.add(
        [
          `Network access the model's flows need in ${stack.region.id}: each cluster reaches the stores it uses, load balancers their clusters.`,
        ],
        rules,
      );
    }
  }
}

function balancerRule(
  ctx: CdkContext,
  reachable: ReadonlyMap<string, Reachable>,
  flow: Flow,
  balancer: string,
): string | undefined {
  const to = ctx.component(flow.to);
  const clusterId = to?.kind === 'kubernetesCluster' ? to.id : placementOf(ctx.model, flow.to).cluster;
  const cluster = clusterId ? reachable.get(clusterId) : undefined;
  if (!to || cluster?.kind !== 'source') return undefined;
  const served = to.kind === 'workload' ? to.ports.map((p) => p.port) : [];
  const ports = flow.port !== undefined ? [flow.port] : served;
  const description = `${flow.from} -> ${flow.to} (${flow.kind})`;
  if (ports.length === 0) {
    return `${cluster.variable}.connections.allowFrom(${balancer}, ec2.Port.allTcp(), ${quote(`${description}: the model names no port`)});`;
  }
  return ports
    .map(
      (port) => `${cluster.variable}.connections.allowFrom(${balancer}, ec2.Port.tcp(${port}), ${quote(description)});`,
    )
    .join('\n');
}
