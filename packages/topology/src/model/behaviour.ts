import { traitsOf } from './kinds.ts';
import type { Component } from './schema.ts';

/**
 * How one component behaves where its kind alone does not decide it (the product or class it names): whether it
 * runs pods, whether it fills itself by pulling, whether it keeps data on its pods' volumes. Rules read these
 * instead of keeping their own lists of products.
 */

// Ingress classes served by a cloud load balancer the controller provisions (AWS Load Balancer Controller, GKE
// Ingress): the Ingress object runs no pods in the cluster. nginx, Traefik, Istio, Contour and Envoy run proxies.
const cloudIngressClasses = new Set(['alb', 'gce']);

// Pull-based collectors: Prometheus scrapes its targets (in a cluster, the pods its service discovery finds),
// so it is filled without anyone writing to it.
const pullingProducts = new Set(['prometheus']);

// Observability products that keep their data on local volumes (TSDB blocks, indices, chunks).
const storingProducts = new Set(['prometheus', 'elasticsearch', 'loki', 'tempo']);

/** True when the component runs pods of its own in the cluster it is placed in. */
export function runsPods(component: Component): boolean {
  if (component.kind === 'ingress') return !cloudIngressClasses.has(component.className);
  return traitsOf(component.kind).runsPods;
}

/** True when the component fills itself by pulling from its targets (Prometheus scraping). */
export function pullsItsData(component: Component): boolean {
  return component.kind === 'observability' && pullingProducts.has(component.product);
}

/**
 * True when reading the component fills it: a cache read cache-aside loads what it misses from the source of truth
 * and writes it back, so an app drawn only reading its Redis (hld-global's `EKS3 --> EC`) is also what fills it.
 */
export function filledByItsReaders(component: Component): boolean {
  return component.kind === 'redis';
}

/**
 * True when the component answers HTTP reads of what it stores by itself: an object store is a static origin (S3
 * website endpoints and CloudFront origins, Azure Storage static websites behind Front Door, GCS website buckets
 * behind Cloud CDN), so a route to it needs no application, and what it serves is published by a release, not by a
 * flow of the running system.
 */
export function servesItsObjects(component: Component): boolean {
  return component.kind === 'objectStore';
}

/** True when the component keeps state on its own pods or instances (evicting one loses or re-syncs data). */
export function keepsLocalState(component: Component): boolean {
  if (component.kind === 'workload') return component.workloadKind === 'statefulset';
  if (component.kind === 'observability') return storingProducts.has(component.product);
  // Components that keep state on their pods: evicting them on a spot interruption (2 minutes' notice) loses or
  // re-syncs data ("Spot Instance interruption notices", EC2 User Guide).
  return traitsOf(component.kind).stateful;
}

/** The nodeSelector and tolerations a component's pods declare (empty when it declares none). */
export function podPlacement(component: Component): {
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly NonNullable<Extract<Component, { kind: 'workload' }>['tolerations']>[number][];
} {
  const fields = 'tolerations' in component || 'nodeSelector' in component ? component : undefined;
  return {
    nodeSelector: (fields && 'nodeSelector' in fields ? fields.nodeSelector : undefined) ?? {},
    tolerations: (fields && 'tolerations' in fields ? fields.tolerations : undefined) ?? [],
  };
}
