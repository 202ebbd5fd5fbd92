import { describe, expect, it } from 'vitest';
import { topology } from '../../src/dsl/topology.ts';
import { regionKey, toGraph } from '../../src/index.ts';

const model = topology('graph', (t) => {
  const users = t.client('users', { clientKind: 'users' });
  const eu = t.region('eu-west-1');
  const eks = eu.kubernetesCluster('eks');
  const api = eks.deployment('api', { image: 'api:1.0.0' });
  const db = eu.postgres('db');
  const lake = eu.objectStore('lake', { bucket: 'lake' });
  eu.deltaTable('orders', { store: lake, path: 'delta/orders' });
  t.flow(users, api);
  t.flow(api, db, { kind: 'write' });
  t.flow(api, db, { kind: 'read' });
});

describe('toGraph', () => {
  const graph = toGraph(model);

  it('has a node per component and per region', () => {
    expect(graph.order).toBe(model.components.length + model.regions.length);
    expect(graph.getNodeAttribute('eu-west-1/eks/api', 'type')).toBe('component');
    expect(graph.getNodeAttribute(regionKey('eu-west-1'), 'type')).toBe('region');
  });

  it("resolves a workload's region through its cluster", () => {
    expect(graph.getNodeAttributes('eu-west-1/eks/api')).toMatchObject({
      region: 'eu-west-1',
      cluster: 'eu-west-1/eks',
    });
    expect(graph.getNodeAttributes('users')).toMatchObject({ region: undefined, cluster: undefined });
  });

  it('keeps every flow as its own typed edge, keyed by the flow id (a multigraph)', () => {
    const flows = graph.filterOutEdges('eu-west-1/eks/api', (_, attributes) => attributes.type === 'flow');
    expect(flows).toHaveLength(2);
    expect(flows.map((key) => graph.getEdgeAttribute(key, 'type'))).toEqual(['flow', 'flow']);
    expect(graph.hasEdge(model.flows[1]?.id as string)).toBe(true);
  });

  it('draws containment region > cluster > workload as contains edges algorithms can exclude', () => {
    const contains = graph
      .filterEdges((_, attributes) => attributes.type === 'contains')
      .map((key) => [graph.source(key), graph.target(key)]);
    expect(contains).toEqual(
      expect.arrayContaining([
        [regionKey('eu-west-1'), 'eu-west-1/eks'],
        ['eu-west-1/eks', 'eu-west-1/eks/api'],
        [regionKey('eu-west-1'), 'eu-west-1/db'],
      ]),
    );
    expect(contains.some(([, to]) => to === 'users')).toBe(false);
  });

  it('draws fields naming components as reference edges', () => {
    const references = graph.filterOutEdges('eu-west-1/orders', (_, attributes) => attributes.type === 'reference');
    expect(references.map((key) => graph.target(key))).toEqual(['eu-west-1/lake']);
  });

  it('carries what each kind is on its node, and kind, sync and carried classes on each flow', () => {
    expect(graph.getNodeAttributes('eu-west-1/db')).toMatchObject({ traits: { dataService: true, stateful: true } });
    expect(graph.getNodeAttributes('eu-west-1/eks/api')).toMatchObject({
      traits: { runsPods: true, dataService: false },
    });
    const write = graph.filterOutEdges('eu-west-1/eks/api', (_, a) => a.type === 'flow' && a.kind === 'write');
    expect(write.map((key) => graph.getEdgeAttributes(key))).toEqual([
      expect.objectContaining({ kind: 'write', sync: true, carries: [] }),
    ]);
  });

  it('is a plain graphology graph: its own traversals answer questions about the model', () => {
    // Everything users can reach through flows, with graphology's own neighbour iteration.
    const reached = new Set<string>();
    const stack = ['users'];
    while (stack.length) {
      const node = stack.pop() as string;
      graph.forEachOutEdge(node, (_key, attributes, _source, target) => {
        if (attributes.type === 'flow' && !reached.has(target)) {
          reached.add(target);
          stack.push(target);
        }
      });
    }
    expect([...reached].sort()).toEqual(['eu-west-1/db', 'eu-west-1/eks/api']);
  });
});
