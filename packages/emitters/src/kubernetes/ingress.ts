import type { V1HTTPIngressPath, V1Ingress, V1IngressRule } from '@kubernetes/client-node';
import type { Ingress, KubernetesCluster, LoadBalancer, Topology, Workload } from '@meridian/topology';
import type { Manifest } from './manifest.ts';
import { objectLabels, objectName, sorted } from './names.ts';
import { hasService, portsOf, serviceNameOf } from './workloads.ts';

/** An Ingress the emitter writes, or why it cannot. */
export type IngressResult = { readonly manifest: Manifest } | { readonly refusal: string; readonly hint: string };

/**
 * The Ingress of an `ingress` component: its rules, each path to the Service of the workload it names. On EKS
 * the `alb` class is the AWS Load Balancer Controller's, with its annotations (scheme and listeners from the
 * load balancer the model sends to the ingress, target type ip); other classes are their controllers' own.
 */
export function ingressObject(
  model: Topology,
  cluster: KubernetesCluster,
  ingress: Ingress,
  workloadOf: (id: string) => { workload: Workload; namespace: string } | undefined,
): IngressResult {
  if (ingress.rules.length === 0)
    return {
      refusal: `${ingress.id} has no rules: an Ingress needs rules or a default backend, and the model names neither host nor path.`,
      hint: 'give the ingress its rules (host, path, backend)',
    };
  if (ingress.className === 'alb' && cluster.distribution !== 'eks')
    return {
      refusal: `${ingress.id} uses class alb on ${cluster.distribution}: the AWS Load Balancer Controller runs on EKS.`,
      hint: 'use the class of the cluster’s ingress controller',
    };
  if (ingress.tls && ingress.className !== 'alb')
    return {
      refusal: `${ingress.id} asks for TLS, and the model names no certificate Secret for class ${ingress.className}.`,
      hint: 'terminate TLS at an alb ingress (ACM certificate discovery by host), or leave tls off',
    };
  if (ingress.tls && ingress.rules.some((rule) => rule.host === undefined))
    return {
      refusal: `${ingress.id} asks for TLS on a rule without a host: the AWS Load Balancer Controller finds ACM certificates by host.`,
      hint: 'give every rule its host',
    };
  const namespaces = new Set<string>();
  const hosts = new Map<string, V1HTTPIngressPath[]>();
  for (const rule of ingress.rules) {
    const backend = workloadOf(rule.backend);
    if (!backend || !hasService(backend.workload))
      return {
        refusal: `${ingress.id} routes ${rule.path} to ${rule.backend}, which has no Service in ${cluster.id}${backend ? '' : ' (it is not a workload emitted there)'}.`,
        hint: 'route to a workload of the same cluster that has ports',
      };
    namespaces.add(backend.namespace);
    const port = rule.port ?? backend.workload.service?.port ?? portsOf(backend.workload)[0]?.port;
    if (port === undefined)
      return { refusal: `${ingress.id} routes to ${rule.backend}, which has no port.`, hint: 'give the rule a port' };
    const path: V1HTTPIngressPath = {
      path: rule.path,
      pathType: 'Prefix',
      backend: { service: { name: serviceNameOf(backend.workload), port: { number: port } } },
    };
    const host = rule.host ?? '';
    hosts.set(host, [...(hosts.get(host) ?? []), path]);
  }
  if (namespaces.size > 1)
    return {
      refusal: `${ingress.id} routes to Services in ${[...namespaces].join(' and ')}: an Ingress reaches Services of its own namespace only.`,
      hint: 'split it into one ingress per namespace',
    };
  const namespace = [...namespaces][0] as string;
  const rules: V1IngressRule[] = [...hosts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([host, paths]) => ({ ...(host ? { host } : {}), http: { paths } }));
  const balancer = model.flows
    .filter((f) => f.to === ingress.id)
    .map((f) => model.components.find((c) => c.id === f.from))
    .find((c): c is LoadBalancer => c?.kind === 'loadBalancer');
  const annotations: Record<string, string> = {};
  if (ingress.className === 'alb') {
    // AWS Load Balancer Controller annotations ("Ingress annotations"): without a scheme it makes an internal ALB.
    annotations['alb.ingress.kubernetes.io/scheme'] = balancer?.scheme ?? 'internal';
    annotations['alb.ingress.kubernetes.io/target-type'] = 'ip';
    const declared = (balancer?.listeners ?? []).filter((l) => l.protocol === 'http' || l.protocol === 'https');
    // TLS asked on the ingress: the ALB listens on HTTPS 443 when the load balancer names no HTTPS listener.
    const listeners =
      ingress.tls && !declared.some((l) => l.protocol === 'https')
        ? [...declared, { protocol: 'https' as const, port: 443 }]
        : declared;
    if (listeners.length)
      annotations['alb.ingress.kubernetes.io/listen-ports'] = JSON.stringify(
        listeners.map((l) => ({ [l.protocol.toUpperCase()]: l.port })),
      );
    const https = listeners.find((l) => l.protocol === 'https');
    if (https && listeners.some((l) => l.protocol === 'http'))
      annotations['alb.ingress.kubernetes.io/ssl-redirect'] = String(https.port);
  }
  const object: V1Ingress = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: objectName(ingress.id),
      namespace,
      labels: objectLabels(model, ingress),
      ...(Object.keys(annotations).length ? { annotations: sorted(annotations) } : {}),
    },
    spec: { ingressClassName: ingress.className, rules },
  };
  return { manifest: { component: ingress.id, file: `${namespace}/${objectName(ingress.id)}.ingress.yaml`, object } };
}
