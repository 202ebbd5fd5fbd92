import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { scheduling } from '../../src/check/rules/scheduling.ts';
import { topology } from '../../src/dsl/topology.ts';
import type { NodeGroup, Topology } from '../../src/model/schema.ts';
import { testRule } from './rule-tester.ts';

type GroupInput = Partial<NodeGroup> & { name: string };
const group = (g: GroupInput) => ({ instanceTypes: ['m6i.2xlarge'], min: 3, max: 10, ...g });

testRule(scheduling, {
  valid: [
    {
      name: 'selector, toleration and requests that fit the tainted group',
      model: topology('fits', (t) => {
        const eks = t.region('eu-west-1').kubernetesCluster('eks', {
          nodeGroups: [
            group({
              name: 'platform',
              labels: { 'node-type': 'platform' },
              taints: [{ key: 'platform', value: 'true', effect: 'NoSchedule' }],
            }),
          ],
        });
        eks.deployment('discovery', {
          image: 'discovery:1.0.0',
          replicas: { min: 3, max: 20 },
          nodeSelector: { 'node-type': 'platform' },
          tolerations: [{ key: 'platform', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
          resources: { requests: { cpu: '250m', memory: '512Mi' } },
        });
      }),
    },
    {
      name: 'a stateless deployment may run on spot; a statefulset on an on-demand group',
      model: topology('spot-ok', (t) => {
        const eks = t.region('eu-west-1').kubernetesCluster('eks', {
          nodeGroups: [
            group({ name: 'spot', capacityType: 'spot', labels: { pool: 'spot' } }),
            group({ name: 'stable', labels: { pool: 'stable' } }),
          ],
        });
        eks.deployment('web', { image: 'web:1.0.0', nodeSelector: { pool: 'spot' } });
        eks.statefulSet('db', { image: 'pg:16.2', nodeSelector: { pool: 'stable' } });
      }),
    },
    {
      name: 'a cluster without declared node groups is not judged',
      model: topology('unknown', (t) => {
        t.region('eu-west-1')
          .kubernetesCluster('eks')
          .deployment('api', { image: 'api:1.0.0', nodeSelector: { any: 'thing' } });
      }),
    },
    {
      name: 'a group without min/max (hld-global) has no known ceiling, so max replicas x requests is not judged',
      model: topology('unsized', (t) => {
        const eks = t.region('eu-west-1').kubernetesCluster('eks', {
          nodeGroups: [{ name: 'application', instanceTypes: ['m6i.large'] }],
        });
        eks.deployment('api', {
          image: 'api:1.0.0',
          replicas: { min: 10, max: 100 },
          resources: { requests: { cpu: 1, memory: '1Gi' } },
        });
      }),
    },
    {
      name: 'an ALB-class Ingress runs no pods; a Prometheus with a toleration fits the tainted group',
      model: topology('no-pods', (t) => {
        const eks = t.region('eu-west-1').kubernetesCluster('eks', {
          nodeGroups: [group({ name: 'platform', taints: [{ key: 'platform', value: 'true', effect: 'NoSchedule' }] })],
        });
        eks.ingress('web', { className: 'alb' });
        eks.observability('prometheus', {
          product: 'prometheus',
          tolerations: [{ key: 'platform', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
        });
      }),
    },
  ],
  invalid: [
    {
      name: 'every group tainted, no toleration (orasi)',
      model: topology('tainted', (t) => {
        const eks = t.region('us-east-1').kubernetesCluster('eks', {
          nodeGroups: [
            group({
              name: 'ingestion',
              labels: { 'node-type': 'ingestion' },
              taints: [{ key: 'workload', value: 'ingestion', effect: 'NoSchedule' }],
            }),
            group({
              name: 'query-compute',
              labels: { 'node-type': 'query-compute' },
              taints: [{ key: 'workload', value: 'query', effect: 'NoSchedule' }],
            }),
          ],
        });
        eks.deployment('query-gateway', { image: 'gw:1.0.0', nodeSelector: { 'node-type': 'query-compute' } });
      }),
      findings: [
        {
          culprit: 'us-east-1/eks/query-gateway',
          components: ['us-east-1/eks'],
          message: [
            'fits no node group',
            'ingestion lacks label node-type=query-compute',
            'query-compute is tainted workload=query:NoSchedule with no toleration',
          ],
        },
      ],
    },
    {
      name: 'requests larger than the largest instance, and max replicas beyond the group at its max',
      model: topology('too-big', (t) => {
        const eks = t.region('us-east-1').kubernetesCluster('eks', {
          nodeGroups: [group({ name: 'general', instanceTypes: ['m6i.large', 'm6i.xlarge'], max: 4 })],
        });
        eks.deployment('huge', { image: 'huge:1.0.0', resources: { requests: { cpu: 8, memory: '4Gi' } } });
        eks.deployment('many', {
          image: 'many:1.0.0',
          replicas: { min: 2, max: 20 },
          resources: { requests: { cpu: '1', memory: '1Gi' } },
        });
      }),
      findings: [
        { culprit: 'us-east-1/eks/huge', message: ['requests 8 CPU', 'largest instance (4 vCPU)'] },
        { culprit: 'us-east-1/eks/many', message: ['20 replicas x 1 CPU = 20 CPU', '4 x 4 vCPU = 16'] },
      ],
    },
    {
      name: 'an in-cluster database whose only fitting group is spot (nexora CloudNativePG)',
      model: topology('pg-on-spot', (t) => {
        const eks = t.region('us-east-1').kubernetesCluster('eks', {
          nodeGroups: [
            group({ name: 'platform-nodes', taints: [{ key: 'platform', value: 'true', effect: 'NoSchedule' }] }),
            group({ name: 'spot-nodes', capacityType: 'spot', instanceTypes: ['m5.large'] }),
          ],
        });
        eks.postgres('postgres-primary', { platform: 'cnpg', replicas: 3 });
      }),
      findings: [
        {
          culprit: 'us-east-1/eks/postgres-primary',
          message: ['stateful', 'spot-nodes', 'the only node groups it fits'],
        },
      ],
    },
    {
      name: 'an nginx Ingress controller runs pods, and this one tolerates no taint',
      model: topology('nginx', (t) => {
        const eks = t.region('eu-west-1').kubernetesCluster('eks', {
          nodeGroups: [group({ name: 'platform', taints: [{ key: 'platform', value: 'true', effect: 'NoSchedule' }] })],
        });
        eks.ingress('web', { className: 'nginx' });
      }),
      findings: [{ culprit: 'eu-west-1/eks/web', message: ['fits no node group', 'tainted platform=true:NoSchedule'] }],
    },
  ],
});

// Exact findings (issue 22, mutation testing): every group's reason, the taint and toleration forms, the arithmetic
// of requests against the largest instance and the group at its max, and the spot finding's wording.
describe('rule scheduling: exact findings', () => {
  const run = (model: Topology) => check(model, { rules: ['scheduling'], explain: false }).findings;
  const at = (model: Topology, id: string) => model.components.find((c) => c.id === id)?.source;

  it('fits no group: each group its own reason, in the message and the details', () => {
    const model = topology('misfit-exact', (t) => {
      const eks = t.region('us-east-1').kubernetesCluster('eks', {
        nodeGroups: [
          group({ name: 'labelled', labels: { pool: 'other' } }),
          group({ name: 'tainted', taints: [{ key: 'gpu', effect: 'NoExecute' }] }),
          group({ name: 'small', instanceTypes: ['m6i.large'] }),
          group({ name: 'memory', instanceTypes: ['m6i.large'] }),
        ],
      });
      eks.deployment('api', {
        image: 'api:1.0.0',
        nodeSelector: { pool: 'api' },
        resources: { requests: { cpu: 4, memory: '4Gi' } },
      });
    });
    const reasons = {
      labelled: 'node group labelled lacks label pool=api',
      tainted: 'node group tainted lacks label pool=api',
      small: 'node group small lacks label pool=api',
      memory: 'node group memory lacks label pool=api',
    };
    expect(run(model)).toEqual([
      {
        rule: 'scheduling',
        severity: 'error',
        message: `us-east-1/eks/api fits no node group of us-east-1/eks: ${Object.values(reasons).join('; ')}.`,
        hint: 'add the matching tolerations and nodeSelector, lower the requests, or add a node group that can run it',
        components: ['us-east-1/eks/api', 'us-east-1/eks'],
        location: at(model, 'us-east-1/eks/api'),
        details: { cluster: 'us-east-1/eks', reasons },
      },
    ]);
  });

  it('taints: a key-only taint, PreferNoSchedule ignored, Exists without a key tolerating all, a wrong effect not', () => {
    const model = topology('taints', (t) => {
      const eks = t.region('us-east-1').kubernetesCluster('eks', {
        nodeGroups: [
          group({
            name: 'g',
            taints: [
              { key: 'dedicated', effect: 'NoExecute' },
              { key: 'soft', value: 'x', effect: 'PreferNoSchedule' },
            ],
          }),
        ],
      });
      eks.deployment('none', { image: 'a:1.0.0' });
      eks.deployment('all', { image: 'a:1.0.0', tolerations: [{ operator: 'Exists' }] });
      eks.deployment('key', { image: 'a:1.0.0', tolerations: [{ key: 'dedicated', operator: 'Exists' }] });
      eks.deployment('effect', {
        image: 'a:1.0.0',
        tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }],
      });
      eks.deployment('value', {
        image: 'a:1.0.0',
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'yes', effect: 'NoExecute' }],
      });
      eks.deployment('other-key', { image: 'a:1.0.0', tolerations: [{ key: 'other', operator: 'Exists' }] });
    });
    expect(run(model).map((f) => [f.components[0], f.details?.reasons])).toEqual(
      ['none', 'effect', 'value', 'other-key'].map((name) => [
        `us-east-1/eks/${name}`,
        { g: 'node group g is tainted dedicated:NoExecute with no toleration' },
      ]),
    );
  });

  it('tolerations: Exists with a key tolerates any value of the taint; an empty key with Exists tolerates all', () => {
    const model = topology('toleration-forms', (t) => {
      const eks = t.region('us-east-1').kubernetesCluster('eks', {
        nodeGroups: [group({ name: 'ml', taints: [{ key: 'dedicated', value: 'ml', effect: 'NoSchedule' }] })],
      });
      eks.deployment('exists', { image: 'a:1.0.0', tolerations: [{ key: 'dedicated', operator: 'Exists' }] });
      eks.deployment('equal', {
        image: 'a:1.0.0',
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ml' }],
      });
      eks.deployment('other-value', {
        image: 'a:1.0.0',
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu' }],
      });
      // The API server reads an empty key as no key: with Exists it matches every taint.
      eks.deployment('empty-key', { image: 'a:1.0.0', tolerations: [{ key: '', operator: 'Exists' }] });
    });
    expect(run(model).map((f) => [f.components[0], f.details?.reasons])).toEqual([
      ['us-east-1/eks/other-value', { ml: 'node group ml is tainted dedicated=ml:NoSchedule with no toleration' }],
    ]);
  });

  it('requests are judged only against a group whose every instance type is known', () => {
    const model = topology('unknown-sizes', (t) => {
      const eu = t.region('us-east-1');
      const request = { replicas: { min: 1, max: 50 }, resources: { requests: { cpu: 8, memory: '64Gi' } } };
      // No instance type named (nexora's DR cluster): nothing to compare with.
      eu.kubernetesCluster('unnamed', { nodeGroups: [group({ name: 'g', instanceTypes: [] })] }).deployment('api', {
        image: 'a:1.0.0',
        ...request,
      });
      // m6i.large (2 vCPU) is known, n2-standard-32 is not: the unknown one may be the large one.
      eu.kubernetesCluster('mixed', {
        nodeGroups: [group({ name: 'g', instanceTypes: ['m6i.large', 'n2-standard-32'] })],
      }).deployment('api', { image: 'a:1.0.0', ...request });
      // The same request against m6i.large alone is judged.
      eu.kubernetesCluster('known', { nodeGroups: [group({ name: 'g', instanceTypes: ['m6i.large'] })] }).deployment(
        'api',
        { image: 'a:1.0.0', ...request },
      );
    });
    expect(run(model).map((f) => [f.components[0], f.details?.reasons])).toEqual([
      ['us-east-1/known/api', { g: "a pod requests 8 CPU, more than g's largest instance (2 vCPU)" }],
    ]);
  });

  it('requests against the largest instance (CPU, then memory) and the group at its max (CPU, then memory)', () => {
    const model = topology('sizes', (t) => {
      const eks = t.region('us-east-1').kubernetesCluster('eks', {
        nodeGroups: [group({ name: 'g', instanceTypes: ['m6i.large', 'm6i.xlarge'], min: 1, max: 2 })],
      });
      eks.deployment('cpu', { image: 'a:1.0.0', resources: { requests: { cpu: 4.5 } } });
      eks.deployment('memory', { image: 'a:1.0.0', resources: { requests: { memory: '17Gi' } } });
      eks.deployment('fits', { image: 'a:1.0.0', resources: { requests: { cpu: 4, memory: '16Gi' } } });
      eks.deployment('many-cpu', {
        image: 'a:1.0.0',
        replicas: { min: 1, max: 3 },
        resources: { requests: { cpu: 3 } },
      });
      eks.deployment('many-memory', {
        image: 'a:1.0.0',
        replicas: { min: 1, max: 3 },
        resources: { requests: { memory: '11Gi' } },
      });
      eks.deployment('at-max', {
        image: 'a:1.0.0',
        replicas: { min: 1, max: 2 },
        resources: { requests: { cpu: 4, memory: '16Gi' } },
      });
      eks.daemonSet('agent', { image: 'a:1.0.0', replicas: { min: 1, max: 30 }, resources: { requests: { cpu: 1 } } });
    });
    expect(run(model).map((f) => [f.components[0], f.details?.reasons])).toEqual([
      ['us-east-1/eks/cpu', { g: "a pod requests 4.5 CPU, more than g's largest instance (4 vCPU)" }],
      ['us-east-1/eks/memory', { g: "a pod requests 17 GiB, more than g's largest instance (16 GiB)" }],
      ['us-east-1/eks/many-cpu', { g: '3 replicas x 3 CPU = 9 CPU exceeds g at its max (2 x 4 vCPU = 8)' }],
      ['us-east-1/eks/many-memory', { g: '3 replicas x 11 GiB exceeds g at its max (2 x 16 GiB)' }],
    ]);
  });

  it('stateful on spot beside an on-demand group it also fits: names the spot groups only', () => {
    const model = topology('spot-exact', (t) => {
      const eks = t.region('us-east-1').kubernetesCluster('eks', {
        nodeGroups: [
          group({ name: 'spot-a', capacityType: 'spot' }),
          group({ name: 'stable' }),
          group({ name: 'spot-b', capacityType: 'spot' }),
        ],
      });
      eks.statefulSet('db', { image: 'pg:16.2' });
      eks.deployment('web', { image: 'web:1.0.0' });
    });
    expect(run(model)).toEqual([
      {
        rule: 'scheduling',
        severity: 'error',
        message:
          "us-east-1/eks/db is stateful but can be scheduled on spot capacity (spot-a, spot-b): a spot interruption evicts it with two minutes' notice.",
        hint: 'keep it off spot: taint spot-a, spot-b (e.g. spot=true:NoSchedule) or give us-east-1/eks/db a nodeSelector for an on-demand group',
        components: ['us-east-1/eks/db', 'us-east-1/eks'],
        location: at(model, 'us-east-1/eks/db'),
        details: { cluster: 'us-east-1/eks', spotGroups: ['spot-a', 'spot-b'] },
      },
    ]);
  });
});
