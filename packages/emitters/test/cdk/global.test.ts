import { parseTopology, type TopologyInput } from '@meridian/topology';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { toCdkApp } from '../../src/cdk/emitter.ts';
import { EmitError } from '../../src/errors.ts';
import { synthesize, templateOf } from './support/synth.ts';

const regions = [
  { code: 'eu-west-1', role: 'primary', jurisdiction: 'EU', zones: ['eu-west-1a', 'eu-west-1b'] },
  { code: 'eu-central-1', role: 'secondary', jurisdiction: 'EU', zones: ['eu-central-1a', 'eu-central-1b'] },
];
const alb = (region: string) => ({
  id: `${region}/alb`,
  kind: 'loadBalancer',
  placement: { region },
  type: 'alb',
  listeners: [{ protocol: 'http', port: 80 }],
});

function model(dns: Record<string, unknown>, flows: TopologyInput['flows'], extra: unknown[] = []): TopologyInput {
  return {
    name: 'shop',
    regions,
    components: [
      { id: 'dns', kind: 'dns', placement: 'global', provider: 'route53', domain: 'shop.example.eu', ...dns },
      alb('eu-west-1'),
      alb('eu-central-1'),
      ...extra,
    ],
    flows,
  } as TopologyInput;
}

describe('cdk global components', () => {
  it('failover records with health checks, unstated interval and threshold left to Route 53, and a WAF on both load balancers', async () => {
    const app = await synthesize(
      model(
        { routing: 'failover', healthCheck: { path: '/healthz' } },
        [
          { id: 'a', from: 'dns', to: 'eu-west-1/alb', routing: { failover: 'primary' } },
          { id: 'b', from: 'dns', to: 'eu-central-1/alb', routing: { failover: 'secondary' } },
          { id: 'c', from: 'waf', to: 'eu-west-1/alb' },
          { id: 'd', from: 'waf', to: 'eu-central-1/alb' },
        ] as TopologyInput['flows'],
        [
          {
            id: 'waf',
            kind: 'waf',
            placement: 'global',
            provider: 'aws-waf',
            rateLimitPerIp: 2000,
            managedRules: ['AWSManagedRulesCommonRuleSet'],
          },
        ],
      ),
    );
    // No model region in us-east-1: the global components get a stack of their own there.
    expect(app.files.has('lib/global-stack.ts')).toBe(true);
    const global = templateOf(app, 'us-east-1');
    global.resourceCountIs('AWS::Route53::RecordSet', 2);
    for (const [target, role] of [
      ['eu-west-1/alb', 'PRIMARY'],
      ['eu-central-1/alb', 'SECONDARY'],
    ]) {
      global.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'shop.example.eu.',
        Type: 'A',
        SetIdentifier: target,
        Failover: role,
        HealthCheckId: Match.anyValue(),
        AliasTarget: Match.objectLike({ EvaluateTargetHealth: true }),
      });
    }
    global.resourceCountIs('AWS::Route53::HealthCheck', 2);
    global.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({
        Type: 'HTTPS',
        ResourcePath: '/healthz',
        RequestInterval: 30,
        FailureThreshold: 3,
      }),
    });
    // Each region's load balancer gets a REGIONAL web ACL of its stack, associated with it.
    for (const region of ['eu-west-1', 'eu-central-1']) {
      const template = templateOf(app, region);
      template.hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'REGIONAL',
        Rules: Match.arrayWith([
          Match.objectLike({
            Name: 'rate-limit-per-ip',
            Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } },
          }),
          Match.objectLike({ Name: 'AWSManagedRulesCommonRuleSet', Priority: 1 }),
        ]),
      });
      template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    }
  }, 300_000);

  it('unstated routing to one target is one simple record, with no health check', async () => {
    const app = await synthesize(
      model({ healthCheck: { path: '/healthz' } }, [
        { id: 'a', from: 'dns', to: 'eu-west-1/alb' },
      ] as TopologyInput['flows']),
    );
    const global = templateOf(app, 'us-east-1');
    global.resourceCountIs('AWS::Route53::RecordSet', 1);
    global.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'shop.example.eu.',
      SetIdentifier: Match.absent(),
    });
    global.resourceCountIs('AWS::Route53::HealthCheck', 0);
  }, 300_000);

  it('geolocation records by continent, country and subdivision, the default to the target without locations', async () => {
    const app = await synthesize(
      model({ routing: 'geolocation' }, [
        { id: 'a', from: 'dns', to: 'eu-west-1/alb', routing: { locations: ['EU', 'US-CA'] } },
        { id: 'b', from: 'dns', to: 'eu-central-1/alb' },
      ] as TopologyInput['flows']),
    );
    const global = templateOf(app, 'us-east-1');
    global.resourceCountIs('AWS::Route53::RecordSet', 3);
    for (const [SetIdentifier, GeoLocation] of [
      ['eu-west-1/alb-EU', { ContinentCode: 'EU' }],
      ['eu-west-1/alb-US-CA', { CountryCode: 'US', SubdivisionCode: 'CA' }],
      ['eu-central-1/alb', { CountryCode: '*' }],
    ] as const) {
      global.hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier, GeoLocation });
    }
  }, 300_000);

  it('weighted records carry the flow weights', async () => {
    const app = await synthesize(
      model({ routing: 'weighted' }, [
        { id: 'a', from: 'dns', to: 'eu-west-1/alb', routing: { weight: 70 } },
        { id: 'b', from: 'dns', to: 'eu-central-1/alb', routing: { weight: 30 } },
      ] as TopologyInput['flows']),
    );
    const global = templateOf(app, 'us-east-1');
    global.hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'eu-west-1/alb', Weight: 70 });
    global.hasResourceProperties('AWS::Route53::RecordSet', { SetIdentifier: 'eu-central-1/alb', Weight: 30 });
  }, 300_000);

  it('refuses unstated routing to several targets, naming the routing field', () => {
    let error: unknown;
    try {
      toCdkApp(
        parseTopology(
          model({}, [
            { id: 'a', from: 'dns', to: 'eu-west-1/alb' },
            { id: 'b', from: 'dns', to: 'eu-central-1/alb' },
          ] as TopologyInput['flows']),
        ),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EmitError);
    expect((error as EmitError).code).toBe('cdk-unsupported');
    expect((error as EmitError).path).toEqual(['components', 'dns', 'routing']);
  });
});

