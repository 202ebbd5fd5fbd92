import type { V1LimitRange, V1Namespace, V1ResourceQuota } from '@kubernetes/client-node';
import { type KubernetesCluster, podSecurityLevels, type Topology } from '@meridian/topology';
import type { Manifest } from './manifest.ts';
import { dnsLabel, sorted } from './names.ts';

/** The Kubernetes minor version the Pod Security labels pin and the emitted objects are validated against. */
export const kubernetesVersion = '1.36';

type Quantity = number | string;

/** A model quantity as the API writes it: `2` stays `"2"`, `"512Mi"` stays. */
export function quantity(value: Quantity): string {
  return typeof value === 'number' ? String(value) : value;
}

function quantities(
  list: Readonly<Record<string, Quantity | undefined>> | undefined,
): Record<string, string> | undefined {
  if (!list) return undefined;
  const entries = Object.entries(list).filter((e): e is [string, Quantity] => e[1] !== undefined);
  return entries.length ? sorted(Object.fromEntries(entries.map(([k, v]) => [k, quantity(v)]))) : undefined;
}

/**
 * A Namespace with its Pod Security Admission labels (enforce, audit and warn, pinned to {@link kubernetesVersion};
 * restricted for every mode the model does not lower), plus its ResourceQuota and LimitRange where the model sets
 * them.
 */
export function namespaceObjects(model: Topology, cluster: KubernetesCluster, name: string): Manifest[] {
  const declared = cluster.namespaces?.find((n) => n.name === name);
  const levels = podSecurityLevels(cluster, name);
  const version = `v${kubernetesVersion}`;
  const labels: Record<string, string> = {
    ...(declared?.labels ?? {}),
    'app.kubernetes.io/part-of': dnsLabel(model.name) || 'meridian',
    'app.kubernetes.io/managed-by': 'meridian',
    'pod-security.kubernetes.io/enforce': levels.enforce,
    'pod-security.kubernetes.io/enforce-version': version,
    'pod-security.kubernetes.io/audit': levels.audit,
    'pod-security.kubernetes.io/audit-version': version,
    'pod-security.kubernetes.io/warn': levels.warn,
    'pod-security.kubernetes.io/warn-version': version,
    ...(declared?.istioInjection !== undefined
      ? { 'istio-injection': declared.istioInjection ? 'enabled' : 'disabled' }
      : {}),
  };
  const namespace: V1Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: sorted(labels) } };
  const manifests: Manifest[] = [{ component: cluster.id, file: 'namespaces.yaml', object: namespace }];
  const hard = quantities(declared?.resourceQuota?.hard);
  if (hard) {
    const quota: V1ResourceQuota = {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: `${name}-quota`, namespace: name },
      spec: { hard },
    };
    manifests.push({ component: cluster.id, file: 'namespaces.yaml', object: quota });
  }
  if (declared?.limitRange) {
    const limitRange: V1LimitRange = {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: `${name}-limits`, namespace: name },
      spec: {
        limits: declared.limitRange.limits.map((item) => {
          const [defaults, defaultRequest, min, max] = [item.default, item.defaultRequest, item.min, item.max].map(
            quantities,
          );
          return {
            type: item.type,
            ...(defaults ? { _default: defaults } : {}),
            ...(defaultRequest ? { defaultRequest } : {}),
            ...(max ? { max } : {}),
            ...(min ? { min } : {}),
          };
        }),
      },
    };
    manifests.push({ component: cluster.id, file: 'namespaces.yaml', object: limitRange });
  }
  return manifests;
}
