import {
  type Component,
  type Ingress,
  type KubernetesCluster,
  placementOf,
  type Topology,
  traitsOf,
  type Workload,
} from '@meridian/topology';
import { autoscalingObjects } from './autoscaling.ts';
import { configObjects } from './config.ts';
import { ingressObject } from './ingress.ts';
import type { Manifest } from './manifest.ts';
import { defaultNamespace, dnsLabel, isDnsLabel, namespaceOf, selectorLabels } from './names.ts';
import { namespaceObjects } from './namespaces.ts';
import { networkPolicies, operatorPods, type PodGroup } from './network-policy.ts';
import { type Refusal, refusalsOf } from './refusals.ts';
import { portsOf, workloadObjects } from './workloads.ts';

/** The objects of one cluster, and the components the emitter refused there. */
export interface ClusterManifests {
  /** The cluster component's id, e.g. `us-east-1/eks`; its folder in the output. */
  readonly cluster: string;
  readonly manifests: readonly Manifest[];
  readonly refused: readonly Refusal[];
}

/**
 * Every Kubernetes cluster of the model with the objects it needs: namespaces, workloads with their Services,
 * autoscalers and budgets, ingresses, config, and network policies from the flows. Clusters the model puts
 * nothing in (no workload, namespace or config) are left out. Refused components are listed, never emitted.
 */
export function toKubernetes(model: Topology): ClusterManifests[] {
  const clusters = model.components.filter(
    (c): c is KubernetesCluster => c.kind === 'kubernetesCluster' && traitsOf(c.kind).kubernetes === 'cluster',
  );
  return clusters
    .map((cluster) => clusterManifests(model, cluster))
    .filter((c) => c.manifests.length > 0 || c.refused.length > 0)
    .sort((a, b) => a.cluster.localeCompare(b.cluster));
}

function clusterManifests(model: Topology, cluster: KubernetesCluster): ClusterManifests {
  const inCluster = model.components.filter((c) => placementOf(model, c).cluster === cluster.id);
  const workloads = inCluster.filter((c): c is Workload => c.kind === 'workload');
  const ingresses = inCluster.filter((c): c is Ingress => c.kind === 'ingress');
  // Components the model runs in the cluster through an operator (CloudNativePG, Prometheus): pods, no workload.
  const operated = inCluster.filter((c) => traitsOf(c.kind).runsPods && traitsOf(c.kind).kubernetes === undefined);
  const zones = placementOf(model, cluster).zones;
  const nsOf = (component: Component) => namespaceOf(model, component);
  const refusals = refusalsOf(model, cluster, workloads, nsOf);
  const refused: Refusal[] = [...refusals.values()];

  const manifests: Manifest[] = [];
  const accepted = workloads.filter((w) => !refusals.has(w.id));
  for (const workload of accepted) {
    const namespace = nsOf(workload);
    const file = `${namespace}/${dnsLabel(workload.id.slice(workload.id.lastIndexOf('/') + 1))}.yaml`;
    manifests.push(...workloadObjects(model, cluster, workload, namespace, zones, file));
    manifests.push(...autoscalingObjects(model, workload, namespace, file));
  }
  const acceptedById = new Map(accepted.map((w) => [w.id, w]));
  for (const ingress of ingresses) {
    const result = ingressObject(model, cluster, ingress, (id) => {
      const workload = acceptedById.get(id);
      return workload ? { workload, namespace: nsOf(workload) } : undefined;
    });
    if ('manifest' in result) manifests.push(result.manifest);
    else refused.push({ component: ingress.id, rule: 'emit', message: result.refusal, hint: result.hint });
  }
  const config = configObjects(model, cluster, (declared) => declared ?? defaultNamespace(model));
  manifests.push(...config.manifests);
  for (const r of config.refusals) refused.push({ ...r, rule: 'emit' });

  const pods: PodGroup[] = [
    ...accepted.map((w) => ({
      component: w.id,
      namespace: nsOf(w),
      labels: selectorLabels(model, w),
      ports: portsOf(w).map((p) => ({ port: p.port, protocol: p.protocol })),
    })),
    ...operated.map((c) => operatorPods(model, c, nsOf(c))),
  ];
  const namespaces = new Set<string>([
    ...(cluster.namespaces ?? []).map((n) => n.name),
    ...pods.map((p) => p.namespace),
    ...manifests.map((m) => m.object.metadata?.namespace).filter((n): n is string => n !== undefined),
  ]);
  for (const name of namespaces)
    if (!isDnsLabel(name)) {
      namespaces.delete(name);
      refused.push({
        component: cluster.id,
        rule: 'emit',
        message: `${cluster.id}: namespace ${JSON.stringify(name)} is not a valid namespace name (a DNS-1123 label).`,
        hint: 'rename the namespace',
      });
    }
  const ordered = [...namespaces].sort();
  const namespaceManifests = ordered.flatMap((name) => namespaceObjects(model, cluster, name));
  // Pods in a namespace the API would reject run nowhere: like refused workloads, their flows get no rule.
  const placed = pods.filter((p) => namespaces.has(p.namespace));
  const unplaced = pods.filter((p) => !namespaces.has(p.namespace)).map((p) => p.component);
  const policies = ordered.length
    ? networkPolicies({
        model,
        cluster,
        pods: placed,
        refused: new Set([...refusals.keys(), ...unplaced]),
        namespaces: ordered,
      })
    : [];
  return {
    cluster: cluster.id,
    manifests: [...namespaceManifests, ...manifests, ...policies],
    refused: refused.sort((a, b) => a.component.localeCompare(b.component)),
  };
}
