import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { podSecurityLevels, podSecurityViolations, security } from '../../src/check/rules/security.ts';
import { topology } from '../../src/dsl/topology.ts';
import type { KubernetesCluster, Topology, Workload } from '../../src/model/schema.ts';
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
        const eks = t.region('us-east-1').kubernetesCluster('eks', { endpointAccess: 'private' });
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

// Exact findings (issue 22, mutation testing): each finding's message, hint, components, line and details, the
// Pod Security levels the emitter shares, and the other ways of writing an open endpoint or an unpinned image.
describe('rule security: exact findings', () => {
  const run = (model: Topology) => check(model, { rules: ['security'], explain: false }).findings;
  const at = (model: Topology, id: string) => model.components.find((c) => c.id === id)?.source;

  it('an endpoint open to ::/0 and 0.0.0.0/0 beside an office range: names only the open ranges, no default', () => {
    const model = topology('ipv6-open', (t) => {
      t.region('us-east-1').kubernetesCluster('eks', {
        endpointAccess: 'public',
        publicAccessCidrs: ['203.0.113.0/24', '::/0', '0.0.0.0/0'],
      });
    });
    expect(run(model)).toEqual([
      {
        rule: 'security',
        severity: 'error',
        message: 'us-east-1/eks: the Kubernetes API endpoint is public and open to ::/0, 0.0.0.0/0.',
        hint: 'make the endpoint private (endpointAccess: private) or restrict publicAccessCidrs to your offices and CI',
        components: ['us-east-1/eks'],
        location: at(model, 'us-east-1/eks'),
      },
    ]);
  });

  it('public and private access with no CIDRs: open to 0.0.0.0/0, the default', () => {
    const model = topology('both-default', (t) => {
      t.region('us-east-1').kubernetesCluster('eks', { endpointAccess: 'both' });
    });
    expect(run(model).map((f) => f.message)).toEqual([
      'us-east-1/eks: the Kubernetes API endpoint is public and open to 0.0.0.0/0 (the default when no CIDRs are given).',
    ]);
  });

  it('a private endpoint is not judged by CIDRs it does not use', () => {
    const model = topology('private-cidrs', (t) => {
      t.region('us-east-1').kubernetesCluster('eks', { endpointAccess: 'private', publicAccessCidrs: ['0.0.0.0/0'] });
    });
    expect(run(model).map((f) => f.message)).toEqual([]);
  });

  it(':latest and untagged images: the message says which, the hint pins a version in place of latest', () => {
    const model = topology('latest-exact', (t) => {
      const eks = t.region('us-east-1').kubernetesCluster('eks', { endpointAccess: 'private' });
      eks.daemonSet('agent', { image: 'orasi/agent:latest' });
      eks.deployment('gateway', { image: 'registry.local:5000/orasi/gateway' });
      eks.deployment('digest', { image: 'registry.local:5000/orasi/digest@sha256:4f2a' });
      eks.deployment('tagged', { image: 'orasi/latest-tools:2.0.1' });
    });
    expect(run(model)).toEqual([
      {
        rule: 'security',
        severity: 'error',
        message:
          'us-east-1/eks/agent runs orasi/agent:latest: every pull may get a different image, and a rollback cannot return to the old one.',
        hint: 'pin a version or a digest, e.g. orasi/agent:1.4.2',
        components: ['us-east-1/eks/agent'],
        location: at(model, 'us-east-1/eks/agent'),
      },
      {
        rule: 'security',
        severity: 'error',
        message:
          'us-east-1/eks/gateway runs registry.local:5000/orasi/gateway (no tag: latest): every pull may get a different image, and a rollback cannot return to the old one.',
        hint: 'pin a version or a digest, e.g. registry.local:5000/orasi/gateway:1.4.2',
        components: ['us-east-1/eks/gateway'],
        location: at(model, 'us-east-1/eks/gateway'),
      },
    ]);
  });

  it('a pod the namespace rejects: every violation, the level, the namespace and the cluster', () => {
    const model = topology('pss-exact', (t) => {
      const eks = t.region('us-east-1').kubernetesCluster('eks', {
        endpointAccess: 'private',
        namespaces: [{ name: 'apps', podSecurity: { enforce: 'restricted', warn: 'baseline' } }],
      });
      eks.deployment('api', {
        namespace: 'apps',
        image: 'registry.local/api:1.0.0',
        securityContext: { privileged: true, allowPrivilegeEscalation: true, runAsNonRoot: false, runAsUser: 0 },
        volumes: [
          { name: 'logs', mountPath: '/var/log', source: 'hostPath', from: '/var/log' },
          { name: 'scratch', mountPath: '/scratch', source: 'hostPath' },
        ],
      });
    });
    const violations = [
      'a privileged container (privileged: true)',
      'hostPath volume logs (/var/log)',
      'hostPath volume scratch',
      'allowPrivilegeEscalation: true',
      'runAsNonRoot: false',
      'runAsUser: 0 (root)',
    ];
    expect(run(model)).toEqual([
      {
        rule: 'security',
        severity: 'error',
        message: `us-east-1/eks/api asks for ${violations.join(', ')}, which namespace apps of us-east-1/eks forbids: it enforces the restricted Pod Security Standard, so the API server rejects its pods.`,
        hint: "drop them (a CSI driver or a projected volume instead of hostPath), or lower the namespace's podSecurity.enforce if the workload must have them",
        components: ['us-east-1/eks/api', 'us-east-1/eks'],
        location: at(model, 'us-east-1/eks/api'),
        details: { podSecurity: 'restricted', namespace: 'apps', violations },
      },
    ]);
  });

  it('one violation in a namespace the model does not declare: "it", (default), namespace null', () => {
    const model = topology('pss-one', (t) => {
      t.region('us-east-1')
        .kubernetesCluster('eks', {
          endpointAccess: 'private',
          namespaces: [{ name: 'tools', podSecurity: { enforce: 'privileged' } }],
        })
        .deployment('api', { image: 'registry.local/api:1.0.0', securityContext: { runAsUser: 0 } });
    });
    expect(run(model).map((f) => [f.message, f.hint, f.details])).toEqual([
      [
        'us-east-1/eks/api asks for runAsUser: 0 (root), which namespace (default) of us-east-1/eks forbids: it enforces the restricted Pod Security Standard, so the API server rejects its pods.',
        "drop it (a CSI driver or a projected volume instead of hostPath), or lower the namespace's podSecurity.enforce if the workload must have it",
        { podSecurity: 'restricted', namespace: null, violations: ['runAsUser: 0 (root)'] },
      ],
    ]);
  });

  it('a hardened pod (non-root, no escalation, no hostPath) passes restricted', () => {
    const model = topology('pss-hardened', (t) => {
      t.region('us-east-1')
        .kubernetesCluster('eks', { endpointAccess: 'private' })
        .deployment('api', {
          image: 'registry.local/api:1.0.0',
          securityContext: { privileged: false, allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 1000 },
          volumes: [{ name: 'cfg', mountPath: '/etc/api', source: 'configMap', from: 'api' }],
        });
    });
    expect(run(model).map((f) => f.message)).toEqual([]);
  });

  it('unencrypted database and bucket, public bucket: each its own finding naming the bucket', () => {
    const model = topology('stores-exact', (t) => {
      const us = t.region('us-east-1');
      us.objectStore('assets', { bucket: 'shop-assets', publicAccess: true, encryption: 'none' });
      us.objectStore('logs', { encryption: 'sse-s3', publicAccess: false });
      us.postgres('db', { storageEncrypted: false });
      us.postgres('ok', { storageEncrypted: true });
    });
    expect(run(model).map((f) => [f.message, f.hint, f.components, f.location])).toEqual([
      [
        'us-east-1/assets (bucket shop-assets) is unencrypted (encryption: none).',
        'use sse-s3 or sse-kms',
        ['us-east-1/assets'],
        at(model, 'us-east-1/assets'),
      ],
      [
        'us-east-1/assets (bucket shop-assets) is public: anyone on the internet can read it.',
        'block public access and serve public assets through a CDN with origin access control',
        ['us-east-1/assets'],
        at(model, 'us-east-1/assets'),
      ],
      [
        'us-east-1/db stores data unencrypted (storageEncrypted: false).',
        'set storageEncrypted: true (KMS)',
        ['us-east-1/db'],
        at(model, 'us-east-1/db'),
      ],
    ]);
  });
});

