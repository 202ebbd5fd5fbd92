import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { publishedSlas } from '../../src/check/published-slas.ts';
import { topology } from '../../src/dsl/topology.ts';
import type { Topology } from '../../src/model/schema.ts';

// A WAF is the same factor however it is written (docs/decisions/032-waf-one-factor.md): a component in front of the
// CDN and a policy on it must give one availability, its own SLA where the provider publishes one (AWS WAF, Cloud
// Armor), none where its host's SLA covers it (Azure WAF on Front Door).
type WafProvider = 'aws-waf' | 'azure-waf' | 'cloud-armor';
const cdnOf: Record<WafProvider, 'cloudfront' | 'azure-front-door' | 'cloud-cdn'> = {
  'aws-waf': 'cloudfront',
  'azure-waf': 'azure-front-door',
  'cloud-armor': 'cloud-cdn',
};

const design = (provider: WafProvider, written: 'component' | 'policy'): Topology =>
  topology('waf', (t) => {
    t.sla({ availability: 99.9 });
    const users = t.client('users', { clientKind: 'users' });
    const cdn = t.cdn('cdn', {
      provider: cdnOf[provider],
      ...(written === 'policy' ? { waf: { provider } } : {}),
    });
    if (written === 'component') {
      const waf = t.waf('waf', { provider });
      t.flow(users, waf);
      t.flow(waf, cdn);
    } else t.flow(users, cdn);
    t.flow(cdn, t.region('eu-west-1').objectStore('site', {}));
  });

const percent = (model: Topology) => {
  const [entry] = check(model).explain.availability;
  if (entry === undefined) throw new Error('no entry point');
  return entry.percent;
};

describe('a WAF is one factor, drawn in front of the CDN or declared on it', () => {
  for (const provider of ['aws-waf', 'azure-waf', 'cloud-armor'] as const) {
    it(`gives the same availability both ways: ${provider}`, () => {
      expect(percent(design(provider, 'policy'))).toBeCloseTo(percent(design(provider, 'component')), 9);
    });
  }

  it('counts AWS WAF in series (its own published SLA) and Azure WAF not at all (covered by Front Door)', () => {
    const withoutWaf = (cdn: 'cloudfront' | 'azure-front-door') =>
      percent(
        topology('bare', (t) => {
          const front = t.cdn('cdn', { provider: cdn });
          t.flow(t.client('users', { clientKind: 'users' }), front);
          t.flow(front, t.region('eu-west-1').objectStore('site', {}));
        }),
      );
    expect(percent(design('aws-waf', 'policy'))).toBeCloseTo(
      (withoutWaf('cloudfront') * publishedSlas.awsWaf.percent) / 100,
      3,
    );
    expect(percent(design('aws-waf', 'policy'))).toBeLessThan(withoutWaf('cloudfront'));
    expect(percent(design('azure-waf', 'component'))).toBeCloseTo(withoutWaf('azure-front-door'), 9);
  });
});
