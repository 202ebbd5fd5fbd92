import type {
  V1Container,
  V1DaemonSet,
  V1Deployment,
  V1EnvVar,
  V1PodTemplateSpec,
  V1Probe,
  V1Service,
  V1ServiceAccount,
  V1StatefulSet,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import type { KubernetesCluster, Topology, Workload } from '@meridian/topology';
import type { Manifest } from './manifest.ts';
import { objectLabels, objectName, selectorLabels, sorted } from './names.ts';
import { quantity } from './namespaces.ts';
import { containerSecurityContext, hasReadOnlyRoot, podSecurityContext } from './pod-security.ts';
import { scheduleOf, topologySpread } from './scheduling.ts';

type ModelProbe = NonNullable<NonNullable<Workload['probes']>['liveness']>;

/** A container port of a workload, as the model declares it. */
export interface WorkloadPort {
  readonly port: number;
  readonly name: string;
  readonly protocol: 'TCP' | 'UDP';
}

/** The ports of a workload's container, each named (IANA_SVC_NAME: at most 15 characters). */
export function portsOf(workload: Workload): WorkloadPort[] {
  return workload.ports.map((p) => {
    const protocol = p.protocol ?? 'TCP';
    return { port: p.port, name: p.name ?? `${protocol.toLowerCase()}-${p.port}`, protocol };
  });
}

/** The name of the Service clients use for a workload: the model's `service.name`, else the workload's. */
export function serviceNameOf(workload: Workload): string {
  return workload.service?.name ?? objectName(workload.id);
}

/** True when the workload gets a Service clients reach it through (it has ports, or the model asks for one). */
export function hasService(workload: Workload): boolean {
  return workload.service !== undefined || workload.ports.length > 0;
}

/** The name of a StatefulSet's governing headless Service (its `serviceName`). */
function governingServiceOf(workload: Workload): string {
  const clientFacing = workload.service !== undefined && workload.service.type !== 'Headless';
  return clientFacing && serviceNameOf(workload) === objectName(workload.id)
    ? `${objectName(workload.id)}-headless`
    : workload.service?.type === 'Headless'
      ? serviceNameOf(workload)
      : objectName(workload.id);
}

function probe(model: ModelProbe, workload: Workload): V1Probe {
  // Refusals guarantee a port: the probe's own, else the workload's first.
  const port = model.port ?? workload.ports[0]?.port ?? 0;
  const action: V1Probe =
    model.type === 'tcp'
      ? { tcpSocket: { port } }
      : model.type === 'grpc'
        ? { grpc: { port } }
        : { httpGet: { path: model.path ?? '/', port } };
  return {
    ...action,
    ...(model.initialDelaySeconds !== undefined ? { initialDelaySeconds: model.initialDelaySeconds } : {}),
    ...(model.periodSeconds !== undefined ? { periodSeconds: model.periodSeconds } : {}),
    ...(model.timeoutSeconds !== undefined ? { timeoutSeconds: model.timeoutSeconds } : {}),
    ...(model.failureThreshold !== undefined ? { failureThreshold: model.failureThreshold } : {}),
  };
}

function envOf(workload: Workload): V1EnvVar[] | undefined {
  const entries = Object.entries(workload.env).sort(([a], [b]) => (a < b ? -1 : 1));
  if (entries.length === 0) return undefined;
  return entries.map(([name, value]): V1EnvVar => {
    if (typeof value === 'string') return { name, value };
    if ('secretRef' in value)
      return { name, valueFrom: { secretKeyRef: { name: value.secretRef.name, key: value.secretRef.key } } };
    return { name, valueFrom: { configMapKeyRef: { name: value.configMapRef.name, key: value.configMapRef.key } } };
  });
}

/** The mount path of a StatefulSet's claim: the model sizes the volume but does not say where it is mounted. */
const dataMountPath = '/data';

function volumesOf(workload: Workload): { volumes: V1Volume[]; mounts: V1VolumeMount[] } {
  const volumes: V1Volume[] = [];
  const mounts: V1VolumeMount[] = [];
  for (const v of workload.volumes ?? []) {
    const from = v.from ?? v.name;
    const source: V1Volume =
      v.source === 'hostPath'
        ? { name: v.name, hostPath: { path: from } }
        : v.source === 'configMap'
          ? { name: v.name, configMap: { name: from } }
          : v.source === 'secret'
            ? { name: v.name, secret: { secretName: from } }
            : v.source === 'persistentVolumeClaim'
              ? { name: v.name, persistentVolumeClaim: { claimName: from } }
              : { name: v.name, emptyDir: {} };
    volumes.push(source);
    mounts.push({
      name: v.name,
      mountPath: v.mountPath,
      ...(v.readOnly !== undefined ? { readOnly: v.readOnly } : {}),
    });
  }
  // A read-only root filesystem still needs somewhere to write temporary files.
  if (hasReadOnlyRoot(workload) && !mounts.some((m) => m.mountPath === '/tmp')) {
    volumes.push({ name: 'tmp', emptyDir: {} });
    mounts.push({ name: 'tmp', mountPath: '/tmp' });
  }
  if (workload.workloadKind === 'statefulset' && workload.storage)
    mounts.push({ name: 'data', mountPath: dataMountPath });
  return { volumes, mounts };
}

function podTemplate(
  model: Topology,
  cluster: KubernetesCluster,
  workload: Workload,
  zones: readonly string[],
): V1PodTemplateSpec {
  const name = objectName(workload.id);
  const selector = selectorLabels(model, workload);
  const { volumes, mounts } = volumesOf(workload);
  const ports = portsOf(workload);
  const requests = workload.resources?.requests;
  const limits = workload.resources?.limits;
  const resourceList = (list: typeof requests) => {
    const entries = Object.entries(list ?? {}).filter((e): e is [string, string | number] => e[1] !== undefined);
    return entries.length ? sorted(Object.fromEntries(entries.map(([k, v]) => [k, quantity(v)]))) : undefined;
  };
  const [requestList, limitList] = [resourceList(requests), resourceList(limits)];
  const env = envOf(workload);
  const container: V1Container = {
    name,
    image: workload.image ?? '',
    ...(ports.length
      ? { ports: ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol })) }
      : {}),
    ...(env ? { env } : {}),
    ...(requestList || limitList
      ? {
          resources: { ...(limitList ? { limits: limitList } : {}), ...(requestList ? { requests: requestList } : {}) },
        }
      : {}),
    ...(workload.probes?.startup ? { startupProbe: probe(workload.probes.startup, workload) } : {}),
    ...(workload.probes?.liveness ? { livenessProbe: probe(workload.probes.liveness, workload) } : {}),
    ...(workload.probes?.readiness ? { readinessProbe: probe(workload.probes.readiness, workload) } : {}),
    securityContext: containerSecurityContext(workload),
    ...(mounts.length ? { volumeMounts: mounts } : {}),
  };
  const schedule = scheduleOf(cluster, workload);
  const spread = workload.workloadKind === 'daemonset' ? undefined : topologySpread(zones, selector);
  return {
    metadata: { labels: selector },
    spec: {
      serviceAccountName: name,
      // No workload in the model talks to the Kubernetes API; IRSA/Pod Identity tokens are projected separately.
      automountServiceAccountToken: false,
      securityContext: podSecurityContext(workload),
      containers: [container],
      ...(workload.nodeSelector ? { nodeSelector: sorted(workload.nodeSelector) } : {}),
      ...(schedule.tolerations.length ? { tolerations: [...schedule.tolerations] } : {}),
      ...(spread ? { topologySpreadConstraints: spread } : {}),
      ...(volumes.length ? { volumes } : {}),
    },
  };
}

