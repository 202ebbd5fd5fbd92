import { z } from 'zod';
import { issueParams } from '../errors.ts';
import { componentKind as kind, ref } from './common.ts';
import { ResilienceSchema } from './resilience.ts';

// The API server's own rules for a toleration (core/v1 validation, ValidateTolerations): a toleration with no key
// matches every taint and must say so with `Exists`; `Exists` matches any value, so it takes none. A manifest that
// breaks either is rejected at apply time, after `meridian check` has passed the design.
const TolerationSchema = z
  .strictObject({
    key: z.string().optional(),
    operator: z.enum(['Equal', 'Exists']).default('Equal'),
    value: z.string().optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  })
  .refine((t) => t.operator === 'Exists' || (t.key ?? '') !== '', {
    path: ['operator'],
    message: 'a toleration with no key tolerates every taint and must use operator Exists',
    params: issueParams('invalid-value', { hint: "add the taint's key, or write operator: Exists" }),
  })
  .refine((t) => t.operator === 'Equal' || t.value === undefined, {
    path: ['value'],
    message: 'operator Exists matches any value, so a toleration with it takes no value',
    params: issueParams('invalid-value', { hint: 'remove value, or write operator: Equal' }),
  });

/**
 * Where the pods of an in-cluster component other than a workload may land (a Prometheus, an operator, an nginx
 * ingress controller): the same nodeSelector and tolerations a workload declares, optional because most designs
 * leave them to the chart's defaults.
 */
export const podPlacementFields = {
  nodeSelector: z.record(z.string(), z.string()).optional(),
  tolerations: z.array(TolerationSchema).optional(),
};

/** The Kubernetes kinds: a cluster with its node groups, the workloads placed in it, and its ingress. */

/** A Kubernetes Ingress (controller plus routing rules) inside a cluster. */
export const IngressSchema = kind('ingress', {
  className: z.enum(['alb', 'nginx', 'istio', 'traefik', 'gce', 'contour', 'envoy']),
  rules: z
    .array(
      z.strictObject({
        host: z.string().optional(),
        path: z.string().default('/'),
        backend: ref(),
        port: z.number().int().optional(),
      }),
    )
    .default([]),
  tls: z.boolean().optional(),
  ...podPlacementFields,
});

const TaintSchema = z.strictObject({
  key: z.string(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
});

const NodeGroupSchema = z
  .strictObject({
    name: z.string().min(1),
    description: z.string().optional().describe('What runs on it, e.g. "CPU-bound workloads like ML inference".'),
    instanceTypes: z
      .array(z.string().min(1))
      .default([])
      .describe('Empty when the design does not name them (nexora\'s "Minimal DR Cluster, 1 AZ, 3 nodes").'),
    min: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Absent when the design does not size the group (hld-global section 2.1).'),
    max: z.number().int().positive().optional(),
    desired: z.number().int().nonnegative().optional(),
    capacityType: z.enum(['on-demand', 'spot']).default('on-demand'),
    zones: z.array(z.string()).optional(),
    labels: z.record(z.string(), z.string()).default({}),
    taints: z.array(TaintSchema).default([]),
    maxUnavailablePercent: z.number().min(0).max(100).optional(),
  })
  .refine((group) => group.min === undefined || group.max === undefined || group.min <= group.max, {
    path: ['max'],
    message: 'max is below min',
    params: issueParams('invalid-range', { hint: 'make max at least min' }),
  });

// Kubernetes resource quantities ("Resource units in Kubernetes"): cpu "250m" or 2; memory "512Mi", "2Gi".
const QuantitySchema = z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/)]);
const ResourceListSchema = z.strictObject({ cpu: QuantitySchema.optional(), memory: QuantitySchema.optional() });

// Pod Security Standards levels (Kubernetes docs, "Pod Security Admission": pod-security.kubernetes.io/<mode> labels).
const PodSecurityLevelSchema = z.enum(['privileged', 'baseline', 'restricted']);

const LimitRangeItemSchema = z.strictObject({
  type: z.enum(['Container', 'Pod', 'PersistentVolumeClaim']).default('Container'),
  default: ResourceListSchema.optional(),
  defaultRequest: ResourceListSchema.optional(),
  min: ResourceListSchema.optional(),
  max: ResourceListSchema.optional(),
});

