import type { KubernetesCluster } from '@meridian/topology';
import { awsName } from '../aws/names.ts';
import { code, quote, type TsValue, tsValue } from './code.ts';
import type { CdkContext, NagAcknowledgment, StackPlan } from './context.ts';
import { dataKey } from './keys.ts';
import { DEFAULT_KUBERNETES_VERSION } from './kubectl.ts';
import { clusterObjects, kubectlProvider, planManifests } from './manifests.ts';

// EKS's control-plane log types (EKS User Guide, "Send control plane logs to CloudWatch Logs") as aws-eks-v2 names them.
const LOG_TYPES: Record<string, string> = {
  api: 'API',
  audit: 'AUDIT',
  authenticator: 'AUTHENTICATOR',
  controllerManager: 'CONTROLLER_MANAGER',
  'controller-manager': 'CONTROLLER_MANAGER',
  scheduler: 'SCHEDULER',
};

const TAINT_EFFECTS = {
  NoSchedule: 'NO_SCHEDULE',
  PreferNoSchedule: 'PREFER_NO_SCHEDULE',
  NoExecute: 'NO_EXECUTE',
} as const;

// The managed policies EKS attaches to the roles aws-eks-v2 makes (EKS User Guide, "Amazon EKS cluster IAM role"
// and "Amazon EKS node IAM role"): cdk-nag reports each as an IAM4 finding.
const MANAGED_POLICIES = [
  'AmazonEKSClusterPolicy',
  'AmazonEKSWorkerNodePolicy',
  'AmazonEKS_CNI_Policy',
  'AmazonEC2ContainerRegistryReadOnly',
];

/**
 * EKS clusters with aws-eks-v2 (a plain AWS::EKS::Cluster, no kubectl Lambda layer): in the region's private
 * subnets, the Kubernetes version, endpoint access and control-plane logs as modelled, Secrets encrypted with the
 * region's key when the model says so, and one managed node group per modelled group (instance types, scaling,
 * capacity type, labels, taints, zones, max unavailable). No default capacity: the node groups are the model's.
 */
export function planClusters(ctx: CdkContext): void {
  for (const { component: cluster, stack } of ctx.regionalOnAws('kubernetesCluster')) planCluster(ctx, stack, cluster);
}

