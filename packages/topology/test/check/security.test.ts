import { security } from '../../src/check/rules/security.ts';
import { topology } from '../../src/dsl/topology.ts';
import { testRule } from './rule-tester.ts';

testRule(security, {
  valid: [
    {
      name: 'private endpoint, pinned image, encrypted private bucket and database',
      model: topology('sound', (t) => {
        const eu = t.region('eu-west-1');
        eu.kubernetesCluster('eks', { endpointAccess: 'private' }).deployment('api', {
          image: 'registry.example.eu/shop/api:2.14.1',
        });
        eu.objectStore('lake', { bucket: 'lake', encryption: 'sse-kms' });
        eu.postgres('db', { storageEncrypted: true });
      }),
    },
    {
      name: 'public endpoint restricted to an office range; image pinned by digest; registry with a port',
      model: topology('restricted', (t) => {
        const eks = t
          .region('eu-west-1')
          .kubernetesCluster('eks', { endpointAccess: 'both', publicAccessCidrs: ['203.0.113.0/24'] });
        eks.deployment('a', { image: 'nexora/discovery-service@sha256:4f2a' });
        eks.deployment('b', { image: 'registry.local:5000/team/b:1.2.3' });
      }),
    },
  ],
  invalid: [
    {
      name: 'EKS endpoint open to 0.0.0.0/0 (nexora)',
      model: topology('open', (t) => {
        t.region('us-east-1').kubernetesCluster('eks', { endpointAccess: 'both', publicAccessCidrs: ['0.0.0.0/0'] });
      }),
      findings: [{ culprit: 'us-east-1/eks', message: ['public and open to 0.0.0.0/0'] }],
    },
    {
      name: 'a public endpoint with no CIDRs defaults to the whole internet',
      model: topology('default-open', (t) => {
        t.region('us-east-1').kubernetesCluster('eks', { endpointAccess: 'public' });
      }),
      findings: [{ message: ['the default when no CIDRs are given'] }],
    },
    {
      name: ':latest and untagged images (orasi)',
      model: topology('latest', (t) => {
        const eks = t.region('us-east-1').kubernetesCluster('eks');
        eks.daemonSet('orasi-agent', { image: 'orasi/agent:latest' });
        eks.deployment('orasi-gateway', { image: 'registry.local:5000/orasi/gateway' });
      }),
      findings: [
        { culprit: 'us-east-1/eks/orasi-agent', message: ['orasi/agent:latest'] },
        { culprit: 'us-east-1/eks/orasi-gateway', message: ['no tag: latest'] },
      ],
    },
    {
      name: 'public, unencrypted bucket and an unencrypted database',
      model: topology('exposed', (t) => {
        const us = t.region('us-east-1');
        us.objectStore('assets', { bucket: 'assets', publicAccess: true, encryption: 'none' });
        us.postgres('db', { storageEncrypted: false });
      }),
      findings: [
        { culprit: 'us-east-1/assets', message: ['unencrypted'] },
        { culprit: 'us-east-1/assets', message: ['is public'] },
        { culprit: 'us-east-1/db', message: ['unencrypted'] },
      ],
    },
  ],
});
