import type { Component, Topology } from '@meridian/topology';

/**
 * Names and labels of the objects made for a component. Object names are DNS-1123 labels (Services need them,
 * and every other kind accepts them): the last segment of the component id, with `.` and `_` turned into `-`.
 */

/** The object name of a component: `us-east-1/eks/orasi-gateway` is `orasi-gateway`. */
export function objectName(id: string): string {
  return dnsLabel(id.slice(id.lastIndexOf('/') + 1));
}

/** `text` as a DNS-1123 label: lowercase alphanumerics and `-`, starting and ending alphanumeric, at most 63. */
export function dnsLabel(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/**
 * The namespace of components the model places in no namespace: one named after the topology, never `default`
 * (whose Pod Security labels and quotas a platform team does not hand to one application).
 */
export function defaultNamespace(model: Topology): string {
  return dnsLabel(model.name) || 'meridian';
}

/** The namespace a component's pods run in: its own `namespace` where the kind has one, else the default. */
export function namespaceOf(model: Topology, component: Component): string {
  const own = 'namespace' in component ? component.namespace : undefined;
  return own ?? defaultNamespace(model);
}

/** Whether `name` is a DNS-1123 label (namespace names; apimachinery `IsDNS1123Label`). */
export function isDnsLabel(name: string): boolean {
  return name.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name);
}

/** Whether `name` is a DNS-1123 subdomain (ConfigMap and Secret names; apimachinery `IsDNS1123Subdomain`). */
export function isDnsSubdomain(name: string): boolean {
  return name.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name);
}

/** The label the API server sets on every namespace (v1.22+): network policies select namespaces by it. */
export const namespaceNameLabel = 'kubernetes.io/metadata.name';

/**
 * The labels that select a component's pods: the recommended `app.kubernetes.io/name` and `part-of`. A workload's
 * selector, its pod template's labels, its Service, PDB and network policies all use exactly these.
 */
export function selectorLabels(model: Topology, component: Component): Record<string, string> {
  return {
    'app.kubernetes.io/name': objectName(component.id),
    'app.kubernetes.io/part-of': dnsLabel(model.name) || 'meridian',
  };
}

/** The labels of every object made for a component: its selector labels and who manages it. */
export function objectLabels(model: Topology, component: Component): Record<string, string> {
  return { ...selectorLabels(model, component), 'app.kubernetes.io/managed-by': 'meridian' };
}

/** `record` with its keys sorted, so output does not depend on the order a model lists them. */
export function sorted<V>(record: Readonly<Record<string, V>>): Record<string, V> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
