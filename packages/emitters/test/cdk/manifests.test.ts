import { type Topology, topology } from '@meridian/topology';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { toCdkApp } from '../../src/cdk/emitter.ts';
import { addModelStacks } from '../../src/cdk/index.ts';
import { kubectlLayer, kubernetesVersion } from '../../src/cdk/kubectl.ts';
import { EmitError } from '../../src/errors.ts';
import { appProps } from './support/app-props.ts';
import { synthesize, templateOf } from './support/synth.ts';

// An EKS cluster running one workload the Kubernetes emitter writes and one it refuses (no image).
const shop = (version?: string) =>
  topology('shop', (t) => {
    const eks = t
      .region('eu-west-1', { zones: ['eu-west-1a', 'eu-west-1b'] })
      .kubernetesCluster('eks', { endpointAccess: 'private', ...(version ? { version } : {}) });
    eks.deployment('api', { image: 'registry.local/api:1.0.0', ports: [8080] });
    eks.deployment('worker', {});
  });

function filesOf(model: Topology): Map<string, string> {
  return new Map(toCdkApp(model).map((f) => [f.path, f.contents]));
}

const refusal = '// - eu-west-1/eks/worker (emit): eu-west-1/eks/worker names no image';

describe('cdk app: Kubernetes objects applied through EKS', () => {
  it('applies the objects of the workloads the Kubernetes emitter writes and names the one it refuses', async () => {
    const app = await synthesize(shop());
    const objects = Object.values(templateOf(app, 'eu-west-1').findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .flatMap((r) => JSON.parse((r as { Properties: { Manifest: string } }).Properties.Manifest))
      .map((o: { kind: string; metadata: { name: string } }) => `${o.kind}/${o.metadata.name}`);
    expect(objects).toContain('Deployment/api');
    expect(objects.filter((o) => o.endsWith('/worker'))).toEqual([]);
    expect(app.files.get('lib/eu-west-1-stack.ts')).toContain(refusal);
    expect(app.files.get('README.md')).toContain('- `eu-west-1/eks/worker` (emit): ');
    // No version in the model: the default, 1.35, and its layer.
    expect(JSON.parse(app.files.get('package.json') ?? '').dependencies).toHaveProperty(
      '@aws-cdk/lambda-layer-kubectl-v35',
    );
  }, 300_000);

  it('applies nothing on a Kubernetes version npm has no kubectl layer for, and says so', async () => {
    const app = await synthesize(shop('1.27'));
    const template = templateOf(app, 'eu-west-1');
    expect(template.findResources('Custom::AWSCDK-EKS-KubernetesResource')).toEqual({});
    expect(template.findResources('AWS::Lambda::LayerVersion')).toEqual({});
    const stack = app.files.get('lib/eu-west-1-stack.ts') ?? '';
    expect(stack).toContain('npm has no kubectl layer for Kubernetes 1.27');
    expect(stack).toContain(refusal);
    expect(app.files.get('README.md')).toContain(
      'objects of `eu-west-1/eks`: npm has no kubectl layer for Kubernetes 1.27',
    );
    expect(JSON.stringify(JSON.parse(app.files.get('package.json') ?? '').dependencies)).not.toContain('kubectl');
    expect([...app.files.keys()].filter((p) => p.startsWith('lib/k8s/'))).toEqual([]);
  }, 300_000);

  it("pins the kubectl layer of the cluster's version, and in-process use names the package when it is missing", () => {
    // v29 is not installed here (the tests install the examples' v28, v31 and v35).
    const model = shop('1.29');
    expect(JSON.parse(filesOf(model).get('package.json') ?? '').dependencies).toHaveProperty(
      '@aws-cdk/lambda-layer-kubectl-v29',
      '^2.1.1',
    );
    let error: unknown;
    try {
      addModelStacks(new App(appProps('/nonexistent')), model);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EmitError);
    expect((error as EmitError).code).toBe('cdk-missing-package');
    expect((error as EmitError).hint).toContain('npm install @aws-cdk/lambda-layer-kubectl-v29');
  });

  it('maps a minor version to its layer, never to a neighbour', () => {
    expect(kubectlLayer('1.28')).toEqual({
      packageName: '@aws-cdk/lambda-layer-kubectl-v28',
      range: '^2.2.1',
      className: 'KubectlV28Layer',
    });
    expect(kubectlLayer('1.27')).toBeUndefined();
    expect(kubectlLayer('1.99')).toBeUndefined();
    const cluster = shop('1.31.4').components.find((c) => c.kind === 'kubernetesCluster');
    expect(cluster?.kind === 'kubernetesCluster' && kubernetesVersion(cluster)).toBe('1.31');
  });

  it('writes no layer and no objects for a cluster that runs nothing', () => {
    const files = filesOf(
      topology('shop', (t) => {
        t.region('eu-west-1', { zones: ['eu-west-1a', 'eu-west-1b'] }).kubernetesCluster('eks', {});
      }),
    );
    expect(files.get('lib/eu-west-1-stack.ts')).not.toContain('kubectl');
    expect(JSON.stringify(JSON.parse(files.get('package.json') ?? '').dependencies)).not.toContain('kubectl');
  });
});
