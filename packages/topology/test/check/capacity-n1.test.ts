import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { capacityN1 } from '../../src/check/rules/capacity-n1.ts';
import { topology } from '../../src/dsl/topology.ts';
import type { Topology } from '../../src/model/schema.ts';
import { testRule } from './rule-tester.ts';

// Users behind a health-checked DNS spread over regions, each region an API gateway with a throughput limit.
const regions = (peakRps: number, limits: readonly number[], options: { sharedWrites?: boolean } = {}): Topology =>
  topology('n1', (t) => {
    t.sla({ peakRps });
    const users = t.client('users', { clientKind: 'users' });
    const dns = t.dns('dns', { routing: 'latency', healthCheck: { intervalSeconds: 10, failureThreshold: 3 } });
    t.flow(users, dns);
    const codes = ['us-east-1', 'eu-west-1', 'ap-southeast-1', 'us-west-2'] as const;
    let first: ReturnType<ReturnType<typeof t.region>['postgres']> | undefined;
    limits.forEach((limit, i) => {
      const r = t.region(codes[i] as (typeof codes)[number], { zones: 3 });
      const gateway = r.apiGateway('api-gateway', { maxRps: limit });
      const fn = r.service('vote', { runtime: 'lambda' });
      t.flow(dns, gateway);
      t.flow(gateway, fn);
      const db = options.sharedWrites && first ? first : r.postgres('db', { multiAz: true });
      first ??= db;
      t.flow(fn, db, { kind: 'write' });
    });
  });