describe('cdk ElastiCache Global Datastore', () => {
  it('makes the global group on the primary; the secondary joins it by the id read across regions', async () => {
    const app = await synthesize({
      name: 'shop',
      regions,
      components: [
        {
          id: 'eu-west-1/cache',
          kind: 'redis',
          placement: { region: 'eu-west-1' },
          replicasPerShard: 1,
          multiAz: true,
          globalDatastore: { role: 'primary' },
        },
        {
          id: 'eu-central-1/cache',
          kind: 'redis',
          placement: { region: 'eu-central-1' },
          replicasPerShard: 1,
          multiAz: true,
          globalDatastore: { role: 'secondary', primary: 'eu-west-1/cache' },
        },
      ],
      flows: [],
    } as TopologyInput);
    const primary = templateOf(app, 'eu-west-1');
    const secondary = templateOf(app, 'eu-central-1');
    primary.hasResourceProperties('AWS::ElastiCache::GlobalReplicationGroup', {
      GlobalReplicationGroupIdSuffix: 'eu-west-1-cache',
      Members: [{ ReplicationGroupId: Match.anyValue(), ReplicationGroupRegion: 'eu-west-1', Role: 'PRIMARY' }],
    });
    primary.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Engine: 'redis',
      AtRestEncryptionEnabled: true,
      TransitEncryptionEnabled: true,
    });
    secondary.resourceCountIs('AWS::ElastiCache::GlobalReplicationGroup', 0);
    // The global id AWS prefixes at creation reaches the secondary's region through CDK's cross-region references.
    secondary.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      GlobalReplicationGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ExportsReader'), Match.anyValue()] },
      Engine: Match.absent(),
      CacheNodeType: Match.absent(),
      NumCacheClusters: 2,
      Tags: Match.arrayWith([{ Key: 'meridian:component', Value: 'eu-central-1/cache' }]),
    });
  }, 300_000);
});
