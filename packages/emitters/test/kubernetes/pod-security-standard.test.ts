import { describe, expect, it } from 'vitest';
import { type PodSpec, podSecurityViolations } from './support/pod-security-standard.ts';

const hardened = (): PodSpec => ({
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [
    {
      name: 'api',
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    },
  ],
  volumes: [{ name: 'tmp', emptyDir: {} }],
});

// The Pod Security Standards check the k8s tests trust, control by control.
describe('Pod Security Standards check', () => {
  it('passes a hardened pod at every level', () => {
    for (const level of ['privileged', 'baseline', 'restricted'] as const)
      expect(podSecurityViolations(hardened(), level)).toEqual([]);
  });

  it('restricted: needs no escalation, non-root, seccomp and every capability dropped', () => {
    const bare: PodSpec = { containers: [{ name: 'api' }] };
    expect(podSecurityViolations(bare, 'baseline')).toEqual([]);
    expect(podSecurityViolations(bare, 'restricted')).toEqual([
      'Privilege Escalation: api must set allowPrivilegeEscalation false',
      'Running as Non-root: api',
      'Seccomp: api must be RuntimeDefault or Localhost',
      'Capabilities: api must drop ALL',
    ]);
    const root = hardened();
    root.securityContext = { ...root.securityContext, runAsUser: 0 };
    expect(podSecurityViolations(root, 'restricted')).toEqual(['Running as Non-root user: api runs as 0']);
    const adds = hardened();
    (adds.containers[0] as { securityContext: { capabilities: { add?: string[] } } }).securityContext.capabilities.add =
      ['NET_BIND_SERVICE', 'CHOWN'];
    expect(podSecurityViolations(adds, 'baseline')).toEqual([]);
    expect(podSecurityViolations(adds, 'restricted')).toEqual(['Capabilities: api adds CHOWN']);
  });

  it('baseline: no host namespaces, hostPath, privileged containers, host ports or unsafe sysctls', () => {
    const host: PodSpec = {
      ...hardened(),
      hostNetwork: true,
      volumes: [{ name: 'sock', hostPath: { path: '/run' } }],
      containers: [
        {
          name: 'api',
          ports: [{ hostPort: 80 }],
          securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } },
        },
      ],
    };
    host.securityContext = { ...host.securityContext, sysctls: [{ name: 'kernel.msgmax' }] };
    expect(podSecurityViolations(host, 'baseline')).toEqual([
      'Host Namespaces: hostNetwork/hostPID/hostIPC',
      'HostPath Volumes: sock',
      'Sysctls: kernel.msgmax',
      'Privileged Containers: api',
      'Capabilities: api adds SYS_ADMIN',
      'Host Ports: api 80',
    ]);
    expect(podSecurityViolations(host, 'privileged')).toEqual([]);
  });
});