/**
 * The objects of one workload: its ServiceAccount, the Deployment, StatefulSet or DaemonSet, and its Services
 * (a StatefulSet's governing headless Service included). The selector's labels are exactly the pod template's.
 */
export function workloadObjects(
  model: Topology,
  cluster: KubernetesCluster,
  workload: Workload,
  namespace: string,
  zones: readonly string[],
  file: string,
): Manifest[] {
  const name = objectName(workload.id);
  const labels = objectLabels(model, workload);
  const selector = selectorLabels(model, workload);
  const metadata = { name, namespace, labels };
  const template = podTemplate(model, cluster, workload, zones);
  const manifests: Manifest[] = [];
  const add = (object: Manifest['object']) => manifests.push({ component: workload.id, file, object });
  const account: V1ServiceAccount = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata,
    automountServiceAccountToken: false,
  };
  add(account);
  // An HPA owns the replica count: writing one here would reset it on every apply.
  const replicas = workload.hpa ? {} : workload.replicas ? { replicas: workload.replicas.min } : {};
  const strategy = workload.strategy;
  if (workload.workloadKind === 'deployment') {
    const deployment: V1Deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata,
      spec: {
        ...replicas,
        selector: { matchLabels: selector },
        ...(strategy?.type === 'recreate'
          ? { strategy: { type: 'Recreate' } }
          : strategy?.type === 'rolling-update'
            ? {
                strategy: {
                  type: 'RollingUpdate',
                  rollingUpdate: {
                    ...(strategy.maxSurge !== undefined ? { maxSurge: strategy.maxSurge } : {}),
                    ...(strategy.maxUnavailable !== undefined ? { maxUnavailable: strategy.maxUnavailable } : {}),
                  },
                },
              }
            : {}),
        template,
      },
    };
    add(deployment);
  } else if (workload.workloadKind === 'statefulset') {
    const statefulSet: V1StatefulSet = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata,
      spec: {
        ...replicas,
        serviceName: governingServiceOf(workload),
        selector: { matchLabels: selector },
        template,
        ...(workload.storage
          ? {
              volumeClaimTemplates: [
                {
                  metadata: { name: 'data', labels: selector },
                  spec: {
                    accessModes: ['ReadWriteOnce'],
                    ...(workload.storage.storageClass ? { storageClassName: workload.storage.storageClass } : {}),
                    resources: { requests: { storage: workload.storage.size } },
                  },
                },
              ],
            }
          : {}),
      },
    };
    add(statefulSet);
  } else {
    const daemonSet: V1DaemonSet = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata,
      spec: {
        selector: { matchLabels: selector },
        ...(strategy?.maxUnavailable !== undefined
          ? { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: strategy.maxUnavailable } } }
          : {}),
        template,
      },
    };
    add(daemonSet);
  }
  const ports = portsOf(workload);
  const servicePorts = () => {
    const own = workload.service?.port;
    if (own !== undefined)
      return [
        {
          name: ports[0]?.name ?? `tcp-${own}`,
          port: own,
          targetPort: ports[0]?.port ?? own,
          protocol: ports[0]?.protocol ?? 'TCP',
        },
      ];
    return ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: p.protocol }));
  };
  if (workload.workloadKind === 'statefulset') {
    const headless: V1Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: governingServiceOf(workload), namespace, labels },
      spec: {
        clusterIP: 'None',
        selector,
        ...(servicePorts().length ? { ports: servicePorts() } : {}),
        // Peers find each other before they are ready (the usual need of a StatefulSet's members).
        publishNotReadyAddresses: true,
      },
    };
    add(headless);
  }
  const needsClientService =
    hasService(workload) &&
    !(workload.workloadKind === 'statefulset' && governingServiceOf(workload) === serviceNameOf(workload));
  if (needsClientService) {
    const type = workload.service?.type ?? 'ClusterIP';
    const service: V1Service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: serviceNameOf(workload), namespace, labels },
      spec: {
        ...(type === 'Headless' ? { clusterIP: 'None' } : { type }),
        selector,
        ...(servicePorts().length ? { ports: servicePorts() } : {}),
      },
    };
    add(service);
  }
  return manifests;
}