testRule(capacityN1, {
  valid: [
    {
      name: 'three regions of 150k for a 250k peak: any two carry it',
      model: regions(250_000, [150_000, 150_000, 150_000]),
    },
    {
      // Lambda is run by the provider across zones: a zone lost leaves its limit whole, whether the region lists
      // its zones (the service inherits them) or not.
      name: 'a managed function in a region that lists its zones keeps its limit when one is lost',
      model: topology('managed', (t) => {
        t.sla({ peakRps: 25_000 });
        const fn = t.region('eu-west-1', { zones: 3 }).service('vote', { runtime: 'lambda', maxRps: 30_000 });
        t.flow(t.client('users', { clientKind: 'users' }), fn);
      }),
    },
    {
      name: 'no peak declared: nothing to measure',
      model: topology('no-peak', (t) => t.region('eu-west-1').apiGateway('gw', { maxRps: 1 })),
    },
    {
      name: 'a zone lost from a spread deployment keeps two thirds',
      model: topology('zones', (t) => {
        t.sla({ peakRps: 20_000 });
        const eu = t.region('eu-west-1', { zones: 3 });
        const api = eu.kubernetesCluster('eks').deployment('api', { image: 'api:1.0.0', replicas: 6, maxRps: 40_000 });
        t.flow(t.client('users', { clientKind: 'users' }), api);
      }),
    },
  ],
  invalid: [
    {
      name: 'three regions of 100k for a 250k peak: one lost leaves 200k (tv-voting)',
      model: regions(250_000, [100_000, 100_000, 100_000]),
      findings: [
        { message: ['with region us-east-1 lost', '200,000 rps', 'below the 250,000 rps peak'] },
        { message: ['with region eu-west-1 lost', '200,000 rps'] },
        { message: ['with region ap-southeast-1 lost', '200,000 rps'] },
      ],
    },
    {
      name: 'every region writes to the first region: losing it leaves nothing',
      model: regions(100_000, [100_000, 100_000], { sharedWrites: true }),
      findings: [{ culprit: 'us-east-1/db', message: ['with region us-east-1 lost', 'can take 0 rps'] }],
    },
    {
      name: 'a single-zone deployment: losing its zone leaves nothing',
      model: topology('one-zone', (t) => {
        t.sla({ peakRps: 1000 });
        const eu = t.region('eu-west-1', { zones: 3 });
        const api = eu.inZones(['eu-west-1a']).service('api', { runtime: 'ec2', replicas: 4, maxRps: 5000 });
        t.flow(t.client('users', { clientKind: 'users' }), api);
      }),
      findings: [{ culprit: 'eu-west-1/api', message: ['with zone eu-west-1a lost', '0 rps'] }],
    },
    {
      // (n-1)/n by hand: 6 replicas spread over 3 zones take 40,000 rps, one zone lost leaves 2/3 of it, 26,667 rps.
      name: 'a zone lost from a spread deployment of 40k leaves two thirds, 26,667 rps, below a 30k peak',
      model: topology('zones-short', (t) => {
        t.sla({ peakRps: 30_000 });
        const eu = t.region('eu-west-1', { zones: 3 });
        const api = eu.kubernetesCluster('eks').deployment('api', { image: 'api:1.0.0', replicas: 6, maxRps: 40_000 });
        t.flow(t.client('users', { clientKind: 'users' }), api);
      }),
      findings: [{ culprit: 'eu-west-1/eks/api', message: ['with zone eu-west-1a lost', 'can take 26,667 rps'] }],
    },
    {
      // Self-run and zone-redundant but placed in no zone (eu-west-1 declares none: the provider's three count):
      // its three instances are still in zones, and losing one takes a third of 30,000.
      name: 'a self-run deployment placed in no zone loses its share of a lost zone: 20,000 rps, below a 25k peak',
      model: topology('unplaced-spread', (t) => {
        t.sla({ peakRps: 25_000 });
        const api = t.region('eu-west-1').service('api', { runtime: 'ec2', replicas: 3, maxRps: 30_000 });
        t.flow(t.client('users', { clientKind: 'users' }), api);
      }),
      findings: [{ culprit: 'eu-west-1/api', message: ['with zone eu-west-1a lost', 'can take 20,000 rps'] }],
    },
    {
      // A self-managed Redis placed in the region (not in its zones) runs on the design's own nodes all the same.
      name: 'a self-managed redis of three nodes in a region of three zones keeps two thirds',
      model: topology('self-managed-cache', (t) => {
        t.sla({ peakRps: 25_000 });
        const eu = t.region('eu-west-1', { zones: 3 });
        const api = eu.service('api', { runtime: 'lambda' });
        const cache = eu.redis('cache', { platform: 'self-managed', replicas: 3, maxRps: 30_000 });
        t.flow(t.client('users', { clientKind: 'users' }), api);
        t.flow(api, cache, { kind: 'read' });
      }),
      findings: [{ culprit: 'eu-west-1/cache', message: ['with zone eu-west-1a lost', 'can take 20,000 rps'] }],
    },
    {
      // Two replicas over three zones: one zone holds one of the two, so its loss halves the capacity (not a third).
      name: 'two replicas over three zones lose half with the zone of one: 15,000 rps, below a 20k peak',
      model: topology('two-of-three', (t) => {
        t.sla({ peakRps: 20_000 });
        const eu = t.region('eu-west-1', { zones: 3 });
        const api = eu.kubernetesCluster('eks').deployment('api', { image: 'api:1.0.0', replicas: 2, maxRps: 30_000 });
        t.flow(t.client('users', { clientKind: 'users' }), api);
      }),
      findings: [{ culprit: 'eu-west-1/eks/api', message: ['with zone eu-west-1a lost', 'can take 15,000 rps'] }],
    },
    {
      name: 'too little even with everything up',
      model: regions(500_000, [100_000, 100_000]),
      findings: [{ message: ['even with everything up', '200,000 rps'] }],
    },
  ],
});

