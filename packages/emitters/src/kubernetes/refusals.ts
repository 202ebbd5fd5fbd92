import {
  check,
  type Finding,
  type KubernetesCluster,
  podSecurityLevels,
  podSecurityViolations,
  type Topology,
  type Workload,
} from '@meridian/topology';
import { isDnsLabel, objectName } from './names.ts';
import { scheduleOf } from './scheduling.ts';

/** Why the emitter writes no manifest for a component, in the words of the finding that stops it. */
export interface Refusal {
  /** The component refused. */
  readonly component: string;
  /** The checker rule whose finding this is (`security`, `autoscaling`), or `emit` for the emitter's own reasons. */
  readonly rule: string;
  readonly message: string;
  readonly hint: string;
}

function findingFor(findings: readonly Finding[], rule: string, component: string): Finding | undefined {
  return findings.find((f) => f.rule === rule && f.components[0] === component);
}

/**
 * Every workload of `cluster` the emitter must refuse instead of writing a manifest the API server would reject
 * or that could not run as the model says: pods the namespace's Pod Security Standard forbids (the `security`
 * finding), an HPA and an Auto/Recreate VPA on the same resource (the `autoscaling` finding), no image, pods that
 * fit no node group, probes and HPA metrics the model leaves incomplete. The first reason a workload has wins.
 */
export function refusalsOf(
  model: Topology,
  cluster: KubernetesCluster,
  workloads: readonly Workload[],
  namespaceOf: (workload: Workload) => string,
): Map<string, Refusal> {
  const findings = check(model, { rules: ['security', 'autoscaling'], explain: false }).findings;
  const refusals = new Map<string, Refusal>();
  const refuse = (workload: Workload, rule: string, message: string, hint: string) => {
    if (!refusals.has(workload.id)) refusals.set(workload.id, { component: workload.id, rule, message, hint });
  };
  for (const workload of workloads) {
    if (!isDnsLabel(namespaceOf(workload)))
      refuse(
        workload,
        'emit',
        `${workload.id}: namespace ${JSON.stringify(namespaceOf(workload))} is not a valid namespace name (a DNS-1123 label: lowercase letters, digits and '-', at most 63).`,
        'rename the namespace',
      );
    const level = podSecurityLevels(cluster, workload.namespace ?? '').enforce;
    const violations = podSecurityViolations(workload, level);
    if (violations.length > 0) {
      // A suppression in the model silences the checker, not the API server: the workload is refused either way.
      const finding = findingFor(findings, 'security', workload.id);
      refuse(
        workload,
        'security',
        finding?.message ??
          `${workload.id} asks for ${violations.join(', ')}, which namespace ${namespaceOf(workload)} forbids (Pod Security Standard ${level}).`,
        finding?.hint ?? 'drop it, or lower the namespace podSecurity.enforce',
      );
    }
    const vpaMode = workload.vpa?.mode;
    const hpaResources = (workload.hpa?.metrics ?? []).filter((m) => m.type === 'cpu' || m.type === 'memory');
    if ((vpaMode === 'Auto' || vpaMode === 'Recreate') && hpaResources.length > 0) {
      const finding = findingFor(findings, 'autoscaling', workload.id);
      refuse(
        workload,
        'autoscaling',
        finding?.message ??
          `${workload.id} has an HPA on ${hpaResources.map((m) => m.type).join(', ')} and a VPA in ${vpaMode} mode.`,
        finding?.hint ?? 'set the VPA to Off or Initial, or scale the HPA on a custom metric only',
      );
    }
    if (workload.image === undefined)
      refuse(
        workload,
        'emit',
        `${workload.id} names no image: a pod template without one is rejected, and any image the emitter chose would be a guess.`,
        `give ${objectName(workload.id)} an image (a version tag or a digest)`,
      );
    const schedule = scheduleOf(cluster, workload);
    if (schedule.unschedulable)
      refuse(
        workload,
        'emit',
        `${workload.id} fits no node group of ${cluster.id}: ${schedule.unschedulable}.`,
        'give it a nodeSelector for the node group it should run on (the emitter then tolerates that group’s taints) or add the tolerations',
      );
    for (const [name, probe] of Object.entries(workload.probes ?? {})) {
      if (probe === undefined) continue;
      if (probe.type === 'exec')
        refuse(
          workload,
          'emit',
          `${workload.id}: the ${name} probe is exec, and the model has no command for it.`,
          'use an http, tcp or grpc probe',
        );
      else if (probe.port === undefined && workload.ports.length === 0)
        refuse(
          workload,
          'emit',
          `${workload.id}: the ${name} probe names no port and the workload declares none.`,
          `give the probe a port or the workload ports`,
        );
    }
    for (const metric of workload.hpa?.metrics ?? []) {
      // autoscaling/v1 defaults CPU to 80% (HorizontalPodAutoscalerSpec.targetCPUUtilizationPercentage); memory and
      // custom metrics have no default.
      if (metric.target === undefined && metric.type !== 'cpu')
        refuse(
          workload,
          'emit',
          `${workload.id}: the HPA scales on ${metric.type === 'custom' ? (metric.name ?? 'a custom metric') : metric.type} with no target.`,
          'give the metric a target (utilization % for memory, a per-pod value for custom metrics)',
        );
      if (metric.type === 'custom' && metric.name === undefined)
        refuse(workload, 'emit', `${workload.id}: the HPA has a custom metric with no name.`, 'name the metric');
    }
    if (workload.hpa && workload.replicas === undefined)
      refuse(
        workload,
        'emit',
        `${workload.id} has an HPA but no replicas: an HPA needs its maximum.`,
        'give replicas: { min, max }',
      );
    if (workload.strategy?.type === 'blue-green' || workload.strategy?.type === 'canary')
      refuse(
        workload,
        'emit',
        `${workload.id} deploys ${workload.strategy.type}, which a Deployment cannot do (it needs a progressive-delivery controller such as Argo Rollouts).`,
        'use rolling-update or recreate, or manage it with the rollout controller’s own objects',
      );
    if (
      workload.service &&
      workload.service.type !== 'Headless' &&
      workload.service.port === undefined &&
      workload.ports.length === 0
    )
      refuse(
        workload,
        'emit',
        `${workload.id} asks for a ${workload.service.type} Service but names no port: the API server rejects a Service without ports.`,
        'give the workload its ports or the service its port',
      );
    if (workload.hpa && workload.replicas?.min === 0)
      refuse(
        workload,
        'emit',
        `${workload.id} has an HPA from 0 replicas: an HPA scales to zero only behind the HPAScaleToZero alpha feature gate.`,
        'start the range at 1, or scale to zero with an event-driven autoscaler',
      );
    if (workload.hpa && workload.workloadKind === 'daemonset')
      refuse(
        workload,
        'emit',
        `${workload.id} is a DaemonSet with an HPA: a DaemonSet runs one pod per node and cannot be scaled.`,
        'drop the hpa',
      );
  }
  return refusals;
}
