import { placementOf } from '@meridian/topology';
import { quote } from './code.ts';
import type { CdkContext } from './context.ts';

/**
 * Network access the model's flows need: a flow from an EKS cluster (or a workload in it) to a database, cache or
 * stream of the same region opens the target's port to the cluster's security group, once per pair, described by
 * the first flow. Every other way in stays closed: the data subnets have no route out and the stores' security
 * groups admit nothing else.
 */
export function planAccess(ctx: CdkContext): void {
  for (const stack of ctx.stacks.values()) {
    const rules: string[] = [];
    const seen = new Set<string>();
    for (const flow of ctx.model.flows) {
      const clusterId =
        ctx.component(flow.from)?.kind === 'kubernetesCluster' ? flow.from : placementOf(ctx.model, flow.from).cluster;
      const source = clusterId ? stack.reachable.get(clusterId) : undefined;
      const target = stack.reachable.get(flow.to);
      if (!source || source.kind !== 'source' || !target || target.kind === 'source') continue;
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
        [`Network access the model's flows need in ${stack.region.id}: each cluster reaches the stores it uses.`],
        rules,
      );
    }
  }
}
