import type {
  KubernetesObject,
  V1PodDisruptionBudget,
  V2HorizontalPodAutoscaler,
  V2MetricSpec,
} from '@kubernetes/client-node';
import type { Topology, Workload } from '@meridian/topology';
import type { Manifest } from './manifest.ts';
import { objectLabels, objectName, selectorLabels } from './names.ts';

// autoscaling/v1's default target (HorizontalPodAutoscalerSpec.targetCPUUtilizationPercentage: 80).
const defaultCpuUtilization = 80;

const kindOf = { deployment: 'Deployment', statefulset: 'StatefulSet', daemonset: 'DaemonSet' } as const;

/** A VerticalPodAutoscaler (autoscaling.k8s.io/v1, the Kubernetes autoscaler project's CRD): not in the core API. */
interface VerticalPodAutoscaler extends KubernetesObject {
  readonly apiVersion: 'autoscaling.k8s.io/v1';
  readonly kind: 'VerticalPodAutoscaler';
  readonly spec: {
    readonly targetRef: { readonly apiVersion: string; readonly kind: string; readonly name: string };
    readonly updatePolicy: { readonly updateMode: 'Off' | 'Initial' | 'Recreate' | 'Auto' };
  };
}

function metricOf(metric: NonNullable<Workload['hpa']>['metrics'][number]): V2MetricSpec {
  if (metric.type === 'custom')
    return {
      type: 'Pods',
      pods: {
        metric: { name: metric.name ?? '' },
        target: { type: 'AverageValue', averageValue: String(metric.target) },
      },
    };
  return {
    type: 'Resource',
    resource: {
      name: metric.type,
      target: { type: 'Utilization', averageUtilization: Math.round(metric.target ?? defaultCpuUtilization) },
    },
  };
}

/**
 * The autoscaling objects of a workload: an autoscaling/v2 HPA where the model gives one (bounds from its
 * replicas), a VPA where the model asks (refusals keep Auto/Recreate away from the HPA's resources), and a
 * PodDisruptionBudget for every Deployment or StatefulSet that runs more than one pod (the model's, else
 * `maxUnavailable: 1`). Each targets the workload emitted beside it.
 */
export function autoscalingObjects(model: Topology, workload: Workload, namespace: string, file: string): Manifest[] {
  const name = objectName(workload.id);
  const metadata = { name, namespace, labels: objectLabels(model, workload) };
  const target = { apiVersion: 'apps/v1', kind: kindOf[workload.workloadKind], name };
  const manifests: Manifest[] = [];
  const add = (object: KubernetesObject) => manifests.push({ component: workload.id, file, object });
  if (workload.hpa && workload.replicas) {
    const { scaleUpStabilizationSeconds: up, scaleDownStabilizationSeconds: down } = workload.hpa;
    const hpa: V2HorizontalPodAutoscaler = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata,
      spec: {
        scaleTargetRef: target,
        // Refusals keep min at 1 or more: 0 needs the HPAScaleToZero alpha gate.
        minReplicas: workload.replicas.min,
        maxReplicas: workload.replicas.max,
        metrics: workload.hpa.metrics.map(metricOf),
        ...(up !== undefined || down !== undefined
          ? {
              behavior: {
                ...(down !== undefined ? { scaleDown: { stabilizationWindowSeconds: down } } : {}),
                ...(up !== undefined ? { scaleUp: { stabilizationWindowSeconds: up } } : {}),
              },
            }
          : {}),
      },
    };
    add(hpa);
  }
  if (workload.vpa) {
    const vpa: VerticalPodAutoscaler = {
      apiVersion: 'autoscaling.k8s.io/v1',
      kind: 'VerticalPodAutoscaler',
      metadata,
      spec: { targetRef: target, updatePolicy: { updateMode: workload.vpa.mode } },
    };
    add(vpa);
  }
  const runsSeveral = (workload.replicas?.min ?? 1) > 1;
  if (workload.workloadKind !== 'daemonset' && (runsSeveral || workload.pdb)) {
    const budget = workload.pdb ?? { maxUnavailable: 1 };
    const pdb: V1PodDisruptionBudget = {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata,
      spec: { ...budget, selector: { matchLabels: selectorLabels(model, workload) } },
    };
    add(pdb);
  }
  return manifests;
}
