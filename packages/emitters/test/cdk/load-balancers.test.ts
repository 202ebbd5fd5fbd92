import { parseTopology, type TopologyInput } from '@meridian/topology';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { toCdkApp } from '../../src/cdk/emitter.ts';
import { EmitError } from '../../src/errors.ts';
import { synthesize, templateOf } from './support/synth.ts';

const region = { code: 'eu-west-1', role: 'primary', jurisdiction: 'EU', zones: ['eu-west-1a', 'eu-west-1b'] };
const at = { region: 'eu-west-1' };
const model = (components: TopologyInput['components']) =>
  ({ name: 'shop', regions: [region], components, flows: [] }) as TopologyInput;

describe('cdk network load balancers', () => {
  it('emits an NLB with its listeners, each forwarding to an IP target group, and passes cdk-nag', async () => {
    const app = await synthesize(
      model([
        {
          id: 'eu-west-1/ingest',
          kind: 'loadBalancer',
          placement: at,
          type: 'nlb',
          crossZone: true,
          listeners: [
            { protocol: 'tls', port: 443 },
            { protocol: 'udp', port: 5514 },
          ],
        },
        { id: 'eu-west-1/internal', kind: 'loadBalancer', placement: at, type: 'nlb', scheme: 'internal' },
      ] as TopologyInput['components']),
    );
    const template = templateOf(app, 'eu-west-1');
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      Scheme: 'internet-facing',
      Tags: Match.arrayWith([{ Key: 'meridian:component', Value: 'eu-west-1/ingest' }]),
    });
    // Attribute order is CDK's: one assertion each.
    for (const [Key, Value] of [
      ['load_balancing.cross_zone.enabled', 'true'],
      ['deletion_protection.enabled', 'true'],
      ['access_logs.s3.enabled', 'true'],
    ]) {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        Scheme: 'internet-facing',
        LoadBalancerAttributes: Match.arrayWith([{ Key, Value }]),
      });
    }
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Type: 'network',
      Scheme: 'internal',
      Tags: Match.arrayWith([{ Key: 'meridian:component', Value: 'eu-west-1/internal' }]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'TLS',
      Port: 443,
      Certificates: [{ CertificateArn: Match.anyValue() }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Protocol: 'UDP', Port: 5514 });
    // Three listeners in all (the internal NLB gets TLS 443, the model lists none), each with its target group.
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 3);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 3);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Protocol: 'TCP',
      Port: 443,
      TargetType: 'ip',
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.arrayWith([
        Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: 'udp', FromPort: 5514 }),
      ]),
    });
  }, 300_000);

  it('refuses an NLB listening on HTTP(S), naming the listeners', () => {
    let error: unknown;
    try {
      toCdkApp(
        parseTopology(
          model([
            {
              id: 'eu-west-1/nlb',
              kind: 'loadBalancer',
              placement: at,
              type: 'nlb',
              listeners: [{ protocol: 'https', port: 443 }],
            },
          ] as TopologyInput['components']),
        ),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EmitError);
    expect((error as EmitError).path).toEqual(['components', 'eu-west-1/nlb', 'listeners']);
  });
});