// A cluster whose model leaves endpointAccess unset gets its provider's default: a public endpoint open to 0.0.0.0/0
// on EKS, GKE and AKS. It used to pass check in silence; it is a warning (docs/decisions/037-unstated-endpoint-access.md),
// an endpoint the model states open stays an error.
describe('rule security: an endpoint access the model does not state', () => {
  const run = (model: Topology) => check(model, { rules: ['security'], explain: false }).findings;
  const at = (model: Topology, id: string) => model.components.find((c) => c.id === id)?.source;
  const hint =
    'state it: make the endpoint private (endpointAccess: private), or public with publicAccessCidrs restricted to your offices and CI';

  it('EKS, GKE and AKS with no endpointAccess: a warning each, naming the cluster and what its provider does', () => {
    const model = topology('unstated', (t) => {
      t.region('us-east-1').kubernetesCluster('eks', { nodeGroups: [{ name: 'app', min: 3, max: 6 }] });
      t.region('europe-west1', { provider: 'gcp' }).kubernetesCluster('gke', { distribution: 'gke' });
      t.region('westeurope', { provider: 'azure' }).kubernetesCluster('aks', { distribution: 'aks' });
    });
    const warning = (id: string, provider: string) => ({
      rule: 'security',
      severity: 'warning',
      message: `${id}: the Kubernetes API endpoint's access is not stated (no endpointAccess): ${provider} then makes it public, open to 0.0.0.0/0.`,
      hint,
      components: [id],
      location: at(model, id),
    });
    expect(run(model)).toEqual([
      warning('us-east-1/eks', 'EKS'),
      warning('europe-west1/gke', 'GKE'),
      warning('westeurope/aks', 'AKS'),
    ]);
    expect(check(model).summary.error).toBe(0);
  });

  it('a self-managed cluster has no provider default to report', () => {
    const model = topology('self-managed', (t) => {
      t.region('us-east-1').kubernetesCluster('k8s', { distribution: 'self-managed' });
    });
    expect(run(model)).toEqual([]);
  });

  it('stated private, or public/both restricted to an office range: no finding on any provider', () => {
    const model = topology('stated', (t) => {
      const us = t.region('us-east-1');
      us.kubernetesCluster('private', { endpointAccess: 'private' });
      us.kubernetesCluster('public', {
        endpointAccess: 'public',
        publicAccessCidrs: ['203.0.113.0/24', '198.51.100.7/32'],
      });
      us.kubernetesCluster('both', { endpointAccess: 'both', publicAccessCidrs: ['203.0.113.0/24'] });
      t.region('europe-west1', { provider: 'gcp' }).kubernetesCluster('gke', {
        distribution: 'gke',
        endpointAccess: 'private',
      });
      t.region('westeurope', { provider: 'azure' }).kubernetesCluster('aks', {
        distribution: 'aks',
        endpointAccess: 'public',
        publicAccessCidrs: ['203.0.113.0/24'],
      });
    });
    expect(run(model)).toEqual([]);
  });

  it('no endpointAccess but publicAccessCidrs given: judged as the public endpoint the provider makes', () => {
    const model = topology('cidrs-only', (t) => {
      const us = t.region('us-east-1');
      us.kubernetesCluster('office', { publicAccessCidrs: ['203.0.113.0/24'] });
      us.kubernetesCluster('open', { publicAccessCidrs: ['0.0.0.0/0'] });
      t.region('westeurope', { provider: 'azure' }).kubernetesCluster('aks', {
        distribution: 'aks',
        publicAccessCidrs: ['203.0.113.0/24', '::/0'],
      });
    });
    expect(run(model)).toEqual([
      {
        rule: 'security',
        severity: 'error',
        message:
          "us-east-1/open: the Kubernetes API endpoint is public (no endpointAccess: EKS's default) and open to 0.0.0.0/0.",
        hint: 'make the endpoint private (endpointAccess: private) or restrict publicAccessCidrs to your offices and CI',
        components: ['us-east-1/open'],
        location: at(model, 'us-east-1/open'),
      },
      {
        rule: 'security',
        severity: 'error',
        message:
          "westeurope/aks: the Kubernetes API endpoint is public (no endpointAccess: AKS's default) and open to ::/0.",
        hint: 'make the endpoint private (endpointAccess: private) or restrict publicAccessCidrs to your offices and CI',
        components: ['westeurope/aks'],
        location: at(model, 'westeurope/aks'),
      },
    ]);
  });

  it('stated public or both and open: the error as before, not the warning', () => {
    const model = topology('stated-open', (t) => {
      t.region('us-east-1').kubernetesCluster('public', { endpointAccess: 'public' });
      t.region('europe-west1', { provider: 'gcp' }).kubernetesCluster('gke', {
        distribution: 'gke',
        endpointAccess: 'both',
        publicAccessCidrs: ['0.0.0.0/0'],
      });
    });
    expect(run(model)).toEqual([
      {
        rule: 'security',
        severity: 'error',
        message:
          'us-east-1/public: the Kubernetes API endpoint is public and open to 0.0.0.0/0 (the default when no CIDRs are given).',
        hint: 'make the endpoint private (endpointAccess: private) or restrict publicAccessCidrs to your offices and CI',
        components: ['us-east-1/public'],
        location: at(model, 'us-east-1/public'),
      },
      {
        rule: 'security',
        severity: 'error',
        message: 'europe-west1/gke: the Kubernetes API endpoint is public and open to 0.0.0.0/0.',
        hint: 'make the endpoint private (endpointAccess: private) or restrict publicAccessCidrs to your offices and CI',
        components: ['europe-west1/gke'],
        location: at(model, 'europe-west1/gke'),
      },
    ]);
  });

  it('a configured severity still rules: --severity security=error makes the warning an error', () => {
    const model = topology('raised', (t) => {
      t.region('us-east-1').kubernetesCluster('eks');
    });
    expect(
      check(model, { rules: ['security'], severities: { security: 'error' } }).findings.map((f) => f.severity),
    ).toEqual(['error']);
  });
});

