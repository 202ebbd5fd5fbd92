import { parseTopology, type Topology, type TopologyInput, topology } from '@meridian/topology';
import { describe, expect, it } from 'vitest';
import { EmitError } from '../../src/errors.ts';
import { toMermaid } from '../../src/mermaid/to-mermaid.ts';
import { mermaidViews } from '../../src/mermaid/views.ts';
import { voting } from './fixtures/models/voting.ts';
import { expectDiagramOfModel } from './support/assert-diagram.ts';
import { expectedDiagram } from './support/expected-diagram.ts';
import { parseFlowchart } from './support/mermaid-parser.ts';

const model = parseTopology(voting);

describe('toMermaid on a two-region model', () => {
  it('lists the views: whole, each region, each tier in use, data', () => {
    expect(mermaidViews(model)).toEqual([
      'whole',
      'region:us-east-1',
      'region:eu-west-1',
      'tier:edge',
      'tier:ingress',
      'tier:compute',
      'tier:data',
      'tier:observability',
      'tier:shared',
      'tier:external',
      'data',
    ]);
  });

  it.each(mermaidViews(model))('view %s parses and shows exactly the model', async (view) => {
    await expectDiagramOfModel(model, view, toMermaid(model, { view }));
  });

  it('region view: the region in full, what it talks to elsewhere faded', async () => {
    const parsed = await expectDiagramOfModel(
      model,
      'region:eu-west-1',
      toMermaid(model, { view: 'region:eu-west-1' }),
    );
    expect(parsed.nodes.get('n_us_east_1_rds')?.classes).toContain('context');
    expect(parsed.nodes.has('n_us_east_1_redis')).toBe(false);
    expect(parsed.edges).toContainEqual({
      from: 'n_eu_west_1_eks_vote',
      to: 'n_us_east_1_rds',
      label: 'write',
      stroke: 'normal',
      arrow: 'arrow_point',
    });
  });

  it('draws replication dotted with its mode, and replication stated on a component when no flow draws it', async () => {
    const parsed = await parseFlowchart(toMermaid(model));
    expect(parsed.edges).toContainEqual({
      from: 'n_us_east_1_rds',
      to: 'n_eu_west_1_rds',
      label: 'replicates · async',
      stroke: 'dotted',
      arrow: 'arrow_point',
    });
    expect(parsed.edges).toContainEqual({
      from: 'n_us_east_1_events',
      to: 'n_eu_west_1_events',
      label: 'mirrors · mirror-maker-2',
      stroke: 'dotted',
      arrow: 'arrow_point',
    });
    const withFlow = parseTopology({
      ...voting,
      flows: [
        ...(voting.flows ?? []),
        { id: 'repl', from: 'us-east-1/rds', to: 'eu-west-1/rds', kind: 'replicate', replicationMode: 'logical' },
      ],
    });
    const again = await parseFlowchart(toMermaid(withFlow));
    expect(again.edges.filter((e) => e.from === 'n_us_east_1_rds' && e.to === 'n_eu_west_1_rds')).toEqual([
      {
        from: 'n_us_east_1_rds',
        to: 'n_eu_west_1_rds',
        label: 'replicates · logical',
        stroke: 'dotted',
        arrow: 'arrow_point',
      },
    ]);
  });

  it('draws an object store replication stated on the source bucket from the source to its replica', async () => {
    // S3 replication is configured on the source bucket (`replication.to` names the destination), the reverse of
    // postgres `replicaOf`, which the replica states: the arrow must still point the way the data goes.
    const buckets = topology('buckets', (t) => {
      const replica = t.region('eu-west-1').objectStore('replica', { bucket: 'lake-eu' });
      t.region('us-east-1').objectStore('source', { bucket: 'lake-us', replication: { to: replica, mode: 'rtc' } });
    });
    const parsed = await expectDiagramOfModel(buckets, 'whole', toMermaid(buckets));
    expect(parsed.edges).toEqual([
      {
        from: 'n_us_east_1_source',
        to: 'n_eu_west_1_replica',
        label: 'replicates · rtc',
        stroke: 'dotted',
        arrow: 'arrow_point',
      },
    ]);
  });

  it('draws a stream mirror of no stated tool, a Redis global datastore secondary and replicate flows of no stated mode', async () => {
    // A mirror without `mirroring` is asynchronous (MirrorMaker, MSK Replicator and Cluster Linking all are); a
    // global datastore secondary names its primary, and the data goes from the primary to it; a replicate flow of
    // no stated mode to a replica of none takes its mode from the flow's `sync` (replicate defaults to async).
    const at = (region: string) => ({ region });
    const replicas = parseTopology({
      name: 'replicas',
      regions: [
        { code: 'us-east-1', role: 'primary', jurisdiction: 'US' },
        { code: 'eu-west-1', role: 'secondary', jurisdiction: 'EU' },
      ],
      components: [
        { id: 'us-east-1/events', kind: 'stream', engine: 'kafka', placement: at('us-east-1') },
        {
          id: 'eu-west-1/events',
          kind: 'stream',
          engine: 'kafka',
          mirrorOf: 'us-east-1/events',
          placement: at('eu-west-1'),
        },
        { id: 'us-east-1/cache', kind: 'redis', globalDatastore: { role: 'primary' }, placement: at('us-east-1') },
        {
          id: 'eu-west-1/cache',
          kind: 'redis',
          globalDatastore: { role: 'secondary', primary: 'us-east-1/cache' },
          placement: at('eu-west-1'),
        },
        { id: 'us-east-1/db', kind: 'postgres', placement: at('us-east-1') },
        { id: 'eu-west-1/db', kind: 'postgres', placement: at('eu-west-1') },
        { id: 'us-east-1/lake', kind: 'objectStore', placement: at('us-east-1') },
        { id: 'eu-west-1/lake', kind: 'objectStore', placement: at('eu-west-1') },
      ],
      flows: [
        { id: 'db-copy', from: 'us-east-1/db', to: 'eu-west-1/db', kind: 'replicate', sync: true },
        { id: 'lake-copy', from: 'us-east-1/lake', to: 'eu-west-1/lake', kind: 'replicate' },
      ],
    } as TopologyInput);
    const parsed = await expectDiagramOfModel(replicas, 'whole', toMermaid(replicas));
    const arrow = (from: string, to: string, label: string) => ({
      from,
      to,
      label,
      stroke: 'dotted',
      arrow: 'arrow_point',
    });
    const byEnds = (a: { from: string; to: string }, b: { from: string; to: string }) =>
      `${a.from}>${a.to}`.localeCompare(`${b.from}>${b.to}`);
    expect([...parsed.edges].sort(byEnds)).toEqual(
      [
        arrow('n_us_east_1_events', 'n_eu_west_1_events', 'mirrors · async'),
        arrow('n_us_east_1_cache', 'n_eu_west_1_cache', 'replicates · global datastore'),
        arrow('n_us_east_1_db', 'n_eu_west_1_db', 'replicates · sync'),
        arrow('n_us_east_1_lake', 'n_eu_west_1_lake', 'replicates · async'),
      ].sort(byEnds),
    );
  });

  it('marks the primary region and styles each tier', async () => {
    const parsed = await parseFlowchart(toMermaid(model));
    expect(parsed.subgraphs.get('r_us_east_1')).toMatchObject({
      title: 'us-east-1 · primary · US',
      classes: ['primaryRegion'],
    });
    expect(parsed.subgraphs.get('r_eu_west_1')?.classes).toEqual(['region']);
    for (const tier of ['edge', 'ingress', 'compute', 'data', 'observability', 'shared', 'external'])
      expect(parsed.classDefs).toContain(`tier_${tier}`);
  });

  it('data view labels flows with the data classes they carry and keeps every store', async () => {
    const parsed = await parseFlowchart(toMermaid(model, { view: 'data' }));
    expect(parsed.edges).toContainEqual({
      from: 'n_us_east_1_eks_vote',
      to: 'n_us_east_1_events',
      label: 'publish · eu-personal',
      stroke: 'dotted',
      arrow: 'arrow_point',
    });
    expect(parsed.edges.some((e) => e.from === 'n_users')).toBe(false);
  });

  it('overlays findings: worst severity as a class, rules in the label, clusters included, info ignored', async () => {
    const parsed = await parseFlowchart(
      toMermaid(model, {
        findings: [
          { rule: 'spof', severity: 'error', components: ['us-east-1/rds'] },
          { rule: 'rpo', severity: 'warning', components: ['us-east-1/rds', 'eu-west-1/rds'] },
          { rule: 'orphan', severity: 'warning', components: ['ecr', 'us-east-1/eks'] },
          { rule: 'naming', severity: 'info', components: ['waf'] },
        ],
      }),
    );
    expect(parsed.nodes.get('n_us_east_1_rds')?.classes).toEqual(['tier_data', 'findingError']);
    expect(parsed.nodes.get('n_us_east_1_rds')?.label.split('\n').slice(-2)).toEqual(['error: spof', 'warning: rpo']);
    expect(parsed.nodes.get('n_eu_west_1_rds')?.classes).toEqual(['tier_data', 'findingWarning']);
    expect(parsed.subgraphs.get('n_us_east_1_eks')).toMatchObject({
      title: 'eks · EKS 1.28 · warning: orphan',
      classes: ['cluster', 'findingWarning'],
    });
    expect(parsed.nodes.get('n_waf')?.classes).toEqual(['tier_edge']);
  });

  it('is deterministic, and a component keeps its node id when others are added', () => {
    expect(toMermaid(model)).toBe(toMermaid(parseTopology(voting)));
    const grown = parseTopology({
      ...voting,
      components: [
        { id: 'us-east-1-rds', kind: 'external', vendor: 'x', placement: 'global' },
        ...(voting.components ?? []),
      ],
    });
    const text = toMermaid(grown);
    // The newcomer sanitises like 'us-east-1/rds'; both get a hash suffix only between themselves.
    expect(text).toMatch(/n_us_east_1_rds_[0-9a-z]+\[\("rds/);
    expect(text).toContain('n_eu_west_1_rds[("rds');
    expect(toMermaid(grown)).toBe(text);
  });

  it.each([
    ['nope', 'unknown-view'],
    ['region:mars-1', 'unknown-region'],
    ['tier:quantum', 'unknown-tier'],
  ])('view %s is an EmitError %s with a hint', (view, code) => {
    let error: unknown;
    try {
      toMermaid(model, { view });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EmitError);
    expect((error as EmitError).code).toBe(code);
    expect((error as EmitError).hint).toMatch(/whole|region:us-east-1|tier:data/);
  });
});

describe('hostile names', () => {
  const names = [
    'say "hi"',
    'brackets [a] (b) {c} |d| <e>',
    'end',
    'subgraph',
    'ünïcødé ☃ 日本語 🚀',
    '%% not a comment',
    '#quot; #35; &amp; &lt;',
    '`markdown` **bold**',
    '<script>alert(1)</script>',
    'semi; colon: --> arrow -.-> ==>',
    'line\nbreak\ttab',
    'back\\slash',
  ];
  const ids = names.map((_, i) => (i === 2 ? 'end' : `c${i}`));
  const hostile: Topology = parseTopology({
    name: 'hostile "name"',
    regions: [{ code: 'eu-west-1', role: 'primary', jurisdiction: 'EU' }],
    components: names.map((name, i) => ({
      id: ids[i],
      name,
      ...(i % 2
        ? { kind: 'postgres', placement: { region: 'eu-west-1' } }
        : { kind: 'external', vendor: name, placement: 'global' }),
    })) as TopologyInput['components'],
    flows: names.slice(1).map((name, i) => ({ id: `f${i}`, from: ids[i], to: ids[i + 1], kind: 'write', label: name })),
  });

  it.each(mermaidViews(hostile))('every label survives the parser unchanged (view %s)', async (view) => {
    const parsed = await expectDiagramOfModel(
      hostile,
      view,
      toMermaid(hostile, { view, findings: [{ rule: 'x"]; end', severity: 'error', components: ['end'] }] }),
    );
    const clean = (text: string) => text.replace(/[\n\t]/g, ' ');
    const expectedLabels = expectedDiagram(hostile, view).edges.map((e) => clean(e.label ?? ''));
    expect(parsed.edges.map((e) => e.label).sort()).toEqual(expectedLabels.sort());
  });

  it('the whole view shows every hostile name and the hostile finding rule', async () => {
    const parsed = await parseFlowchart(
      toMermaid(hostile, { findings: [{ rule: 'x"]; end', severity: 'error', components: ['end'] }] }),
    );
    const firstLines = [...parsed.nodes.values()].map((n) => n.label.split('\n')[0]);
    expect(firstLines.sort()).toEqual(names.map((n) => n.replace(/[\n\t]/g, ' ')).sort());
    expect(parsed.nodes.get('n_end')?.label).toContain('error: x"]; end');
  });
});
