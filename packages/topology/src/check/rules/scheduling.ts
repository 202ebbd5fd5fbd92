import { keepsLocalState, podPlacement, runsPods } from '../../model/behaviour.ts';
import type { Component, KubernetesCluster, NodeGroup, Workload } from '../../model/schema.ts';
import { instanceSize, parseCpu, parseMemoryGiB } from '../instance-types.ts';
import type { Rule, RuleFinding } from '../rule.ts';

type Toleration = Workload['tolerations'][number];

function tolerates(tolerations: readonly Toleration[], taint: NodeGroup['taints'][number]): boolean {
  return tolerations.some(
    (t) =>
      // No key (or an empty one, as the API server reads it) with Exists tolerates every taint.
      ((t.key ?? '') === '' ? t.operator === 'Exists' : t.key === taint.key) &&
      (t.operator === 'Exists' || t.value === taint.value) &&
      (t.effect === undefined || t.effect === taint.effect),
  );
}

/** Why a node group cannot take the component, or undefined when it can. */
function misfit(component: Component, group: NodeGroup): string | undefined {
  const workload = component.kind === 'workload' ? component : undefined;
  const { nodeSelector, tolerations } = podPlacement(component);
  for (const [key, value] of Object.entries(nodeSelector)) {
    if (group.labels[key] !== value) return `node group ${group.name} lacks label ${key}=${value}`;
  }
  for (const taint of group.taints) {
    if (taint.effect === 'PreferNoSchedule') continue;
    if (!tolerates(tolerations, taint))
      return `node group ${group.name} is tainted ${taint.key}${taint.value === undefined ? '' : `=${taint.value}`}:${taint.effect} with no toleration`;
  }
  const sizes = group.instanceTypes.map(instanceSize).filter((s) => s !== undefined);
  if (!workload || sizes.length === 0 || sizes.length < group.instanceTypes.length) return undefined;
  const cpu = parseCpu(workload.resources?.requests?.cpu);
  const memory = parseMemoryGiB(workload.resources?.requests?.memory);
  const largest = {
    vcpu: Math.max(...sizes.map((s) => s.vcpu)),
    memoryGiB: Math.max(...sizes.map((s) => s.memoryGiB)),
  };
  if (cpu !== undefined && cpu > largest.vcpu)
    return `a pod requests ${cpu} CPU, more than ${group.name}'s largest instance (${largest.vcpu} vCPU)`;
  if (memory !== undefined && memory > largest.memoryGiB)
    return `a pod requests ${memory} GiB, more than ${group.name}'s largest instance (${largest.memoryGiB} GiB)`;
  const replicas = workload.replicas?.max;
  // A group without a stated max has no known ceiling: judging it would invent capacity.
  if (replicas !== undefined && group.max !== undefined && workload.workloadKind !== 'daemonset') {
    if (cpu !== undefined && replicas * cpu > group.max * largest.vcpu)
      return `${replicas} replicas x ${cpu} CPU = ${replicas * cpu} CPU exceeds ${group.name} at its max (${group.max} x ${largest.vcpu} vCPU = ${group.max * largest.vcpu})`;
    if (memory !== undefined && replicas * memory > group.max * largest.memoryGiB)
      return `${replicas} replicas x ${memory} GiB exceeds ${group.name} at its max (${group.max} x ${largest.memoryGiB} GiB)`;
  }
  return undefined;
}

/**
 * `scheduling`: a pod that fits no node group of its cluster (nodeSelector labels, NoSchedule/NoExecute taints
 * without a toleration, requests above the largest instance, max replicas x requests above the group at its max),
 * and stateful components that can be scheduled on spot capacity.
 */
export const scheduling: Rule = {
  id: 'scheduling',
  description:
    'Workloads that fit no node group (labels, taints, requests, max replicas) and stateful workloads that can land on spot capacity.',
  defaultSeverity: 'error',
  check(context) {
    const findings: RuleFinding[] = [];
    for (const component of context.components.values()) {
      const cluster: KubernetesCluster | undefined = context.clusterOf(component.id);
      // An Ingress served by a cloud load balancer (class alb, gce) has no pods to schedule.
      if (!cluster || cluster.nodeGroups.length === 0 || !runsPods(component)) continue;
      const reasons = cluster.nodeGroups.map((group) => ({ group, why: misfit(component, group) }));
      const fitting = reasons.filter((r) => r.why === undefined).map((r) => r.group);
      if (fitting.length === 0) {
        findings.push({
          message: `${component.id} fits no node group of ${cluster.id}: ${reasons.map((r) => r.why).join('; ')}.`,
          hint: 'add the matching tolerations and nodeSelector, lower the requests, or add a node group that can run it',
          components: [component.id, cluster.id],
          location: context.locate(component.id),
          details: { cluster: cluster.id, reasons: Object.fromEntries(reasons.map((r) => [r.group.name, r.why])) },
        });
        continue;
      }
      const spot = fitting.filter((group) => group.capacityType === 'spot');
      if (spot.length > 0 && keepsLocalState(component)) {
        findings.push({
          message: `${component.id} is stateful but can be scheduled on spot capacity (${spot.map((g) => g.name).join(', ')}${spot.length === fitting.length ? ', the only node groups it fits' : ''}): a spot interruption evicts it with two minutes' notice.`,
          hint: `keep it off spot: taint ${spot.map((g) => g.name).join(', ')} (e.g. spot=true:NoSchedule) or give ${component.id} a nodeSelector for an on-demand group`,
          components: [component.id, cluster.id],
          location: context.locate(component.id),
          details: { cluster: cluster.id, spotGroups: spot.map((g) => g.name) },
        });
      }
    }
    return findings;
  },
};
