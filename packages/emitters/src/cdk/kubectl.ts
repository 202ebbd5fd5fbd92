import type { KubernetesCluster } from '@meridian/topology';

/** The Kubernetes version an EKS cluster gets where the model names none: in EKS standard support, a starting point. */
export const DEFAULT_KUBERNETES_VERSION = '1.35';

/**
 * The kubectl Lambda layers aws-eks-v2 applies manifests with, by the cluster's Kubernetes minor version: npm's
 * `@aws-cdk/lambda-layer-kubectl-v<minor>`, with the version range the generated app pins. kubectl is supported
 * against an API server one minor version apart at most (Kubernetes "Version Skew Policy"), so the layer is the
 * cluster's own version, never the nearest. The ranges are the releases the registry holds; the tests install and
 * synthesize v28, v31 and v35 (the examples' versions). A version missing here has no layer: its manifests are
 * not applied, and the app says so.
 */
const kubectlLayers: Readonly<Record<string, string>> = {
  '1.28': '^2.2.1',
  '1.29': '^2.1.1',
  '1.30': '^2.0.4',
  '1.31': '^2.1.0',
  '1.32': '^2.1.0',
  '1.33': '^2.2.2',
  '1.34': '^2.2.2',
  '1.35': '^2.2.2',
  '1.36': '^2.0.1',
};

/** The kubectl layer of one Kubernetes version: the npm package, the range the app pins, the class it exports. */
export interface KubectlLayer {
  readonly packageName: string;
  readonly range: string;
  readonly className: string;
}

/** The Kubernetes minor version a cluster runs (`1.31` of `1.31` or `1.31.2`): the model's, else the default. */
export function kubernetesVersion(cluster: KubernetesCluster): string {
  return (cluster.version ?? DEFAULT_KUBERNETES_VERSION).split('.').slice(0, 2).join('.');
}

/** The kubectl layer matching `version` (a minor version, `1.31`), or undefined when npm has none for it. */
export function kubectlLayer(version: string): KubectlLayer | undefined {
  const range = kubectlLayers[version];
  const minor = version.split('.')[1];
  if (range === undefined || minor === undefined) return undefined;
  return { packageName: `@aws-cdk/lambda-layer-kubectl-v${minor}`, range, className: `KubectlV${minor}Layer` };
}