const NamespaceSchema = z.strictObject({
  name: z.string().min(1),
  labels: z.record(z.string(), z.string()).optional(),
  resourceQuota: z
    .strictObject({
      // ResourceQuota `spec.hard` keys are resource names (requests.cpu, limits.memory, pods, count/...): open by design.
      hard: z.record(z.string(), QuantitySchema),
    })
    .optional(),
  limitRange: z.strictObject({ limits: z.array(LimitRangeItemSchema).min(1) }).optional(),
  podSecurity: z
    .strictObject({
      enforce: PodSecurityLevelSchema.optional(),
      audit: PodSecurityLevelSchema.optional(),
      warn: PodSecurityLevelSchema.optional(),
    })
    .optional(),
  istioInjection: z.boolean().optional().describe('The `istio-injection: enabled|disabled` namespace label.'),
});

// Cluster Autoscaler flags (kubernetes/autoscaler FAQ, "What are the parameters to CA?").
const AutoscalerKindSchema = z.enum(['cluster-autoscaler', 'karpenter', 'gke-autopilot']);
const AutoscalerSchema = z.union([
  AutoscalerKindSchema,
  z.strictObject({
    kind: AutoscalerKindSchema,
    version: z.string().optional(),
    expander: z.enum(['random', 'most-pods', 'least-waste', 'price', 'priority', 'grpc']).optional(),
    scaleDownUtilizationThreshold: z.number().min(0).max(1).optional(),
    scaleDownDelayAfterAddMinutes: z.number().nonnegative().optional(),
    scaleDownUnneededMinutes: z.number().nonnegative().optional(),
    balanceSimilarNodeGroups: z.boolean().optional(),
    env: z.record(z.string(), z.string()).optional(),
  }),
]);

/** A managed (or self-managed) Kubernetes cluster with its node groups. */
export const KubernetesClusterSchema = kind('kubernetesCluster', {
  distribution: z.enum(['eks', 'gke', 'aks', 'self-managed']).default('eks'),
  version: z.string().optional(),
  endpointAccess: z.enum(['public', 'private', 'both']).optional(),
  publicAccessCidrs: z.array(z.string()).optional(),
  nodeGroups: z.array(NodeGroupSchema).default([]),
  serviceMesh: z
    .strictObject({ provider: z.enum(['istio', 'linkerd', 'cilium']), mtls: z.boolean().optional() })
    .optional(),
  autoscaler: AutoscalerSchema.optional().describe('The autoscaler, by kind, or with its flags.'),
  namespaces: z.array(NamespaceSchema).optional(),
  configMaps: z
    .array(
      z.strictObject({ name: z.string().min(1), namespace: z.string().optional(), description: z.string().optional() }),
    )
    .optional()
    .describe('ConfigMaps the design names (tv-voting `app-config`); workloads read their keys through `env`.'),
  secrets: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        namespace: z.string().optional(),
        description: z.string().optional(),
      }),
    )
    .optional()
    .describe(
      "Kubernetes Secrets the design names (tv-voting `db-credentials`); a store's `syncTo` says who fills them.",
    ),
  secretsEncryption: z.boolean().optional(),
  logTypes: z.array(z.string()).optional(),
});

const ProbeSchema = z.strictObject({
  type: z.enum(['http', 'tcp', 'grpc', 'exec']).default('http'),
  path: z.string().optional(),
  port: z.number().int().optional(),
  initialDelaySeconds: z.number().int().nonnegative().optional(),
  periodSeconds: z.number().int().positive().optional(),
  timeoutSeconds: z.number().int().positive().optional(),
  failureThreshold: z.number().int().positive().optional(),
});

const PortSchema = z
  .union([
    z.number().int().min(1).max(65535),
    z.strictObject({
      port: z.number().int().min(1).max(65535),
      name: z.string().optional(),
      protocol: z.enum(['TCP', 'UDP']).optional(),
    }),
  ])
  .transform((value) => (typeof value === 'number' ? { port: value } : value));