describe('rule security: every relational engine', () => {
  // PostgreSQL and MySQL share storageEncrypted (relationalFields): an unencrypted MySQL used to pass the check
  // while the emitters created it unencrypted (CDK acknowledges RDS2 for it).
  it('a MySQL declared unencrypted is reported like a PostgreSQL', () => {
    const model = topology('mysql-plain', (t) => {
      const us = t.region('us-east-1');
      us.mysql('orders', { storageEncrypted: false });
      us.mysql('ok', { storageEncrypted: true });
    });
    expect(check(model, { rules: ['security'] }).findings.map((f) => [f.message, f.hint, f.components])).toEqual([
      [
        'us-east-1/orders stores data unencrypted (storageEncrypted: false).',
        'set storageEncrypted: true (KMS)',
        ['us-east-1/orders'],
      ],
    ]);
  });
});

describe('Pod Security levels and violations (shared with the Kubernetes emitter)', () => {
  const cluster = (namespaces: { name: string; podSecurity?: Record<string, string> }[]) => {
    const model = topology('levels', (t) => {
      t.region('us-east-1').kubernetesCluster('eks', { endpointAccess: 'private', namespaces: namespaces as never });
    });
    return model.components.find((c) => c.kind === 'kubernetesCluster') as KubernetesCluster;
  };

  it('fills every mode the model leaves out with restricted, per namespace', () => {
    const eks = cluster([
      { name: 'a', podSecurity: { enforce: 'baseline' } },
      { name: 'b', podSecurity: { audit: 'privileged', warn: 'baseline' } },
    ]);
    expect(podSecurityLevels(eks, 'a')).toEqual({ enforce: 'baseline', audit: 'restricted', warn: 'restricted' });
    expect(podSecurityLevels(eks, 'b')).toEqual({ enforce: 'restricted', audit: 'privileged', warn: 'baseline' });
    expect(podSecurityLevels(eks, 'c')).toEqual({ enforce: 'restricted', audit: 'restricted', warn: 'restricted' });
    expect(podSecurityLevels(cluster([]), 'a')).toEqual({
      enforce: 'restricted',
      audit: 'restricted',
      warn: 'restricted',
    });
  });

  it('privileged admits everything; baseline only privileged containers and hostPath', () => {
    const model = topology('violations', (t) => {
      t.region('us-east-1')
        .kubernetesCluster('eks', { endpointAccess: 'private' })
        .deployment('api', {
          image: 'registry.local/api:1.0.0',
          securityContext: { privileged: true, allowPrivilegeEscalation: true, runAsNonRoot: false, runAsUser: 0 },
          volumes: [{ name: 'host', mountPath: '/h', source: 'hostPath', from: '/h' }],
        });
    });
    const workload = model.components.find((c) => c.kind === 'workload') as Workload;
    expect(podSecurityViolations(workload, 'privileged')).toEqual([]);
    expect(podSecurityViolations(workload, 'baseline')).toEqual([
      'a privileged container (privileged: true)',
      'hostPath volume host (/h)',
    ]);
  });
});
