import { scheduling } from '../../src/check/rules/scheduling.ts';
import { topology } from '../../src/dsl/topology.ts';
import type { NodeGroup } from '../../src/model/schema.ts';
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