const EnvValueSchema = z.union([
  z.string(),
  z.strictObject({ secretRef: z.strictObject({ name: z.string(), key: z.string() }) }),
  z.strictObject({ configMapRef: z.strictObject({ name: z.string(), key: z.string() }) }),
]);

const IntOrPercentSchema = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+%$/)]);

/** A Kubernetes workload (Deployment, StatefulSet, DaemonSet); placed in a cluster with `placement: { cluster }`. */
export const WorkloadSchema = kind('workload', {
  workloadKind: z.enum(['deployment', 'statefulset', 'daemonset']).default('deployment'),
  namespace: z.string().optional(),
  image: z
    .string()
    .min(1)
    .optional()
    .describe('Container image; absent when the design names none (tv-voting, aragora), so no tag can be judged.'),
  ports: z.array(PortSchema).default([]),
  resources: z
    .strictObject({ requests: ResourceListSchema.optional(), limits: ResourceListSchema.optional() })
    .optional(),
  probes: z
    .strictObject({
      liveness: ProbeSchema.optional(),
      readiness: ProbeSchema.optional(),
      startup: ProbeSchema.optional(),
    })
    .optional(),
  nodeSelector: z.record(z.string(), z.string()).optional(),
  tolerations: z.array(TolerationSchema).default([]),
  rolloutOf: ref('workload')
    .optional()
    .describe(
      'The Deployment whose pods and Service this progressive-delivery rollout (Argo Rollouts workloadRef, Flagger) takes over: traffic to that Deployment reaches this one.',
    ),
  hpa: z
    .strictObject({
      metrics: z
        .array(
          z.strictObject({
            type: z.enum(['cpu', 'memory', 'custom']),
            target: z
              .number()
              .positive()
              .optional()
              .describe(
                'Utilization % for cpu/memory, average value per pod for custom; absent when not stated (tv-voting).',
              ),
            name: z.string().optional().describe('Metric name, for custom metrics.'),
          }),
        )
        .min(1),
      scaleUpStabilizationSeconds: z.number().int().nonnegative().optional(),
      scaleDownStabilizationSeconds: z.number().int().nonnegative().optional(),
    })
    .optional(),
  vpa: z.strictObject({ mode: z.enum(['Off', 'Initial', 'Recreate', 'Auto']) }).optional(),
  pdb: z
    .union([
      z.strictObject({ minAvailable: IntOrPercentSchema }),
      z.strictObject({ maxUnavailable: IntOrPercentSchema }),
    ])
    .optional(),
  strategy: z
    .strictObject({
      type: z.enum(['rolling-update', 'recreate', 'blue-green', 'canary']),
      maxSurge: IntOrPercentSchema.optional(),
      maxUnavailable: IntOrPercentSchema.optional(),
    })
    .optional(),
  storage: z.strictObject({ size: z.string(), storageClass: z.string().optional() }).optional(),
  env: z.record(z.string(), EnvValueSchema).default({}),
  service: z
    .strictObject({
      name: z
        .string()
        .min(1)
        .optional()
        .describe('The Service name, when it differs from the workload (tv-voting `auth-svc`).'),
      type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'Headless']).default('ClusterIP'),
      port: z.number().int().min(1).max(65535).optional(),
    })
    .optional()
    .describe('The Kubernetes Service in front of the pods.'),
  securityContext: z
    .strictObject({
      runAsNonRoot: z.boolean().optional(),
      runAsUser: z.number().int().nonnegative().optional(),
      runAsGroup: z.number().int().nonnegative().optional(),
      fsGroup: z.number().int().nonnegative().optional(),
      readOnlyRootFilesystem: z.boolean().optional(),
      allowPrivilegeEscalation: z.boolean().optional(),
      privileged: z.boolean().optional(),
    })
    .optional(),
  volumes: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        mountPath: z.string().min(1),
        readOnly: z.boolean().optional(),
        source: z.enum(['hostPath', 'configMap', 'secret', 'emptyDir', 'persistentVolumeClaim']),
        from: z.string().optional().describe('The host path, ConfigMap, Secret or claim name the volume comes from.'),
      }),
    )
    .optional(),
  resilience: ResilienceSchema.optional(),
});