describe('N-1 table (explain)', () => {
  it('has a baseline row, a row per region and a row per zone', () => {
    const rows = check(regions(250_000, [100_000, 100_000, 100_000])).explain.n1;
    expect(rows[0]).toMatchObject({ scenario: 'all regions up', capacityRps: 300_000 });
    expect(rows.filter((r) => r.lost?.region !== undefined && r.lost.zone === undefined)).toHaveLength(3);
    expect(rows.filter((r) => r.lost?.zone !== undefined)).toHaveLength(9);
    // API Gateway is managed across zones: a zone loss leaves the full 300k.
    expect(rows.find((r) => r.lost?.zone === 'us-east-1a')?.capacityRps).toBe(300_000);
  });

  it('keeps (n-1)/n of a component spread or unplaced over n zones, (k-1)/k of one pinned to k zones, none of one instance', () => {
    const rows = check(
      topology('zones', (t) => {
        t.sla({ peakRps: 1 });
        const eu = t.region('us-east-1', { zones: 4 });
        const users = t.client('users', { clientKind: 'users' });
        // Spread over the region's 4 zones: one lost leaves 3/4 of 40,000 = 30,000.
        const api = eu.kubernetesCluster('eks').deployment('api', { image: 'api:1.0.0', replicas: 8, maxRps: 40_000 });
        // Pinned to 2 of the 4 zones: losing one of them leaves 1/2 of 10,000; losing another zone leaves all of it.
        const worker = eu
          .inZones(['us-east-1a', 'us-east-1b'])
          .service('worker', { runtime: 'ec2', replicas: 2, maxRps: 10_000 });
        t.flow(users, api);
        t.flow(api, worker);
      }),
    ).explain.n1;
    const capacityWithout = (zone: string) => rows.find((r) => r.lost?.zone === zone)?.capacityRps;
    expect(rows[0]?.capacityRps).toBe(10_000);
    expect(capacityWithout('us-east-1a')).toBe(5_000);
    expect(capacityWithout('us-east-1b')).toBe(5_000);
    expect(capacityWithout('us-east-1c')).toBe(10_000);
    const spread = check(
      topology('spread', (t) => {
        t.sla({ peakRps: 1 });
        const eu = t.region('us-east-1', { zones: 4 });
        const api = eu.kubernetesCluster('eks').deployment('api', { image: 'api:1.0.0', replicas: 8, maxRps: 40_000 });
        t.flow(t.client('users', { clientKind: 'users' }), api);
      }),
    ).explain.n1;
    expect(spread.filter((r) => r.lost?.zone !== undefined).map((r) => r.capacityRps)).toEqual([
      30_000, 30_000, 30_000, 30_000,
    ]);
    // Placed in no zone, one replica: it is in one of us-east-1's six published zones and the model does not say
    // which, so any zone lost may be its own and leaves nothing (N-1 is the worst zone, not the average one).
    const unplaced = check(
      topology('unplaced', (t) => {
        t.sla({ peakRps: 1 });
        const api = t.region('us-east-1').service('api', { runtime: 'ec2', replicas: 1, maxRps: 60_000 });
        t.flow(t.client('users', { clientKind: 'users' }), api);
      }),
    ).explain.n1;
    expect(unplaced.filter((r) => r.lost?.zone !== undefined).map((r) => r.capacityRps)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('reports the weakest of several entry points, and each surviving branch with its own bottleneck', () => {
    const rows = check(
      topology('entries', (t) => {
        t.sla({ peakRps: 1 });
        const regions = t.regions(['eu-west-1', 'eu-central-1']);
        // Entry points: reports (50,000), then partners and batch (10,000 each), then users (200,000). The weakest
        // is reported, the first of equals.
        const west = regions[0] as (typeof regions)[number];
        t.flow(
          t.client('reports', { clientKind: 'users' }),
          west.service('report', { runtime: 'lambda', maxRps: 50_000 }),
        );
        t.flow(
          t.client('partners', { clientKind: 'users' }),
          west.service('feed', { runtime: 'lambda', maxRps: 10_000 }),
        );
        t.flow(
          t.client('batch', { clientKind: 'users' }),
          west.service('import', { runtime: 'lambda', maxRps: 10_000 }),
        );
        const dns = t.dns('dns', { routing: 'latency', healthCheck: { intervalSeconds: 10, failureThreshold: 3 } });
        t.flow(t.client('users', { clientKind: 'users' }), dns);
        for (const r of regions) {
          // The gateway (the branch's first component) has no limit; the service behind it binds at 100,000.
          const gateway = r.apiGateway('gw');
          t.flow(dns, gateway);
          t.flow(gateway, r.service('vote', { runtime: 'lambda', maxRps: 100_000 }));
        }
      }),
    ).explain.n1;
    expect(rows[0]).toMatchObject({ scenario: 'all regions up', entry: 'partners', capacityRps: 10_000 });
    const lostCentral = rows.find((r) => r.scenario === 'lose region eu-central-1');
    expect(lostCentral).toMatchObject({ entry: 'partners', capacityRps: 10_000 });
    const lostWest = rows.find((r) => r.scenario === 'lose region eu-west-1');
    // With eu-west-1 lost, the three entry points there drop to 0 (the first of them is named) and users keep
    // eu-central-1's 100,000.
    expect(lostWest).toMatchObject({ entry: 'reports', capacityRps: 0 });
    const users = check(
      topology('one-entry', (t) => {
        t.sla({ peakRps: 1 });
        const dns = t.dns('dns', { routing: 'latency', healthCheck: { intervalSeconds: 10, failureThreshold: 3 } });
        t.flow(t.client('users', { clientKind: 'users' }), dns);
        for (const code of ['eu-west-1', 'eu-central-1'] as const) {
          const r = t.region(code);
          const gateway = r.apiGateway('gw');
          t.flow(dns, gateway);
          t.flow(gateway, r.service('vote', { runtime: 'lambda', maxRps: 100_000 }));
        }
      }),
    ).explain.n1;
    expect(users[0]).toMatchObject({
      capacityRps: 200_000,
      bottleneck: 'alternatives behind dns',
      branches: [
        { first: 'eu-west-1/gw', capacityRps: 100_000, bottleneck: 'eu-west-1/vote' },
        { first: 'eu-central-1/gw', capacityRps: 100_000, bottleneck: 'eu-central-1/vote' },
      ],
    });
  });

  it('has rows only for regions in use, and zone rows only for regions of two zones or more', () => {
    const rows = check(
      topology('regions', (t) => {
        t.sla({ peakRps: 1 });
        const users = t.client('users', { clientKind: 'users' });
        // Unplaced, one replica: eu-west-1 declares no zones, the provider's three count, and any of them lost may
        // be the api's own.
        const api = t.region('eu-west-1').service('api', { runtime: 'ec2', replicas: 1, maxRps: 60_000 });
        t.flow(users, api);
        // Two zones: zone rows; a zone lost there leaves eu-west-1's api whole.
        const batch = t
          .region('us-east-1', { zones: ['us-east-1a', 'us-east-1b'] })
          .service('batch', { runtime: 'lambda' });
        t.flow(api, batch, { sync: false, kind: 'publish' });
        // One zone: no zone row. No component at all: no row.
        t.region('ap-southeast-1', { zones: ['ap-southeast-1a'] }).service('job', { runtime: 'lambda' });
        t.region('sa-east-1', { zones: 3 });
      }),
    ).explain.n1;
    expect(rows.map((r) => r.scenario)).toEqual([
      'all regions up',
      'lose region eu-west-1',
      'lose region us-east-1',
      'lose region ap-southeast-1',
      'lose zone eu-west-1a',
      'lose zone eu-west-1b',
      'lose zone eu-west-1c',
      'lose zone us-east-1a',
      'lose zone us-east-1b',
    ]);
    expect(rows.find((r) => r.scenario === 'lose zone eu-west-1a')?.capacityRps).toBe(0);
    expect(rows.find((r) => r.scenario === 'lose zone us-east-1a')?.capacityRps).toBe(60_000);
  });

  it('lists the spread it assumed for a self-run component placed in no zone, on the finding and in --explain', () => {
    const result = check(
      topology('assumed-spread', (t) => {
        t.sla({ peakRps: 25_000 });
        const eu = t.region('eu-west-1');
        const api = eu.service('api', { runtime: 'ec2', replicas: 3, maxRps: 30_000 });
        // Managed, or placed in zones: nothing assumed.
        const fn = eu.service('fn', { runtime: 'lambda', maxRps: 90_000 });
        const pinned = eu.inZones(['eu-west-1a', 'eu-west-1b']).service('batch', { runtime: 'ec2', replicas: 2 });
        t.flow(t.client('users', { clientKind: 'users' }), api);
        t.flow(api, fn);
        t.flow(api, pinned, { sync: false, kind: 'publish' });
      }),
    );
    const zones = result.explain.assumptions.filter((a) => a.fact === 'zones');
    expect(zones.map((a) => a.component)).toEqual(['eu-west-1/api']);
    expect(zones[0]?.text).toContain('3 instances spread as evenly as they can be over the 3 zones of eu-west-1');
    expect(zones[0]?.text).toContain('33.3% of its 30000 rps');
    const finding = result.findings.find((f) => f.rule === 'capacity-n1');
    expect(finding?.assumptions).toContain(zones[0]?.text);
  });

  it('names Azure zones (1, 2, 3 in every region) by their region, in the table and in the finding', () => {
    const model = topology('azure-zones', (t) => {
      t.sla({ peakRps: 25_000 });
      const door = t.cdn('front-door', { provider: 'azure-front-door' });
      t.flow(t.client('users', { clientKind: 'users' }), door);
      for (const code of ['northeurope', 'westeurope'] as const) {
        const api = t.region(code, { provider: 'azure', zones: 3 }).service('api', {
          runtime: 'vm',
          replicas: 3,
          maxRps: 15_000,
        });
        t.flow(door, api);
      }
    });
    const result = check(model);
    const zoneRows = result.explain.n1.filter((r) => r.lost?.zone !== undefined);
    expect(zoneRows.map((r) => r.scenario)).toEqual([
      'lose zone 1 of northeurope',
      'lose zone 2 of northeurope',
      'lose zone 3 of northeurope',
      'lose zone 1 of westeurope',
      'lose zone 2 of westeurope',
      'lose zone 3 of westeurope',
    ]);
    expect(new Set(zoneRows.map((r) => r.scenario)).size).toBe(zoneRows.length);
    // 15,000 + two thirds of 15,000 = 25,000: enough; the finding, when short, names the zone with its region.
    expect(zoneRows.every((r) => r.capacityRps === 25_000)).toBe(true);
    const short = check({ ...model, sla: { ...model.sla, peakRps: 28_000 } }, { rules: ['capacity-n1'] });
    expect(short.findings.map((f) => f.message)).toContainEqual(
      expect.stringContaining('with zone 1 of northeurope lost, the regions behind front-door add up to 25,000 rps'),
    );
  });

  it('has no rows without an entry point, and names the first entry when nothing has a limit', () => {
    const model = topology('no-entry', (t) => {
      t.sla({ peakRps: 1 });
    });
    expect(check(model).explain.n1).toEqual([]);
    const unlimited = topology('unlimited', (t) => {
      t.sla({ peakRps: 1 });
      const api = t.region('eu-west-1').service('api', { runtime: 'lambda' });
      t.flow(t.client('users', { clientKind: 'users' }), api);
      t.flow(t.client('partners', { clientKind: 'users' }), api);
    });
    expect(check(unlimited).explain.n1[0]).toMatchObject({ entry: 'users', capacityRps: Number.POSITIVE_INFINITY });
  });
});

describe('the group of alternatives that binds, when two routers each have alternatives (capacity.ts)', () => {
  // Two entry points, each behind its own DNS that spreads over two regions: users over gateways of 100,000 rps
  // each (200,000), partners over feeds of 10,000 and 5,000 (15,000). The partners' group binds, whichever of the
  // two routers is declared first (and so reduced first).
  const twoRouters = (partnersFirst: boolean) =>
    topology('two-routers', (t) => {
      t.sla({ peakRps: 20_000 });
      const regions = t.regions(['eu-west-1', 'eu-central-1']);
      const group = (client: string, dnsName: string, service: string, limits: readonly number[]) => {
        const dns = t.dns(dnsName, { routing: 'latency', healthCheck: { intervalSeconds: 10, failureThreshold: 3 } });
        t.flow(t.client(client, { clientKind: 'users' }), dns);
        regions.forEach((r, i) => {
          t.flow(dns, r.service(service, { runtime: 'lambda', maxRps: limits[i] as number }));
        });
      };
      const users = () => group('users', 'dns-users', 'vote', [100_000, 100_000]);
      const partners = () => group('partners', 'dns-partners', 'feed', [10_000, 5_000]);
      if (partnersFirst) {
        partners();
        users();
      } else {
        users();
        partners();
      }
    });

  it('shows the binding group and its branches: 10,000 + 5,000 = 15,000 rps behind dns-partners', () => {
    for (const partnersFirst of [false, true]) {
      const { explain, findings } = check(twoRouters(partnersFirst), { rules: ['capacity-n1'] });
      expect(explain.n1[0]).toEqual({
        scenario: 'all regions up',
        lost: undefined,
        capacityRps: 15_000,
        entry: 'partners',
        bottleneck: 'alternatives behind dns-partners',
        branches: [
          { first: 'eu-west-1/feed', capacityRps: 10_000, bottleneck: 'eu-west-1/feed' },
          { first: 'eu-central-1/feed', capacityRps: 5_000, bottleneck: 'eu-central-1/feed' },
        ],
        peakRps: 20_000,
      });
      expect(findings.map((f) => [f.message, f.components])).toEqual([
        [
          'even with everything up, the regions behind dns-partners add up to 15,000 rps (eu-west-1/feed 10,000 + eu-central-1/feed 5,000), below the 20,000 rps peak.',
          ['eu-west-1/feed', 'eu-central-1/feed', 'partners'],
        ],
      ]);
    }
  });
});

describe('capacity-n1 findings in full (rules/capacity-n1.ts)', () => {
  const locate = (model: Topology, id: string) => model.components.find((c) => c.id === id)?.source;

  it('a region lost: the surviving regions, each with its own limit, named in the message, hint and components', () => {
    const model = regions(250_000, [100_000, 100_000, 100_000]);
    const [first] = check(model, { rules: ['capacity-n1'] }).findings;
    const gateways = ['eu-west-1/api-gateway', 'ap-southeast-1/api-gateway'];
    expect(locate(model, gateways[0] as string)?.line).toBeGreaterThan(0);
    expect(first).toEqual({
      rule: 'capacity-n1',
      severity: 'error',
      message:
        'with region us-east-1 lost, the regions behind dns add up to 200,000 rps (eu-west-1/api-gateway 100,000 + ap-southeast-1/api-gateway 100,000), below the 250,000 rps peak.',
      hint: 'raise the limit of eu-west-1/api-gateway, ap-southeast-1/api-gateway (capacity.maxRps, throttle) or add a region, so that what is left still carries 250,000 rps',
      components: [...gateways, 'users'],
      location: locate(model, gateways[0] as string),
      details: {
        scenario: {
          scenario: 'lose region us-east-1',
          lost: { region: 'us-east-1' },
          capacityRps: 200_000,
          entry: 'users',
          bottleneck: 'alternatives behind dns',
          branches: [
            { first: 'us-east-1/api-gateway', capacityRps: 0, bottleneck: 'us-east-1/api-gateway' },
            { first: 'eu-west-1/api-gateway', capacityRps: 100_000, bottleneck: 'eu-west-1/api-gateway' },
            { first: 'ap-southeast-1/api-gateway', capacityRps: 100_000, bottleneck: 'ap-southeast-1/api-gateway' },
          ],
          peakRps: 250_000,
        },
      },
    });
  });

  it('short with everything up: the hint names the component whose limit binds', () => {
    const model = regions(10_000, [5_000]);
    expect(check(model, { rules: ['capacity-n1'] }).findings.map((f) => [f.message, f.hint, f.components])).toEqual([
      [
        'even with everything up, users can take 5,000 rps (bottleneck: us-east-1/api-gateway), below the 10,000 rps peak.',
        'raise the limit of us-east-1/api-gateway (capacity.maxRps, throttle) or add a region, so that what is left still carries 10,000 rps',
        ['us-east-1/api-gateway', 'users'],
      ],
    ]);
  });

  it('a region whose loss leaves 0 rps asks for a second region, not a higher limit; a region leaving some, for a limit', () => {
    const model = regions(150_000, [100_000, 100_000], { sharedWrites: true });
    expect(check(model, { rules: ['capacity-n1'] }).findings.map((f) => [f.message, f.hint])).toEqual([
      [
        'with region eu-west-1 lost, the regions behind dns add up to 100,000 rps (us-east-1/api-gateway 100,000), below the 150,000 rps peak.',
        'raise the limit of us-east-1/api-gateway (capacity.maxRps, throttle) or add a region, so that what is left still carries 150,000 rps',
      ],
      [
        'with region us-east-1 lost, users can take 0 rps (bottleneck: us-east-1/db), below the 150,000 rps peak.',
        'run us-east-1/db in more than one region (or add a region that serves users), so that losing one still leaves 150,000 rps',
      ],
    ]);
  });

  it('the worst zone only, once: a deployment pinned to one zone of three takes 0 rps without it', () => {
    const model = topology('pinned', (t) => {
      t.sla({ peakRps: 1000 });
      const eu = t.region('eu-west-1', { zones: 3 });
      // 4,000 rps over two zones (b and c): losing either leaves half, 2,000; the api in zone a leaves 0.
      const api = eu.inZones(['eu-west-1a']).service('api', { runtime: 'ec2', replicas: 2, maxRps: 5000 });
      const worker = eu
        .inZones(['eu-west-1b', 'eu-west-1c'])
        .service('worker', { runtime: 'ec2', replicas: 2, maxRps: 4000 });
      t.flow(t.client('users', { clientKind: 'users' }), api);
      t.flow(api, worker);
    });
    const findings = check(model, { rules: ['capacity-n1'] }).findings;
    expect(findings.map((f) => [f.message, f.hint, f.components, f.location])).toEqual([
      [
        'with zone eu-west-1a lost, users can take 0 rps (bottleneck: eu-west-1/api), below the 1,000 rps peak.',
        // No higher limit brings back a lost zone.
        'run eu-west-1/api in more than one zone (or add a region that serves users), so that losing one still leaves 1,000 rps',
        ['eu-west-1/api', 'users'],
        locate(model, 'eu-west-1/api'),
      ],
    ]);
    // The table has every zone: 0 without a, half of the worker's 4,000 without b or c.
    expect(check(model).explain.n1.map((r) => [r.scenario, r.capacityRps, r.bottleneck])).toEqual([
      ['all regions up', 4000, 'eu-west-1/worker'],
      ['lose zone eu-west-1a', 0, 'eu-west-1/api'],
      ['lose zone eu-west-1b', 2000, 'eu-west-1/worker'],
      ['lose zone eu-west-1c', 2000, 'eu-west-1/worker'],
    ]);
  });

  it('names each surviving region by its own bottleneck, not its first component', () => {
    // Behind the DNS, each region's gateway has no limit; the service behind it takes 100,000 rps.
    const behindGateways = topology('behind-gateways', (t) => {
      t.sla({ peakRps: 150_000 });
      const dns = t.dns('dns', { routing: 'latency', healthCheck: { intervalSeconds: 10, failureThreshold: 3 } });
      t.flow(t.client('users', { clientKind: 'users' }), dns);
      for (const code of ['eu-west-1', 'eu-central-1'] as const) {
        const r = t.region(code);
        const gateway = r.apiGateway('gw');
        t.flow(dns, gateway);
        t.flow(gateway, r.service('vote', { runtime: 'lambda', maxRps: 100_000 }));
      }
    });
    expect(check(behindGateways, { rules: ['capacity-n1'] }).findings.map((f) => f.message)).toEqual([
      'with region eu-west-1 lost, the regions behind dns add up to 100,000 rps (eu-central-1/vote 100,000), below the 150,000 rps peak.',
      'with region eu-central-1 lost, the regions behind dns add up to 100,000 rps (eu-west-1/vote 100,000), below the 150,000 rps peak.',
    ]);
  });

  it('reports the worst zone when it is not the first one listed', () => {
    // The api lives in zone b only (5,000 rps); the worker in zones a and c (2 replicas, 6,000 rps).
    // Losing a or c leaves half the worker, 3,000; losing b leaves nothing.
    const model = topology('worst-zone', (t) => {
      t.sla({ peakRps: 2500 });
      const eu = t.region('eu-west-1', { zones: 3 });
      const api = eu.inZones(['eu-west-1b']).service('api', { runtime: 'ec2', replicas: 2, maxRps: 5000 });
      const worker = eu
        .inZones(['eu-west-1a', 'eu-west-1c'])
        .service('worker', { runtime: 'ec2', replicas: 2, maxRps: 6000 });
      t.flow(t.client('users', { clientKind: 'users' }), api);
      t.flow(api, worker);
    });
    expect(check(model).explain.n1.map((r) => [r.scenario, r.capacityRps])).toEqual([
      ['all regions up', 5000],
      ['lose zone eu-west-1a', 3000],
      ['lose zone eu-west-1b', 0],
      ['lose zone eu-west-1c', 3000],
    ]);
    expect(check(model, { rules: ['capacity-n1'] }).findings.map((f) => f.message)).toEqual([
      'with zone eu-west-1b lost, users can take 0 rps (bottleneck: eu-west-1/api), below the 2,500 rps peak.',
    ]);
  });

  it('everything up exactly at the peak is enough: the regions lost are the findings', () => {
    expect(
      check(regions(200_000, [100_000, 100_000]), { rules: ['capacity-n1'] }).findings.map((f) => f.message),
    ).toEqual([
      'with region us-east-1 lost, the regions behind dns add up to 100,000 rps (eu-west-1/api-gateway 100,000), below the 200,000 rps peak.',
      'with region eu-west-1 lost, the regions behind dns add up to 100,000 rps (us-east-1/api-gateway 100,000), below the 200,000 rps peak.',
    ]);
  });

  it('exactly the peak left is enough, a region or a zone; one request less is not', () => {
    const short = (peakRps: number) =>
      check(regions(peakRps, [100_000, 100_000]), { rules: ['capacity-n1'] }).findings.map((f) => f.message);
    expect(short(100_000)).toEqual([]);
    expect(short(100_001)).toEqual([
      'with region us-east-1 lost, the regions behind dns add up to 100,000 rps (eu-west-1/api-gateway 100,000), below the 100,001 rps peak.',
      'with region eu-west-1 lost, the regions behind dns add up to 100,000 rps (us-east-1/api-gateway 100,000), below the 100,001 rps peak.',
    ]);
    const zone = (peakRps: number) =>
      check(
        topology('zone-edge', (t) => {
          t.sla({ peakRps });
          const api = t.region('eu-west-1', { zones: 3 }).service('api', { runtime: 'ec2', replicas: 3, maxRps: 3000 });
          t.flow(t.client('users', { clientKind: 'users' }), api);
        }),
        { rules: ['capacity-n1'] },
      ).findings.map((f) => f.message);
    expect(zone(2000)).toEqual([]);
    expect(zone(2001)).toEqual([
      'with zone eu-west-1a lost, users can take 2,000 rps (bottleneck: eu-west-1/api), below the 2,001 rps peak.',
    ]);
  });
});
