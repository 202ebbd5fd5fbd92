import type { V1Toleration, V1TopologySpreadConstraint } from '@kubernetes/client-node';
import type { KubernetesCluster, NodeGroup, Workload } from '@meridian/topology';

type Taint = NodeGroup['taints'][number];
type ModelToleration = Workload['tolerations'][number];

/** Where a workload's pods can run: the tolerations they carry, and why they fit nowhere (undefined when they fit). */
export interface Schedule {
  readonly tolerations: readonly V1Toleration[];
  readonly unschedulable: string | undefined;
}

function tolerates(tolerations: readonly ModelToleration[], taint: Taint): boolean {
  return tolerations.some(
    (t) =>
      (t.key === undefined ? t.operator === 'Exists' : t.key === taint.key) &&
      (t.operator === 'Exists' || t.value === taint.value) &&
      (t.effect === undefined || t.effect === taint.effect),
  );
}

function selects(workload: Workload, group: NodeGroup): boolean {
  return Object.entries(workload.nodeSelector ?? {}).every(([key, value]) => group.labels[key] === value);
}

const tolerationKey = (t: ModelToleration) =>
  `${t.key ?? ''}\u0000${t.operator}\u0000${t.value ?? ''}\u0000${t.effect ?? ''}`;

/**
 * The tolerations a workload's pods need, and whether they then fit a node group. A taint keeps pods off nodes
 * unless they tolerate it; the emitter adds the tolerations the model states plus those its intent implies:
 * - a DaemonSet runs one pod on every node it selects (every node without a nodeSelector), so it tolerates the
 *   taints of every group it selects (orasi's agents, "one agent per node", on three tainted groups);
 * - a nodeSelector naming a tainted group says the pods belong there, so they tolerate that group's taints.
 * A Deployment or StatefulSet with no nodeSelector gets no toleration it was not given: where every group is
 * tainted it fits nowhere, and the emitter refuses it rather than pick a group.
 */
export function scheduleOf(cluster: KubernetesCluster, workload: Workload): Schedule {
  const own = workload.tolerations;
  const groups = cluster.nodeGroups;
  if (groups.length === 0) return { tolerations: own.map(toToleration), unschedulable: undefined };
  const selected = groups.filter((group) => selects(workload, group));
  if (selected.length === 0)
    return {
      tolerations: own.map(toToleration),
      unschedulable: `no node group has the labels ${Object.entries(workload.nodeSelector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
    };
  const implied =
    workload.workloadKind === 'daemonset' || workload.nodeSelector !== undefined
      ? selected.flatMap((group) => group.taints.filter((taint) => taint.effect !== 'PreferNoSchedule'))
      : [];
  const all = new Map<string, ModelToleration>();
  for (const toleration of own) all.set(tolerationKey(toleration), toleration);
  for (const taint of implied) {
    if (tolerates([...all.values()], taint)) continue;
    const toleration: ModelToleration = {
      key: taint.key,
      operator: 'Equal',
      ...(taint.value !== undefined ? { value: taint.value } : { operator: 'Exists' as const }),
      effect: taint.effect,
    };
    all.set(tolerationKey(toleration), toleration);
  }
  const tolerations = [...all.values()];
  const fits = selected.filter((group) =>
    group.taints.every((taint) => taint.effect === 'PreferNoSchedule' || tolerates(tolerations, taint)),
  );
  return {
    tolerations: tolerations.map(toToleration).sort((a, b) => tolerationKeyOf(a).localeCompare(tolerationKeyOf(b))),
    unschedulable:
      fits.length > 0
        ? undefined
        : selected
            .map(
              (group) =>
                `node group ${group.name} is tainted ${group.taints
                  .filter((t) => t.effect !== 'PreferNoSchedule')
                  .map((t) => `${t.key}${t.value === undefined ? '' : `=${t.value}`}:${t.effect}`)
                  .join(', ')} and the workload neither tolerates nor selects it`,
            )
            .join('; '),
  };
}

function toToleration(t: ModelToleration): V1Toleration {
  return {
    ...(t.key !== undefined ? { key: t.key } : {}),
    operator: t.operator,
    ...(t.value !== undefined && t.operator === 'Equal' ? { value: t.value } : {}),
    ...(t.effect !== undefined ? { effect: t.effect } : {}),
  };
}

const tolerationKeyOf = (t: V1Toleration) => `${t.key ?? ''}\u0000${t.value ?? ''}\u0000${t.effect ?? ''}`;

/**
 * Spread a workload's pods across the cluster's zones (and nodes), skew 1. `ScheduleAnyway`: a zone short of
 * capacity delays nothing; the model does not say the node groups can hold every replica in every zone.
 */
export function topologySpread(
  zones: readonly string[],
  selector: Record<string, string>,
): V1TopologySpreadConstraint[] | undefined {
  if (zones.length < 2) return undefined;
  return [
    {
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: selector },
    },
    {
      maxSkew: 1,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: selector },
    },
  ];
}
