import type { KubernetesObject, V1ConfigMap } from '@kubernetes/client-node';
import type { KubernetesCluster, Secrets, Topology } from '@meridian/topology';
import type { Manifest } from './manifest.ts';
import { isDnsLabel, isDnsSubdomain, objectName } from './names.ts';

/** An External Secrets Operator object (external-secrets.io/v1): not in the core API. */
interface ExternalSecretsObject extends KubernetesObject {
  readonly apiVersion: 'external-secrets.io/v1';
  readonly kind: 'ExternalSecret' | 'ClusterSecretStore';
  readonly spec: Record<string, unknown>;
}

/** Config the emitter writes, and what it refuses (a secrets store it cannot configure). */
export interface ConfigResult {
  readonly manifests: Manifest[];
  readonly refusals: { readonly component: string; readonly message: string; readonly hint: string }[];
}

// External Secrets Operator providers ("Provider" pages): AWS needs only the region (credentials come from the
// controller's IRSA role); the others need an address or project the model does not hold.
const awsServices: Partial<Record<Secrets['provider'], string>> = {
  'secrets-manager': 'SecretsManager',
  'parameter-store': 'ParameterStore',
};

/**
 * The cluster's ConfigMaps (named by the model; their keys are not in it, so they are written empty, to be filled
 * by whoever owns the values) and its Secrets as ExternalSecret objects where a secrets store syncs them with
 * the External Secrets Operator, through a ClusterSecretStore for that store. Never a secret value.
 */
export function configObjects(
  model: Topology,
  cluster: KubernetesCluster,
  namespaceOf: (declared: string | undefined) => string,
): ConfigResult {
  const manifests: Manifest[] = [];
  const refusals: ConfigResult['refusals'] = [];
  // Names are the model's as written (workloads reference them in env and volumes); a name the API would reject is refused.
  const invalid = (kind: string, name: string, namespace: string) => {
    if (isDnsSubdomain(name) && isDnsLabel(namespace)) return false;
    refusals.push({
      component: cluster.id,
      message: `${cluster.id}: ${kind} ${JSON.stringify(name)} in namespace ${JSON.stringify(namespace)} has a name the API rejects (lowercase DNS names only).`,
      hint: `rename the ${kind}`,
    });
    return true;
  };
  for (const entry of cluster.configMaps ?? []) {
    const namespace = namespaceOf(entry.namespace);
    if (invalid('ConfigMap', entry.name, namespace)) continue;
    const configMap: V1ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: entry.name,
        namespace,
        ...(entry.description ? { annotations: { 'kubernetes.io/description': entry.description } } : {}),
      },
    };
    manifests.push({ component: cluster.id, file: `${namespace}/config.yaml`, object: configMap });
  }
  const stores = model.components.filter(
    (c): c is Secrets =>
      c.kind === 'secrets' && c.syncTo?.operator === 'external-secrets' && c.syncTo.clusters.includes(cluster.id),
  );
  const secrets = cluster.secrets ?? [];
  if (secrets.length === 0 || stores.length === 0) return { manifests, refusals };
  if (stores.length > 1) {
    refusals.push({
      component: cluster.id,
      message: `${cluster.id}: ${stores.map((s) => s.id).join(' and ')} both sync secrets into it; which one holds ${secrets.map((s) => s.name).join(', ')} is not in the model.`,
      hint: 'keep one store syncing to the cluster',
    });
    return { manifests, refusals };
  }
  const store = stores[0] as Secrets;
  const service = awsServices[store.provider];
  const region = model.regions.find(
    (r) =>
      r.id ===
      (store.placement === 'global' ? undefined : 'region' in store.placement ? store.placement.region : undefined),
  );
  if (!service || !region) {
    refusals.push({
      component: store.id,
      message: `${store.id} (${store.provider}) syncs into ${cluster.id}, but the model lacks what the External Secrets provider needs${region ? '' : ' (the store has no region)'}.`,
      hint: 'sync from AWS Secrets Manager or Parameter Store placed in a region',
    });
    return { manifests, refusals };
  }
  const storeName = objectName(store.id);
  const clusterStore: ExternalSecretsObject = {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    metadata: { name: storeName },
    spec: { provider: { aws: { service, region: region.code } } },
  };
  manifests.push({ component: store.id, file: 'secret-stores.yaml', object: clusterStore });
  for (const secret of secrets) {
    const namespace = namespaceOf(secret.namespace);
    if (invalid('Secret', secret.name, namespace)) continue;
    const external: ExternalSecretsObject = {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: {
        name: secret.name,
        namespace,
        ...(secret.description ? { annotations: { 'kubernetes.io/description': secret.description } } : {}),
      },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { kind: 'ClusterSecretStore', name: storeName },
        target: { name: secret.name, creationPolicy: 'Owner' },
        // The store's secret of the same name, every key of it.
        dataFrom: [{ extract: { key: secret.name } }],
      },
    };
    manifests.push({ component: store.id, file: `${namespace}/config.yaml`, object: external });
  }
  return { manifests, refusals };
}
