import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { spof } from '../../src/check/rules/spof.ts';
import { type RegionScope, topology } from '../../src/dsl/topology.ts';
import type { Topology } from '../../src/model/schema.ts';
import { testRule } from './rule-tester.ts';

testRule(spof, {
  valid: [
    {
      name: 'Multi-AZ stack: replicas over three zones, Multi-AZ database',
      model: topology('multi-az', (t) => {
        const users = t.client('users', { clientKind: 'users' });
        const eu = t.region('eu-west-1', { zones: 3 });
        const alb = eu.loadBalancer('alb', { type: 'alb' });
        const api = eu.kubernetesCluster('eks').deployment('api', { image: 'api:1.0.0', replicas: 3 });
        const db = eu.postgres('db', { multiAz: true });
        t.flow(users, alb);
        t.flow(alb, api);
        t.flow(api, db, { kind: 'write' });
      }),
    },
    {
      name: 'single-instance databases in two regions behind failover DNS',
      model: topology('failover', (t) => {
        const users = t.client('users', { clientKind: 'users' });
        const dns = t.dns('dns', { routing: 'failover', healthCheck: { intervalSeconds: 10, failureThreshold: 3 } });
        t.flow(users, dns);
        for (const [code, role] of [
          ['eu-west-1', 'primary'],
          ['eu-central-1', 'secondary'],
        ] as const) {
          const r = t.region(code);
          const fn = r.service('api', { runtime: 'lambda' });
          t.flow(dns, fn, { routing: { failover: role } });
          t.flow(fn, r.postgres('db'), { kind: 'write' });
        }
      }),
    },
    {
      // One zone is not "several": the multi-zone threshold is two zones, not one.
      name: 'a single-zone service in a region declared with one zone',
      model: topology('one-zone', (t) => {
        t.region('eu-west-1', { zones: ['eu-west-1a'] }).service('batch', { runtime: 'ec2', replicas: 2 });
      }),
    },
    {
      name: 'a single-zone batch job in a region that declares no zones',
      model: topology('batch', (t) => {
        const eu = t.region('eu-west-1');
        eu.inZones(['eu-west-1a']).service('batch', { runtime: 'ec2' });
      }),
    },
    {
      name: 'a replicated workload behind an ALB-class Ingress in its own cluster (the cluster is a need, not a route)',
      model: topology('ingress-ok', (t) => {
        const users = t.client('users', { clientKind: 'users' });
        const us = t.region('us-east-1', { zones: 3 });
        const eks = us.kubernetesCluster('eks');
        const ingress = eks.ingress('web', { className: 'alb' });
        t.flow(users, ingress);
        t.flow(ingress, eks.deployment('api', { image: 'api:1.0.0', replicas: 3 }));
      }),
    },
    {
      name: 'an identity provider every region calls, with a declared fallback',
      model: topology('idp-fallback', (t) => {
        const idp = t.external('auth0', { vendor: 'Auth0', fallback: 'cached JWKS keys validate sessions for 24 h' });
        for (const code of ['us-east-1', 'eu-west-1'] as const) {
          const r = t.region(code, { zones: 3 });
          t.flow(r.kubernetesCluster('eks').deployment('auth', { image: 'auth:1.0.0', replicas: 3 }), idp);
        }
      }),
    },
    {
      name: 'an external service only one of two regions calls synchronously, the other async',
      model: topology('idp-partial', (t) => {
        const pay = t.external('stripe', { vendor: 'Stripe' });
        const us = t.region('us-east-1', { zones: 3 });
        const eu = t.region('eu-west-1', { zones: 3 });
        t.flow(us.kubernetesCluster('eks').deployment('pay', { image: 'pay:1.0.0', replicas: 3 }), pay);
        t.flow(eu.kubernetesCluster('eks').deployment('pay', { image: 'pay:1.0.0', replicas: 3 }), pay, {
          sync: false,
        });
      }),
    },
  ],
  invalid: [
    {
      name: 'a single-AZ database every request needs',
      model: topology('single-db', (t) => {
        const users = t.client('users', { clientKind: 'users' });
        const eu = t.region('eu-west-1');
        const api = eu.service('api', { runtime: 'lambda' });
        t.flow(users, api);
        t.flow(api, eu.postgres('db'), { kind: 'write' });
      }),
      findings: [
        { culprit: 'eu-west-1/db', components: ['users'], message: ['single point of failure', 'no Multi-AZ standby'] },
      ],
    },
    {
      name: 'a one-replica deployment',
      model: topology('one-pod', (t) => {
        const users = t.client('users', { clientKind: 'users' });
        const eu = t.region('eu-west-1', { zones: 3 });
        t.flow(users, eu.kubernetesCluster('eks').deployment('api', { image: 'api:1.0.0' }));
      }),
      findings: [{ culprit: 'eu-west-1/eks/api', message: ['1 pod replica'] }],
    },
    {
      name: 'regional writes to another region (tv-voting: every vote to us-east-1)',
      model: topology('cross-region', (t) => {
        const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
        const db = us.postgres('rds', { multiAz: true });
        const usVote = us.service('vote', { runtime: 'lambda' });
        const euVote = eu.service('vote', { runtime: 'lambda' });
        t.flow(usVote, db, { kind: 'write' });
        t.flow(euVote, db, { kind: 'write' });
      }),
      findings: [
        { components: ['eu-west-1/vote', 'us-east-1/rds'], message: ['eu-west-1 depends on us-east-1 synchronously'] },
      ],
    },
    {
      name: 'a single-instance engine behind an ALB-class Ingress: the Ingress cluster is no route around it',
      model: topology('ingress-engine', (t) => {
        const users = t.client('users', { clientKind: 'users' });
        const us = t.region('us-east-1', { zones: 3 });
        const eu = t.region('eu-west-1');
        const eks = us.kubernetesCluster('eks');
        const ingress = eks.ingress('query', { className: 'alb' });
        t.flow(users, ingress);
        t.flow(ingress, eu.service('engine', { runtime: 'ec2' }));
      }),
      findings: [
        { message: ['us-east-1 depends on eu-west-1 synchronously'] },
        { culprit: 'eu-west-1/engine', components: ['users'], message: ['single point of failure'] },
      ],
    },
    {
      name: 'an identity provider every region calls synchronously with no fallback (tv-voting: Auth0)',
      model: topology('idp', (t) => {
        const idp = t.external('auth0', { vendor: 'Auth0', service: 'Identity Provider' });
        for (const code of ['us-east-1', 'eu-west-1'] as const) {
          const r = t.region(code, { zones: 3 });
          t.flow(r.kubernetesCluster('eks').deployment('auth', { image: 'auth:1.0.0', replicas: 3 }), idp);
        }
      }),
      findings: [
        {
          culprit: 'auth0',
          severity: 'warning',
          components: ['us-east-1/eks/auth', 'eu-west-1/eks/auth'],
          message: ['every region (eu-west-1, us-east-1)', 'no fallback is declared'],
        },
      ],
    },
    {
      name: 'a single-zone cache while the region declares three zones (hld-global ElastiCache in AZ 3)',
      model: topology('az3', (t) => {
        const us = t.region('us-east-1', { zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'] });
        us.inZones(['us-east-1c']).redis('elasticache', { multiAz: false });
      }),
      findings: [
        {
          culprit: 'us-east-1/elasticache',
          severity: 'warning',
          message: ['one zone (us-east-1c)', 'us-east-1a, us-east-1b, us-east-1c'],
        },
      ],
    },
    {
      // Two zones are already several: the threshold is two, so both findings below hold at exactly two.
      name: 'a single-zone cache while the region declares exactly two zones',
      model: topology('two-zones', (t) => {
        const us = t.region('us-east-1', { zones: ['us-east-1a', 'us-east-1b'] });
        us.inZones(['us-east-1b']).redis('elasticache', { multiAz: false });
      }),
      findings: [
        {
          culprit: 'us-east-1/elasticache',
          severity: 'warning',
          message: ['one zone (us-east-1b)', 'us-east-1 is declared with zones us-east-1a, us-east-1b'],
        },
      ],
    },
    {
      name: 'a DR cluster in one zone while another cluster spans exactly two',
      model: topology('dr-two', (t) => {
        t.region('us-east-1', { zones: ['us-east-1a', 'us-east-1b'] }).kubernetesCluster('eks');
        t.region('ap-southeast-1', { zones: ['ap-southeast-1a'] }).kubernetesCluster('dr-cluster');
      }),
      findings: [
        {
          culprit: 'ap-southeast-1/dr-cluster',
          severity: 'warning',
          message: ['other compute components run in several zones'],
        },
      ],
    },
    {
      name: 'a DR cluster in one zone while the other clusters span three (nexora)',
      model: topology('dr', (t) => {
        t.region('us-east-1', { zones: 3 }).kubernetesCluster('eks');
        t.region('ap-southeast-1', { zones: ['ap-southeast-1a'] }).kubernetesCluster('dr-cluster');
      }),
      findings: [
        {
          culprit: 'ap-southeast-1/dr-cluster',
          severity: 'warning',
          message: ['other compute components run in several zones'],
        },
      ],
    },
  ],
});

// What the findings name and carry beyond their messages: the components (exactly, without repeats), the entry
// points, regions and flows in `details` (assumptions.ts reads `details.redundancy`), and one finding per coupling.
describe('rule spof: what each finding names', () => {
  const only = (model: Topology) => check(model, { rules: ['spof'] }).findings;

  it('names every entry point a single point cuts off, the first three in the message', () => {
    const model = topology('four-entries', (t) => {
      const eu = t.region('eu-west-1');
      const db = eu.postgres('db');
      for (const name of ['web', 'mobile', 'tv', 'iot'] as const) {
        const client = t.client(name, { clientKind: name === 'web' ? 'browser' : name });
        t.flow(client, db, { kind: 'read' });
      }
    });
    const [finding, ...rest] = only(model);
    expect(rest).toEqual([]);
    expect(finding?.components).toEqual(['eu-west-1/db', 'web', 'mobile', 'tv', 'iot']);
    expect(finding?.details).toEqual({
      redundancy: 'a single instance in one zone (no Multi-AZ standby)',
      entries: ['web', 'mobile', 'tv', 'iot'],
    });
    expect(finding?.message).toContain('requests from web, mobile, tv and 1 more have no route around it');
    // Three entry points are named in full.
    const three = topology('three-entries', (t) => {
      const db = t.region('eu-west-1').postgres('db');
      for (const name of ['mobile', 'tv', 'iot'] as const) t.flow(t.client(name, { clientKind: name }), db);
    });
    expect(only(three)[0]?.message).toContain('requests from mobile, tv, iot have no route around it');
  });

  it('does not report an entry point (a workload nothing calls) as its own single point', () => {
    const model = topology('no-clients', (t) => {
      const eu = t.region('eu-west-1', { zones: 3 });
      t.flow(eu.service('batch', { runtime: 'ec2' }), eu.postgres('db', { multiAz: true }), { kind: 'write' });
    });
    expect(only(model).map((f) => f.message)).toEqual([]);
  });

  it('does not report a client that is called (a partner application receiving callbacks)', () => {
    const model = topology('callback', (t) => {
      const users = t.client('users', { clientKind: 'users' });
      const eu = t.region('eu-west-1', { zones: 3 });
      const api = eu.kubernetesCluster('eks').deployment('api', { image: 'api:1.0.0', replicas: 3 });
      t.flow(users, api);
      t.flow(api, t.client('partner', { clientKind: 'application' }));
    });
    expect(only(model).map((f) => f.message)).toEqual([]);
  });

  it('reports a single point pinned to one zone once, as a single point, not again as a single-zone component', () => {
    const model = topology('pinned', (t) => {
      const users = t.client('users', { clientKind: 'users' });
      const eu = t.region('eu-west-1', { zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] });
      t.flow(users, eu.inZones(['eu-west-1a']).service('api', { runtime: 'ec2' }));
    });
    const findings = only(model);
    expect(findings.map((f) => [f.components[0], f.severity])).toEqual([['eu-west-1/api', 'error']]);
  });

  it('names the zones and tier of a single-zone component', () => {
    const model = topology('az3', (t) => {
      t.region('us-east-1', { zones: ['us-east-1a', 'us-east-1b'] })
        .inZones(['us-east-1b'])
        .redis('cache');
    });
    expect(only(model).map((f) => f.details)).toEqual([{ zones: ['us-east-1b'], tier: 'data' }]);
  });

  it('reports two regions calling each other synchronously as one coupling naming every flow', () => {
    const model = topology('mutual', (t) => {
      const us = t.region('us-east-1');
      const eu = t.region('eu-west-1');
      const usDb = us.postgres('db', { multiAz: true });
      const euDb = eu.postgres('db', { multiAz: true });
      const usApi = us.service('api', { runtime: 'lambda' });
      const euApi = eu.service('api', { runtime: 'lambda' });
      t.flow(usApi, euDb, { kind: 'read', id: 'us-reads-eu' });
      t.flow(euApi, usDb, { kind: 'write', id: 'eu-writes-us' });
      t.flow(usApi, euDb, { kind: 'write', id: 'us-writes-eu' });
    });
    const findings = only(model);
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding?.message).toContain('us-east-1 and eu-west-1 depend on each other synchronously');
    expect(finding?.message).toContain(
      'us-east-1/api -> eu-west-1/db (read), eu-west-1/api -> us-east-1/db (write), us-east-1/api -> eu-west-1/db (write)',
    );
    expect(finding?.message).toContain('when either is down, these requests fail in both too');
    expect(finding?.components).toEqual(['us-east-1/api', 'eu-west-1/db', 'eu-west-1/api', 'us-east-1/db']);
    expect(finding?.details).toEqual({
      regions: ['us-east-1', 'eu-west-1'],
      flows: ['us-reads-eu', 'eu-writes-us', 'us-writes-eu'],
    });
  });

  it('keeps two region pairs apart even when their ids run together (a + bc, ab + c)', () => {
    const model = topology('pairs', (t) => {
      const [a, bc, ab, c] = (
        [
          ['eu-west-1', 'a'],
          ['eu-central-1', 'bc'],
          ['us-east-1', 'ab'],
          ['us-west-2', 'c'],
        ] as const
      ).map(([code, id]) => t.region(code, { id }));
      t.flow(
        (a as RegionScope).service('api', { runtime: 'lambda' }),
        (bc as RegionScope).postgres('db', { multiAz: true }),
      );
      t.flow(
        (ab as RegionScope).service('api', { runtime: 'lambda' }),
        (c as RegionScope).postgres('db', { multiAz: true }),
      );
    });
    expect(only(model).map((f) => f.details?.regions)).toEqual([
      ['a', 'bc'],
      ['ab', 'c'],
    ]);
  });

  it('names one direction when only one region calls the other, and ignores async flows', () => {
    const model = topology('one-way', (t) => {
      const us = t.region('us-east-1');
      const eu = t.region('eu-west-1');
      const usDb = us.postgres('db', { multiAz: true });
      const euApi = eu.service('api', { runtime: 'lambda' });
      t.flow(euApi, usDb, { kind: 'write', id: 'w' });
      t.flow(euApi, usDb, { kind: 'read', id: 'r' });
      t.flow(us.service('api', { runtime: 'lambda' }), eu.queue('events'), { kind: 'publish', sync: false });
    });
    const findings = only(model);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain('eu-west-1 depends on us-east-1 synchronously');
    expect(findings[0]?.message).toContain('when us-east-1 is down, these requests fail in eu-west-1 too');
    expect(findings[0]?.components).toEqual(['eu-west-1/api', 'us-east-1/db']);
    expect(findings[0]?.details).toEqual({ regions: ['eu-west-1', 'us-east-1'], flows: ['w', 'r'] });
  });

  it('names the vendor, the service, the regions and each caller once for an external single point', () => {
    const model = topology('idp', (t) => {
      const idp = t.external('auth0', { vendor: 'Auth0', service: 'Identity Provider' });
      const us = t.region('us-east-1', { zones: 3 });
      const auth = us.kubernetesCluster('eks').deployment('auth', { image: 'auth:1.0.0', replicas: 3 });
      t.flow(auth, idp, { kind: 'read', id: 'login' });
      t.flow(auth, idp, { kind: 'write', id: 'signup' });
    });
    const [finding, ...rest] = only(model);
    expect(rest).toEqual([]);
    expect(finding?.message).toContain('auth0 (Auth0, Identity Provider) is a single point of failure');
    expect(finding?.message).toContain('us-east-1, the only region, calls it synchronously');
    expect(finding?.components).toEqual(['auth0', 'us-east-1/eks/auth']);
    expect(finding?.details).toEqual({ regions: ['us-east-1'], callers: ['login', 'signup'] });
    const bare = topology('pay', (t) => {
      t.flow(t.region('us-east-1').service('pay', { runtime: 'lambda' }), t.external('stripe', { vendor: 'Stripe' }));
    });
    expect(
      only(bare)
        .map((f) => f.message)
        .find((m) => m.startsWith('stripe')),
    ).toContain('stripe (Stripe) is');
  });

  it('finds no external single point when no component sits in a region', () => {
    const model = topology('no-regions', (t) => {
      t.flow(t.client('users', { clientKind: 'users' }), t.external('auth0', { vendor: 'Auth0' }));
    });
    expect(only(model).map((f) => f.message)).toEqual([]);
  });
});
