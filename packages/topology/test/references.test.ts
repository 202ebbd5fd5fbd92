import { describe, expect, it } from 'vitest';
import { parseTopology, topologyJsonSchema } from '../src/index.ts';
import { kindTraits } from '../src/model/kinds.ts';
import { componentReferences, referenceFieldsOf } from '../src/model/references.ts';
import type { ComponentKind } from '../src/model/schema.ts';

// The reference fields the schemas declare with ref(...): found by walking the schemas, not listed by hand.
describe('reference fields, derived from the schemas', () => {
  it('finds every ref() field with the kinds it may name', () => {
    const fields = Object.fromEntries(
      (Object.keys(kindTraits) as ComponentKind[]).map((kind) => [
        kind,
        referenceFieldsOf(kind).map((f) => `${f.path.join('.')}:${f.kinds.join('|') || 'any'}`),
      ]),
    );
    // Every kind can be placed in a cluster; the kinds below add their own fields in schema order.
    expect(fields.postgres).toEqual([
      'placement.cluster:kubernetesCluster',
      'replicaOf:postgres',
      'backup.destination:objectStore',
    ]);
    expect(fields.deltaTable).toEqual(['placement.cluster:kubernetesCluster', 'store:objectStore', 'catalog:catalog']);
    expect(fields.queryEngine).toEqual([
      'placement.cluster:kubernetesCluster',
      'reads.*:deltaTable',
      'catalog:catalog',
    ]);
    expect(fields.ingress).toContain('rules.*.backend:any');
    expect(fields.secrets).toContain('syncTo.clusters.*:kubernetesCluster');
    expect(fields.dns).toEqual(['placement.cluster:kubernetesCluster']);
  });

  it('reads the references of a component, with concrete paths', () => {
    const model = parseTopology({
      name: 't',
      regions: [{ code: 'eu-west-1', role: 'primary', jurisdiction: 'EU' }],
      components: [
        { id: 'lake', kind: 'objectStore', placement: { region: 'eu-west-1' } },
        { id: 'a', kind: 'deltaTable', placement: { region: 'eu-west-1' }, store: 'lake', path: 'a' },
        { id: 'b', kind: 'deltaTable', placement: { region: 'eu-west-1' }, store: 'lake', path: 'b' },
        { id: 'q', kind: 'queryEngine', placement: { region: 'eu-west-1' }, engine: 'duckdb', reads: ['a', 'b'] },
      ],
    });
    const engine = model.components.find((c) => c.id === 'q');
    expect(engine && componentReferences(engine)).toEqual([
      { path: ['reads', 0], id: 'a', kinds: ['deltaTable'] },
      { path: ['reads', 1], id: 'b', kinds: ['deltaTable'] },
    ]);
  });

  it('refuses a reference of the wrong kind at the field that holds it', () => {
    let error: unknown;
    try {
      parseTopology({
        name: 't',
        regions: [{ code: 'eu-west-1', role: 'primary', jurisdiction: 'EU' }],
        components: [
          { id: 'lake', kind: 'objectStore', placement: { region: 'eu-west-1' } },
          { id: 'a', kind: 'deltaTable', placement: { region: 'eu-west-1' }, store: 'lake', path: 'a' },
          { id: 'q', kind: 'queryEngine', placement: { region: 'eu-west-1' }, engine: 'duckdb', reads: ['lake'] },
        ],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: 'invalid-topology',
      issues: [{ path: ['components', 2, 'reads', 0], message: "'lake' is a objectStore, not a deltaTable" }],
    });
  });

  it('tells editors which kinds a reference field may name', () => {
    const schema = JSON.stringify(topologyJsonSchema());
    expect(schema).toContain('"x-meridian-ref-kinds":["deltaTable"]');
  });
});
