import type { Component, ComponentKind } from './schema.ts';

/** One component id a component refers to, the field it sits in, and the kinds it may point at. */
export interface ComponentReference {
  /** Path of the field inside the component, e.g. `['replicaOf']` or `['rules', 0, 'backend']`. */
  readonly path: readonly (string | number)[];
  readonly id: string;
  /** Kinds the referenced component may have; empty means any kind. */
  readonly kinds: readonly ComponentKind[];
}

/**
 * Every reference from one component to another (placement cluster, replicaOf, dlq, store, reads, ...),
 * so the schema checks them and the graph builder can draw them without knowing each kind's fields.
 */
export function componentReferences(component: Component): ComponentReference[] {
  const refs: ComponentReference[] = [];
  const add = (path: (string | number)[], id: string | undefined, kinds: ComponentKind[]) => {
    if (id !== undefined) refs.push({ path, id, kinds });
  };
  if (typeof component.placement === 'object' && 'cluster' in component.placement) {
    add(['placement', 'cluster'], component.placement.cluster, ['kubernetesCluster']);
  }
  switch (component.kind) {
    case 'apiGateway':
      add(['authorizer', 'issuer'], component.authorizer?.issuer, []);
      break;
    case 'ingress':
      component.rules.forEach((rule, i) => {
        add(['rules', i, 'backend'], rule.backend, []);
      });
      break;
    case 'postgres':
      add(['replicaOf'], component.replicaOf, ['postgres']);
      add(['backup', 'destination'], component.backup?.destination, ['objectStore']);
      break;
    case 'redis':
      add(['globalDatastore', 'primary'], component.globalDatastore?.primary, ['redis']);
      break;
    case 'queue':
      add(['dlq'], component.dlq, ['queue']);
      break;
    case 'stream':
      add(['mirrorOf'], component.mirrorOf, ['stream']);
      break;
    case 'objectStore':
      add(['replication', 'to'], component.replication?.to, ['objectStore']);
      break;
    case 'deltaTable':
      add(['store'], component.store, ['objectStore']);
      add(['catalog'], component.catalog, ['catalog']);
      break;
    case 'secrets':
      component.syncTo?.clusters.forEach((id, i) => {
        add(['syncTo', 'clusters', i], id, ['kubernetesCluster']);
      });
      break;
    case 'queryEngine':
      component.reads.forEach((id, i) => {
        add(['reads', i], id, ['deltaTable']);
      });
      add(['catalog'], component.catalog, ['catalog']);
      break;
    default:
      break;
  }
  return refs;
}
