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
