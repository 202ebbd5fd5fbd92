import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { autoscaling } from '../../src/check/rules/autoscaling.ts';
import { topology } from '../../src/dsl/topology.ts';
import { testRule } from './rule-tester.ts';

const workload = (
  hpa: 'cpu' | 'memory' | 'custom' | undefined,
  vpa: 'Off' | 'Initial' | 'Recreate' | 'Auto' | undefined,
) =>
  topology('scaling', (t) => {
    t.region('eu-west-1')
      .kubernetesCluster('eks')
      .deployment('discovery-service', {
        image: 'discovery:1.0.0',
        ...(hpa
          ? {
              hpa: {
                metrics: [{ type: hpa, target: 70, ...(hpa === 'custom' ? { name: 'http_requests_per_second' } : {}) }],
              },
            }
          : {}),
        ...(vpa ? { vpa: { mode: vpa } } : {}),
      });
  });

testRule(autoscaling, {
  valid: [
    { name: 'HPA on CPU, no VPA', model: workload('cpu', undefined) },
    { name: 'HPA on CPU, VPA recommending only (Off)', model: workload('cpu', 'Off') },
    { name: 'HPA on a custom metric with a VPA in Auto', model: workload('custom', 'Auto') },
    { name: 'VPA in Auto, no HPA', model: workload(undefined, 'Auto') },
  ],
  invalid: [
    {
      name: 'HPA on CPU and VPA in Auto (nexora discovery-service)',
      model: workload('cpu', 'Auto'),
      findings: [{ culprit: 'eu-west-1/eks/discovery-service', message: ['HPA scaling on cpu', 'VPA in Auto mode'] }],
    },
    {
      name: 'HPA on memory and VPA in Recreate',
      model: workload('memory', 'Recreate'),
      findings: [{ message: ['memory', 'Recreate'] }],
    },
  ],
});

// Exact findings (issue 22, mutation testing): each resource metric named once, the mode, the line, the details.
describe('rule autoscaling: exact findings', () => {
  it('an HPA on CPU, memory and a custom metric beside a VPA in Auto: names CPU and memory once each', () => {
    const model = topology('both-metrics', (t) => {
      t.region('eu-west-1')
        .kubernetesCluster('eks')
        .deployment('api', {
          image: 'api:1.0.0',
          hpa: {
            metrics: [
              { type: 'cpu', target: 70 },
              { type: 'custom', target: 100, name: 'http_requests_per_second' },
              { type: 'memory', target: 80 },
              { type: 'cpu', target: 60 },
            ],
          },
          vpa: { mode: 'Auto' },
        });
    });
    expect(check(model, { rules: ['autoscaling'], explain: false }).findings).toEqual([
      {
        rule: 'autoscaling',
        severity: 'error',
        message:
          'eu-west-1/eks/api has an HPA scaling on cpu and memory and a VPA in Auto mode resizing the same cpu and memory requests: they work against each other.',
        hint: 'scale the HPA on a custom or external metric (requests per second) only, or set the VPA to Off/Initial (recommendations only)',
        components: ['eu-west-1/eks/api'],
        location: model.components.find((c) => c.id === 'eu-west-1/eks/api')?.source,
        details: { hpaMetrics: ['cpu', 'memory'], vpaMode: 'Auto' },
      },
    ]);
  });

  it('a VPA in Initial mode only sets requests at creation: no finding', () => {
    expect(check(workload('cpu', 'Initial'), { rules: ['autoscaling'] }).findings).toEqual([]);
  });
});
