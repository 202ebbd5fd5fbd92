import type { Component, ObjectStore, Topology } from '@meridian/topology';
import { isOnAws } from './platform.ts';

/**
 * Source and destination buckets the model replicates, once each, in model order, both on S3: a store's
 * `replication`, or a `replicate` flow between two stores (or two Delta tables, which live in their stores).
 */
export function replicationPairs(model: Topology): [ObjectStore, ObjectStore][] {
  const byId = new Map(model.components.map((c) => [c.id, c]));
  const storeOf = (component: Component | undefined): ObjectStore | undefined => {
    if (component?.kind === 'objectStore') return isOnAws(component) ? component : undefined;
    if (component?.kind === 'deltaTable') return storeOf(byId.get(component.store));
    return undefined;
  };
  const pairs = new Map<string, [ObjectStore, ObjectStore]>();
  const add = (from: ObjectStore | undefined, to: ObjectStore | undefined) => {
    if (from && to && from.id !== to.id) pairs.set(`${from.id} ${to.id}`, [from, to]);
  };
  for (const component of model.components) {
    if (component.kind === 'objectStore' && component.replication)
      add(storeOf(component), storeOf(byId.get(component.replication.to)));
  }
  for (const flow of model.flows) {
    if (flow.kind === 'replicate') add(storeOf(byId.get(flow.from)), storeOf(byId.get(flow.to)));
  }
  return [...pairs.values()];
}
