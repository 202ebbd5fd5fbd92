/**
 * The Pod Security Standards (Kubernetes v1.36 docs, "Pod Security Standards"), written from the published
 * controls, as a check of one pod spec against a level: what Pod Security Admission enforces, offline. Each
 * violation names the control and the field.
 */
export type Level = 'privileged' | 'baseline' | 'restricted';

interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  procMount?: string;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
  appArmorProfile?: { type?: string };
  seLinuxOptions?: { type?: string; user?: string; role?: string };
  windowsOptions?: { hostProcess?: boolean };
  sysctls?: { name: string }[];
}

interface Container {
  name: string;
  ports?: { hostPort?: number }[];
  securityContext?: SecurityContext;
}

/** The fields of a PodSpec the standards read. */
export interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  containers: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  volumes?: Record<string, unknown>[];
}

// Baseline "Capabilities": the only ones a container may add.
const baselineCapabilities = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
// Baseline "SELinux": allowed types.
const seLinuxTypes = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
// Baseline "Sysctls": the safe set.
const safeSysctls = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
// Restricted "Volume Types": the only volume sources allowed.
const restrictedVolumes = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/** Every control of `level` the pod spec breaks; empty when it meets the level. */
export function podSecurityViolations(spec: PodSpec, level: Level): string[] {
  if (level === 'privileged') return [];
  const out: string[] = [];
  const containers = [...spec.containers, ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])];
  const pod = spec.securityContext ?? {};
  // Baseline.
  if (pod.windowsOptions?.hostProcess) out.push('HostProcess: spec.securityContext.windowsOptions.hostProcess');
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) out.push('Host Namespaces: hostNetwork/hostPID/hostIPC');
  for (const volume of spec.volumes ?? [])
    if ('hostPath' in volume) out.push(`HostPath Volumes: ${String(volume.name)}`);
  if (pod.seccompProfile?.type === 'Unconfined') out.push('Seccomp: pod Unconfined');
  if (pod.appArmorProfile?.type === 'Unconfined') out.push('AppArmor: pod Unconfined');
  for (const sysctl of pod.sysctls ?? []) if (!safeSysctls.has(sysctl.name)) out.push(`Sysctls: ${sysctl.name}`);
  const podSeLinux = pod.seLinuxOptions;
  if (podSeLinux && (!seLinuxTypes.has(podSeLinux.type ?? '') || podSeLinux.user || podSeLinux.role))
    out.push('SELinux: pod seLinuxOptions');
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    if (sc.windowsOptions?.hostProcess) out.push(`HostProcess: ${c.name}`);
    if (sc.privileged) out.push(`Privileged Containers: ${c.name}`);
    for (const cap of sc.capabilities?.add ?? [])
      if (!baselineCapabilities.has(cap)) out.push(`Capabilities: ${c.name} adds ${cap}`);
    for (const port of c.ports ?? []) if (port.hostPort) out.push(`Host Ports: ${c.name} ${port.hostPort}`);
    if (sc.appArmorProfile?.type === 'Unconfined') out.push(`AppArmor: ${c.name} Unconfined`);
    if (
      sc.seLinuxOptions &&
      (!seLinuxTypes.has(sc.seLinuxOptions.type ?? '') || sc.seLinuxOptions.user || sc.seLinuxOptions.role)
    )
      out.push(`SELinux: ${c.name}`);
    if (sc.procMount !== undefined && sc.procMount !== 'Default') out.push(`/proc Mount Type: ${c.name}`);
    if (sc.seccompProfile?.type === 'Unconfined') out.push(`Seccomp: ${c.name} Unconfined`);
  }
  if (level === 'baseline') return out;
  // Restricted.
  for (const volume of spec.volumes ?? []) {
    const source = Object.keys(volume).find((k) => k !== 'name');
    if (!source || !restrictedVolumes.has(source)) out.push(`Volume Types: ${String(volume.name)} is ${source}`);
  }
  const podSeccomp = pod.seccompProfile?.type;
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false)
      out.push(`Privilege Escalation: ${c.name} must set allowPrivilegeEscalation false`);
    const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
    if (nonRoot !== true) out.push(`Running as Non-root: ${c.name}`);
    if ((sc.runAsUser ?? pod.runAsUser) === 0) out.push(`Running as Non-root user: ${c.name} runs as 0`);
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
      out.push(`Seccomp: ${c.name} must be RuntimeDefault or Localhost`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`Capabilities: ${c.name} must drop ALL`);
    for (const cap of sc.capabilities?.add ?? [])
      if (cap !== 'NET_BIND_SERVICE') out.push(`Capabilities: ${c.name} adds ${cap}`);
  }
  return out;
}
