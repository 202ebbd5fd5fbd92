import type { V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';
import type { Workload } from '@meridian/topology';

/**
 * The securityContext of a workload's pods and container: what the model sets, and for everything it leaves out
 * the hardened value the restricted Pod Security Standard (v1.36) asks for — runAsNonRoot, seccomp RuntimeDefault,
 * allowPrivilegeEscalation false, every capability dropped — plus a read-only root filesystem unless the model
 * says otherwise. What the model asks against its namespace's standard never gets here: the emitter refuses such
 * a workload with the `security` finding first.
 */
export function podSecurityContext(workload: Workload): V1PodSecurityContext {
  const own = workload.securityContext;
  const root = own?.runAsUser === 0;
  return {
    ...(own?.fsGroup !== undefined ? { fsGroup: own.fsGroup } : {}),
    ...(own?.runAsGroup !== undefined ? { runAsGroup: own.runAsGroup } : {}),
    // runAsNonRoot true with runAsUser 0 would stop the kubelet starting the container: only where the model allows root.
    ...(own?.runAsNonRoot !== undefined ? { runAsNonRoot: own.runAsNonRoot } : root ? {} : { runAsNonRoot: true }),
    ...(own?.runAsUser !== undefined ? { runAsUser: own.runAsUser } : {}),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The container's securityContext (see {@link podSecurityContext}). */
export function containerSecurityContext(workload: Workload): V1SecurityContext {
  const own = workload.securityContext;
  if (own?.privileged === true) {
    // The API rejects allowPrivilegeEscalation false together with privileged true; capabilities mean nothing then.
    return { privileged: true, readOnlyRootFilesystem: own.readOnlyRootFilesystem ?? true };
  }
  return {
    allowPrivilegeEscalation: own?.allowPrivilegeEscalation ?? false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: own?.readOnlyRootFilesystem ?? true,
  };
}

/** True when the container's root filesystem is read-only, so the pod gets a writable emptyDir at /tmp. */
export function hasReadOnlyRoot(workload: Workload): boolean {
  return workload.securityContext?.readOnlyRootFilesystem ?? true;
}
