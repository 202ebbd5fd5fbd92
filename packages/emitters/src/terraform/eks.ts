import type { KubernetesCluster, NodeGroup } from '@meridian/topology';
import type { AwsRegion, TerraformContext } from './context.ts';
import type { TfAddress } from './document.ts';
import { managedPolicy, trustPolicy } from './iam.ts';
import { tfName } from './names.ts';
import { adoptSecurityGroup } from './security-groups.ts';

// The managed policies an EKS cluster role and a node role need (EKS User Guide, "Amazon EKS cluster IAM role" and
// "Amazon EKS node IAM role").
const CLUSTER_POLICIES = ['AmazonEKSClusterPolicy'];
const NODE_POLICIES = ['AmazonEKSWorkerNodePolicy', 'AmazonEKS_CNI_Policy', 'AmazonEC2ContainerRegistryReadOnly'];

const TAINT_EFFECTS = {
  NoSchedule: 'NO_SCHEDULE',
  PreferNoSchedule: 'PREFER_NO_SCHEDULE',
  NoExecute: 'NO_EXECUTE',
} as const;

/**
 * eks.tf.json: each EKS cluster in its region's private subnets with its IAM role, endpoint access as modelled,
 * control-plane logs, envelope encryption of Secrets with the region's key, and its managed node groups (instance
 * types, scaling, capacity type, labels, taints, zones) with their node role. The cluster's own security group
 * guards what runs in it, so flows to its workloads become rules there.
 */
export function emitClusters(ctx: TerraformContext): void {
  for (const { component: cluster, region } of ctx.regionalOnAws('kubernetesCluster'))
    emitCluster(ctx, cluster, region);
}

function role(
  ctx: TerraformContext,
  cluster: KubernetesCluster,
  region: AwsRegion,
  suffix: string,
  service: string,
  policies: readonly string[],
) {
  const name = `${ctx.name(cluster.id)}_${suffix}`;
  const iamRole = ctx.doc.resource('eks.tf.json', 'aws_iam_role', name, {
    provider: region.provider,
    name: ctx.awsName(`${ctx.model.name}-${cluster.id}-${suffix}`, 64),
    assume_role_policy: trustPolicy(service),
    tags: ctx.tags(cluster.id),
  });
  const attachments = policies.map((policy) =>
    ctx.doc.resource('eks.tf.json', 'aws_iam_role_policy_attachment', `${name}_${tfName(policy)}`, {
      provider: region.provider,
      role: iamRole.attr('name'),
      policy_arn: managedPolicy(policy),
    }),
  );
  return { role: iamRole, attachments };
}

function emitCluster(ctx: TerraformContext, cluster: KubernetesCluster, region: AwsRegion): void {
  const name = ctx.name(cluster.id);
  const network = ctx.network(region);
  const controlPlane = role(ctx, cluster, region, 'cluster', 'eks.amazonaws.com', CLUSTER_POLICIES);
  const access = cluster.endpointAccess;
  const eks = ctx.doc.resource('eks.tf.json', 'aws_eks_cluster', name, {
    provider: region.provider,
    name: ctx.awsName(cluster.id, 100),
    role_arn: controlPlane.role.attr('arn'),
    version: cluster.version,
    vpc_config: {
      subnet_ids: network.subnets.private.map((s) => s.attr('id')),
      // Unset, EKS makes the endpoint public only (EKS User Guide, "Cluster API server endpoint").
      endpoint_private_access: access === undefined ? undefined : access !== 'public',
      endpoint_public_access: access === undefined ? undefined : access !== 'private',
      public_access_cidrs: cluster.publicAccessCidrs,
    },
    access_config: { authentication_mode: 'API' },
    enabled_cluster_log_types: cluster.logTypes,
    encryption_config: cluster.secretsEncryption
      ? { resources: ['secrets'], provider: { key_arn: ctx.kmsKey(region).attr('arn') } }
      : undefined,
    tags: ctx.tags(cluster.id),
    depends_on: controlPlane.attachments.map((a) => a.address),
  });
  adoptSecurityGroup(ctx, cluster.id, eks.attr('vpc_config[0].cluster_security_group_id'));
  ctx.doc.output(`${name}_endpoint`, {
    description: `${cluster.id}: the Kubernetes API server`,
    value: eks.attr('endpoint'),
  });
  if (cluster.nodeGroups.length === 0) return;
  const nodes = role(ctx, cluster, region, 'nodes', 'ec2.amazonaws.com', NODE_POLICIES);
  for (const group of cluster.nodeGroups)
    emitNodeGroup(ctx, cluster, region, eks, nodes.role, nodes.attachments, group);
}

function emitNodeGroup(
  ctx: TerraformContext,
  cluster: KubernetesCluster,
  region: AwsRegion,
  eks: TfAddress,
  nodeRole: TfAddress,
  attachments: readonly TfAddress[],
  group: NodeGroup,
): void {
  const name = `${ctx.name(cluster.id)}_${tfName(group.name)}`;
  const network = ctx.network(region);
  const open = (what: string, type: string, description: string) =>
    ctx.doc.variable(`${name}_${what}`, {
      type,
      description: `${cluster.id} node group ${group.name}: ${description} (the model does not say)`,
    }).ref;
  // Subnets of the zones the group is pinned to, else of the zones the region declares, else of every zone.
  const zones = group.zones?.length ? group.zones : region.region.zones.length ? region.region.zones : network.zones;
  const subnets = network.subnets.private.filter((_, z) => zones.includes(network.zones[z] ?? ''));
  const min = group.min ?? open('min_size', 'number', 'the fewest nodes');
  ctx.doc.resource('eks.tf.json', 'aws_eks_node_group', name, {
    provider: region.provider,
    cluster_name: eks.attr('name'),
    node_group_name: group.name,
    node_role_arn: nodeRole.attr('arn'),
    subnet_ids: subnets.map((s) => s.attr('id')),
    instance_types: group.instanceTypes.length
      ? group.instanceTypes
      : open('instance_types', 'list(string)', 'the EC2 instance types'),
    capacity_type: group.capacityType === 'spot' ? 'SPOT' : 'ON_DEMAND',
    scaling_config: {
      min_size: min,
      max_size: group.max ?? open('max_size', 'number', 'the most nodes'),
      desired_size: group.desired ?? min,
    },
    labels: Object.keys(group.labels).length ? group.labels : undefined,
    taint: group.taints.length
      ? group.taints.map((t) => ({ key: t.key, value: t.value, effect: TAINT_EFFECTS[t.effect] }))
      : undefined,
    update_config:
      group.maxUnavailablePercent !== undefined
        ? { max_unavailable_percentage: group.maxUnavailablePercent }
        : undefined,
    tags: ctx.tags(cluster.id),
    depends_on: attachments.map((a) => a.address),
  });
}
