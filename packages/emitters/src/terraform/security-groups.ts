import { type Component, type ComponentKind, type ComponentOf, placementOf } from '@meridian/topology';
import type { AwsRegion, TerraformContext } from './context.ts';
import { tfName } from './names.ts';

/**
 * The ports a component serves when a flow to it names none, by kind; undefined when the model does not say
 * (a Kubernetes cluster's pods listen where their workloads do). One entry per kind, so a new kind must answer.
 */
const servedPorts: { readonly [K in ComponentKind]: (component: ComponentOf<K>) => readonly number[] | undefined } = {
  dns: () => undefined,
  cdn: () => undefined,
  waf: () => undefined,
  apiGateway: () => [443],
  // An ALB/NLB listens on its listeners; HTTPS when the model lists none.
  loadBalancer: (c) => (c.listeners?.length ? c.listeners.map((l) => l.port) : [443]),
  ingress: () => [80, 443],
  kubernetesCluster: () => undefined,
  workload: (c) => (c.ports.length ? c.ports.map((p) => p.port) : undefined),
  service: () => undefined,
  postgres: () => [5432],
  mysql: () => [3306],
  globalDatabase: () => undefined,
  redis: () => [6379],
  // MSK with IAM access control over TLS (what streams.ts configures): port 9098 (MSK Developer Guide, "Port information").
  stream: () => [9098],
  queue: () => undefined,
  objectStore: () => undefined,
  deltaTable: () => undefined,
  catalog: () => undefined,
  queryEngine: () => undefined,
  secrets: () => undefined,
  containerRegistry: () => undefined,
  observability: () => undefined,
  client: () => undefined,
  external: () => undefined,
};

function portsOf(component: Component): readonly number[] | undefined {
  return (servedPorts[component.kind] as (c: Component) => readonly number[] | undefined)(component);
}

/**
 * A security group guarding one component, with egress open (the rules that matter are the ingress rules the
 * flows make); recorded in the context under the component's id.
 */
export function securityGroupFor(ctx: TerraformContext, component: Component, region: AwsRegion): string {
  const network = ctx.network(region);
  const name = ctx.name(component.id);
  const group = ctx.doc.resource('security-groups.tf.json', 'aws_security_group', name, {
    provider: region.provider,
    name: ctx.awsName(`${ctx.model.name}-${component.id}`, 255),
    description: `${component.kind} ${component.id}: ingress from the flows of the model`,
    vpc_id: network.vpc.attr('id'),
    tags: ctx.tags(component.id),
  });
  ctx.doc.resource('security-groups.tf.json', 'aws_vpc_security_group_egress_rule', `${name}_all`, {
    provider: region.provider,
    security_group_id: group.attr('id'),
    description: 'all outbound traffic',
    ip_protocol: '-1',
    cidr_ipv4: '0.0.0.0/0',
    tags: ctx.tags(component.id),
  });
  ctx.securityGroups.set(component.id, group.attr('id'));
  return group.attr('id');
}

/** Records a security group made by AWS (an EKS cluster's) as the one guarding a component. */
export function adoptSecurityGroup(ctx: TerraformContext, component: string, group: string): void {
  ctx.securityGroups.set(component, group);
}

/** The component whose security group guards `id`: its cluster for what runs in one, else itself. */
function guardOf(ctx: TerraformContext, id: string): string {
  return placementOf(ctx.model, id).cluster ?? id;
}

/**
 * security-groups.tf.json, the rules: each flow (but replication) into a component with a security group becomes ingress rules on the
 * flow's port (or the ports the target serves; every TCP port when the model names none), from the source's security
 * group in the same region, from the source VPC's range across regions (connecting the VPCs is left to the user),
 * or from anywhere for traffic from outside AWS to an internet-facing load balancer. The same flows become
 * Kubernetes NetworkPolicies in the Kubernetes emitter.
 */
export function emitFlowRules(ctx: TerraformContext): void {
  const made = new Set<string>();
  for (const flow of ctx.model.flows) {
    // Managed replication (RDS, ElastiCache, S3) runs on AWS's own network, not between the security groups.
    if (flow.kind === 'replicate') continue;
    const to = ctx.component(flow.to);
    const from = ctx.component(flow.from);
    if (!to || !from) continue;
    const target = guardOf(ctx, to.id);
    const source = guardOf(ctx, from.id);
    const group = ctx.securityGroups.get(target);
    const targetRegion = ctx.regionOf(target);
    if (!group || !targetRegion || target === source) continue;
    const sourceGroup = ctx.securityGroups.get(source);
    const sourceRegion = ctx.regionOf(source);
    let peer: { referenced_security_group_id: string } | { cidr_ipv4: string } | undefined;
    let peerName: string;
    if (sourceGroup && sourceRegion === targetRegion) {
      peer = { referenced_security_group_id: sourceGroup };
      peerName = tfName(source);
    } else if (sourceRegion && sourceRegion !== targetRegion && ctx.networks.has(sourceRegion.region.id)) {
      peer = { cidr_ipv4: ctx.network(sourceRegion).cidr };
      peerName = `${sourceRegion.alias}_vpc`;
    } else if (!sourceRegion && to.kind === 'loadBalancer' && to.scheme === 'internet-facing') {
      peer = { cidr_ipv4: '0.0.0.0/0' };
      peerName = 'internet';
    } else continue;
    const ports = flow.port !== undefined ? [flow.port] : portsOf(to);
    for (const port of ports ?? [undefined]) {
      const name = `${tfName(target)}_from_${peerName}_${port ?? 'tcp'}`;
      if (made.has(name)) continue;
      made.add(name);
      ctx.doc.resource('security-groups.tf.json', 'aws_vpc_security_group_ingress_rule', name, {
        provider: targetRegion.provider,
        security_group_id: group,
        description: `flow ${flow.id}${port === undefined ? ' (the model names no port: every TCP port)' : ''}`,
        ip_protocol: 'tcp',
        from_port: port ?? 0,
        to_port: port ?? 65535,
        ...peer,
        tags: ctx.tags(target),
      });
    }
  }
}
