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
    {
      name: 'hostPath and a privileged container where the namespace enforces privileged; hardened pods elsewhere',
      model: topology('lowered', (t) => {
        const eks = t.region('eu-west-1').kubernetesCluster('eks', {
          endpointAccess: 'private',
          namespaces: [{ name: 'node-agents', podSecurity: { enforce: 'privileged' } }],
        });
        eks.daemonSet('spire-agent', {
          namespace: 'node-agents',
          image: 'ghcr.io/spiffe/spire-agent:1.9.6',
          securityContext: { privileged: true },
          volumes: [
            { name: 'sockets', mountPath: '/run/spire/sockets', source: 'hostPath', from: '/run/spire/sockets' },
          ],
        });
        eks.deployment('api', {
          image: 'registry.example.eu/shop/api:2.14.1',
          securityContext: { runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false },
          volumes: [{ name: 'config', mountPath: '/etc/api', source: 'configMap', from: 'api-config' }],
        });
      }),
    },
    {
      name: 'baseline admits root and privilege escalation, not hostPath',
      model: topology('baseline', (t) => {
        const eks = t.region('eu-west-1').kubernetesCluster('eks', {
          endpointAccess: 'private',
          namespaces: [{ name: 'legacy', podSecurity: { enforce: 'baseline' } }],
        });
        eks.deployment('legacy', {
          namespace: 'legacy',
          image: 'registry.example.eu/legacy:3.1.0',
          securityContext: { runAsUser: 0, allowPrivilegeEscalation: true },
        });
      }),
    },
  ],
  invalid: [
    {
      name: 'a hostPath volume in a namespace enforcing restricted (nexora discovery-service)',
      model: topology('spire', (t) => {
        const eks = t.region('us-east-1').kubernetesCluster('eks', {
          endpointAccess: 'private',
          namespaces: [{ name: 'platform', podSecurity: { enforce: 'restricted' } }],
        });
        eks.deployment('discovery-service', {
          namespace: 'platform',
          image: 'nexora/discovery-service:v1.0.0',
          volumes: [
            {
              name: 'spire-agent-socket',
              mountPath: '/run/spire/sockets',
              source: 'hostPath',
              from: '/run/spire/sockets',
            },
          ],
        });
      }),
      findings: [
        {
          culprit: 'us-east-1/eks/discovery-service',
          components: ['us-east-1/eks'],
          message: ['hostPath volume spire-agent-socket (/run/spire/sockets)', 'enforces the restricted Pod Security'],
        },
      ],
    },
    {
      name: 'an undeclared namespace is restricted: root, privilege escalation and privileged all refused',
      model: topology('rooted', (t) => {
        const eks = t.region('us-east-1').kubernetesCluster('eks', { endpointAccess: 'private' });
        eks.deployment('root', {
          image: 'registry.local/root:1.0.0',
          securityContext: { runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: true },
        });
        eks.deployment('privileged', { image: 'registry.local/p:1.0.0', securityContext: { privileged: true } });
      }),
      findings: [
        {
          culprit: 'us-east-1/eks/root',
          message: ['allowPrivilegeEscalation: true', 'runAsNonRoot: false', 'runAsUser: 0'],
        },
        { culprit: 'us-east-1/eks/privileged', message: ['privileged container', '(default)'] },
      ],
    },
    {
      name: 'baseline still forbids hostPath',
      model: topology('baseline-hostpath', (t) => {
        const eks = t.region('us-east-1').kubernetesCluster('eks', {
          endpointAccess: 'private',
          namespaces: [{ name: 'logs', podSecurity: { enforce: 'baseline', warn: 'restricted' } }],
        });
        eks.daemonSet('fluent-bit', {
          namespace: 'logs',
          image: 'fluent/fluent-bit:3.1.4',
          volumes: [{ name: 'varlog', mountPath: '/var/log', readOnly: true, source: 'hostPath', from: '/var/log' }],
        });
      }),
      findings: [{ culprit: 'us-east-1/eks/fluent-bit', message: ['hostPath volume varlog', 'baseline'] }],
    },
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