function planCluster(ctx: CdkContext, stack: StackPlan, cluster: KubernetesCluster): void {
  stack.use('ec2', 'eks');
  const name = stack.variable(cluster.id);
  const id = name[0]?.toUpperCase() + name.slice(1);
  const comment = [`${cluster.id}: EKS cluster${cluster.description ? ` ("${cluster.description}")` : ''}.`];
  if (!cluster.version)
    comment.push(`The model names no Kubernetes version: ${DEFAULT_KUBERNETES_VERSION} is a starting point.`);
  const access = cluster.endpointAccess;
  const cidrs = cluster.publicAccessCidrs?.length
    ? `.onlyFrom(${cluster.publicAccessCidrs.map(quote).join(', ')})`
    : '';
  const endpoint =
    access === 'private'
      ? 'eks.EndpointAccess.PRIVATE'
      : access === 'public'
        ? `eks.EndpointAccess.PUBLIC${cidrs}`
        : `eks.EndpointAccess.PUBLIC_AND_PRIVATE${cidrs}`;
  const logs = (cluster.logTypes ?? []).map((t) => LOG_TYPES[t]).filter((t): t is string => t !== undefined);
  const objects = clusterObjects(ctx, cluster);
  const props: Record<string, TsValue> = {
    clusterName: awsName(cluster.id, 100),
    version: code(
      cluster.version
        ? `eks.KubernetesVersion.of(${quote(cluster.version)})`
        : `eks.KubernetesVersion.V${DEFAULT_KUBERNETES_VERSION.replace('.', '_')}`,
    ),
    vpc: code('vpc'),
    vpcSubnets: [code("{ subnetGroupName: 'private' }")],
    // Managed node groups, not Auto Mode (aws-eks-v2's default), and none beyond the model's.
    defaultCapacityType: code('eks.DefaultCapacityType.NODEGROUP'),
    defaultCapacity: 0,
    endpointAccess: code(endpoint),
    secretsEncryptionKey: cluster.secretsEncryption ? code(dataKey(stack)) : undefined,
    clusterLogging: logs.length ? logs.map((t) => code(`eks.ClusterLoggingTypes.${t}`)) : undefined,
    // The kubectl provider applies the Kubernetes emitter's manifests (below); none without them.
    kubectlProviderOptions: kubectlProvider(ctx, stack, objects, id),
  };
  const nag: NagAcknowledgment[] = [
    {
      // The generated loop's template literal names each policy.
      rule: code('`AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/$' + '{policy}]`'),
      reason:
        'EKS requires its AWS managed policies on the cluster and node roles (EKS User Guide, "Amazon EKS cluster IAM role", "Amazon EKS node IAM role").',
    },
  ];
  if (access !== 'private') {
    nag.push({
      rule: 'EKS1',
      reason:
        access === undefined
          ? `The model does not restrict the API endpoint of ${cluster.id} (endpointAccess unset): public and private, EKS's default.`
          : `The model opens the API endpoint of ${cluster.id} (endpointAccess: ${access})${cluster.publicAccessCidrs?.length ? ` to ${cluster.publicAccessCidrs.join(', ')}` : ''}.`,
    });
  }
  if (logs.length < 5) {
    nag.push({
      rule: 'EKS2',
      reason: `The model enables ${logs.length ? `only the ${cluster.logTypes?.join(', ')} control-plane logs` : 'no control-plane logs'} for ${cluster.id}.`,
    });
  }
  const statements = [
    `const ${name} = new eks.Cluster(this, ${quote(id)}, ${tsValue(props)});`,
    ...cluster.nodeGroups.map((group) => {
      const notes: string[] = [];
      if (!group.instanceTypes.length) notes.push("no instance types: EKS's default");
      if (group.min === undefined && group.max === undefined) notes.push("no size: EKS's default scaling");
      const options: Record<string, TsValue> = {
        nodegroupName: group.name,
        instanceTypes: group.instanceTypes.length
          ? group.instanceTypes.map((t) => code(`new ec2.InstanceType(${quote(t)})`))
          : undefined,
        minSize: group.min,
        maxSize: group.max,
        desiredSize: group.desired,
        capacityType: code(`eks.CapacityType.${group.capacityType === 'spot' ? 'SPOT' : 'ON_DEMAND'}`),
        subnets: code(
          `{ subnetGroupName: 'private'${group.zones?.length ? `, availabilityZones: ${tsValue(group.zones)}` : ''} }`,
        ),
        labels: Object.keys(group.labels).length ? group.labels : undefined,
        taints: group.taints.length
          ? group.taints.map((t) => ({
              key: t.key,
              value: t.value,
              effect: code(`eks.TaintEffect.${TAINT_EFFECTS[t.effect]}`),
            }))
          : undefined,
        maxUnavailablePercentage: group.maxUnavailablePercent,
      };
      const note = notes.length ? `// Node group ${group.name}: the model gives ${notes.join('; ')}.\n` : '';
      return `${note}${name}.addNodegroupCapacity(${quote(group.name)}, ${tsValue(options)});`;
    }),
    ctx.tag(stack, name, cluster.id),
    `for (const policy of ${tsValue(MANAGED_POLICIES)}) {
      ${stack.acknowledge(name, nag.slice(0, 1))}
    }`,
  ];
  if (nag.length > 1) statements.push(stack.acknowledge(name, nag.slice(1)));
  stack.reachable.set(cluster.id, { kind: 'source', variable: name });
  stack.add(comment, statements);
  planManifests(ctx, stack, cluster, name, objects);
}
