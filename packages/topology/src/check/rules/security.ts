import { bucketName } from '../../model/bucket-name.ts';
import type { KubernetesCluster, Workload } from '../../model/schema.ts';
import type { Rule, RuleFinding } from '../rule.ts';

/** A Pod Security Standards level ("Pod Security Standards", Kubernetes docs): each admits less than the one before. */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/** The Pod Security Admission modes of a namespace: `pod-security.kubernetes.io/<mode>` labels. */
export interface PodSecurityLevels {
  readonly enforce: PodSecurityLevel;
  readonly audit: PodSecurityLevel;
  readonly warn: PodSecurityLevel;
}

/**
 * The Pod Security Standards a namespace of a cluster applies: what the model declares, `restricted` for every
 * mode it leaves out (and for a namespace it does not declare). The checker and the Kubernetes emitter share it,
 * so the labels the emitter writes are the levels the checker judged.
 */
export function podSecurityLevels(cluster: KubernetesCluster, namespace: string): PodSecurityLevels {
  const declared = cluster.namespaces?.find((n) => n.name === namespace)?.podSecurity;
  return {
    enforce: declared?.enforce ?? 'restricted',
    audit: declared?.audit ?? 'restricted',
    warn: declared?.warn ?? 'restricted',
  };
}

/**
 * What a workload asks for that the `level` forbids, as the Pod Security Standards word it (v1.36 "Pod Security
 * Standards"): baseline forbids privileged containers and hostPath volumes; restricted also requires
 * allowPrivilegeEscalation false, runAsNonRoot true and a non-zero runAsUser.
 */
export function podSecurityViolations(workload: Workload, level: PodSecurityLevel): string[] {
  if (level === 'privileged') return [];
  const context = workload.securityContext;
  const violations: string[] = [];
  // Baseline "Privileged Containers" and "HostPath Volumes".
  if (context?.privileged === true) violations.push('a privileged container (privileged: true)');
  for (const volume of workload.volumes ?? []) {
    if (volume.source === 'hostPath')
      violations.push(`hostPath volume ${volume.name}${volume.from ? ` (${volume.from})` : ''}`);
  }
  if (level === 'restricted') {
    // Restricted "Privilege Escalation", "Running as Non-root" and "Running as Non-root user".
    if (context?.allowPrivilegeEscalation === true) violations.push('allowPrivilegeEscalation: true');
    if (context?.runAsNonRoot === false) violations.push('runAsNonRoot: false');
    if (context?.runAsUser === 0) violations.push('runAsUser: 0 (root)');
  }
  return violations;
}

const anywhere = new Set(['0.0.0.0/0', '::/0']);

/**
 * What each managed distribution makes of a cluster whose model leaves `endpointAccess` unset: all three make the
 * API server endpoint public and, with no allowed ranges given, reachable from every address.
 * - EKS: "By default, this API server endpoint is public to the internet"; `endpointPublicAccess` defaults to true
 *   and `publicAccessCidrs` to 0.0.0.0/0 (EKS User Guide, "Cluster API server endpoint"; EKS API, VpcConfigRequest).
 *   Our Terraform emitter leaves `endpoint_*_access` unset (public only), the CDK emitter writes
 *   `EndpointAccess.PUBLIC_AND_PRIVATE` and acknowledges cdk-nag's EKS1 for it: public either way.
 * - GKE: a cluster is created with an external control-plane endpoint and authorized networks disabled, so any
 *   address can reach it (GKE docs, "Add authorized networks for control plane access": the table of the default
 *   authorized-network state per cluster type; CIS GKE Benchmark, "Control Plane Authorized Networks is disabled" by
 *   default).
 * - AKS: the API server gets a public FQDN and IP unless the cluster is created private, and every address is allowed
 *   until `authorizedIPRanges` is set (AKS docs, "Secure access to the API server using authorized IP address ranges";
 *   Azure's PSRule Azure.AKS.AuthorizedIPs and tfsec azure-container-limit-authorized-ips flag exactly that default).
 * A self-managed cluster has no provider default: its API server listens where its operators put it, so an unstated
 * access says nothing about exposure and is not reported.
 */
const unstatedEndpoint: Record<KubernetesCluster['distribution'], string | undefined> = {
  eks: 'EKS',
  gke: 'GKE',
  aks: 'AKS',
  'self-managed': undefined,
};

/**
 * The access the API endpoint ends up with: the stated `endpointAccess`, else `public` where the distribution makes
 * it public (every managed one), else undefined (self-managed, or nothing to judge).
 */
function effectiveEndpointAccess(cluster: KubernetesCluster): KubernetesCluster['endpointAccess'] {
  return cluster.endpointAccess ?? (unstatedEndpoint[cluster.distribution] ? 'public' : undefined);
}

/** The cluster-endpoint findings of {@link security}: stated open (error) or left unstated on a managed cluster. */
function endpointFindings(cluster: KubernetesCluster, at: RuleFinding['location']): RuleFinding[] {
  const access = effectiveEndpointAccess(cluster);
  if (access !== 'public' && access !== 'both') return [];
  const provider = unstatedEndpoint[cluster.distribution];
  if (cluster.endpointAccess === undefined && cluster.publicAccessCidrs === undefined) {
    // A warning, not an error (docs/decisions/037-unstated-endpoint-access.md): the model does not say the endpoint is
    // open, it says nothing, and the cluster may be reached through settings the design does not hold (a cluster
    // another team's module owns, a design not yet complete); stating it either way clears the warning. An endpoint
    // the model states open stays an error below.
    return [
      {
        message: `${cluster.id}: the Kubernetes API endpoint's access is not stated (no endpointAccess): ${provider} then makes it public, open to 0.0.0.0/0.`,
        hint: 'state it: make the endpoint private (endpointAccess: private), or public with publicAccessCidrs restricted to your offices and CI',
        components: [cluster.id],
        location: at,
        severity: 'warning',
      },
    ];
  }
  // EKS: with public access on and no CIDRs given, the endpoint accepts 0.0.0.0/0 (EKS User Guide, "Cluster API server endpoint").
  const cidrs = cluster.publicAccessCidrs ?? ['0.0.0.0/0'];
  const open = cidrs.filter((cidr) => anywhere.has(cidr));
  if (open.length === 0) return [];
  return [
    {
      message: `${cluster.id}: the Kubernetes API endpoint is public${cluster.endpointAccess ? '' : ` (no endpointAccess: ${provider}'s default)`} and open to ${open.join(', ')}${cluster.publicAccessCidrs ? '' : ' (the default when no CIDRs are given)'}.`,
      hint: 'make the endpoint private (endpointAccess: private) or restrict publicAccessCidrs to your offices and CI',
      components: [cluster.id],
      location: at,
    },
  ];
}

/**
 * `security`: a Kubernetes API endpoint open to the whole internet (a warning when the model leaves its access unstated
 * and the provider's default opens it), stores declared unencrypted, images pinned to
 * `:latest` (or to no tag, which means latest), object stores open to the public, and workloads asking for what
 * their namespace's enforced Pod Security Standard forbids (the API server would reject their pods).
 */
export const security: Rule = {
  id: 'security',
  description:
    "Cluster endpoints open to 0.0.0.0/0, unencrypted stores, `:latest` images, public buckets and pods their namespace's Pod Security Standard rejects.",
  defaultSeverity: 'error',
  check(context) {
    const findings: RuleFinding[] = [];
    for (const component of context.components.values()) {
      const at = context.locate(component.id);
      if (component.kind === 'kubernetesCluster') findings.push(...endpointFindings(component, at));
      if (component.kind === 'workload' && component.image !== undefined) {
        const image = component.image;
        const lastSegment = image.slice(image.lastIndexOf('/') + 1);
        const tagged = lastSegment.includes(':') || image.includes('@sha256:');
        if (!tagged || image.endsWith(':latest')) {
          findings.push({
            message: `${component.id} runs ${image}${tagged ? '' : ' (no tag: latest)'}: every pull may get a different image, and a rollback cannot return to the old one.`,
            hint: `pin a version or a digest, e.g. ${image.replace(/:latest$/, '')}:1.4.2`,
            components: [component.id],
            location: at,
          });
        }
      }
      if (component.kind === 'workload') {
        const cluster = context.clusterOf(component.id);
        if (cluster) {
          // A workload without a namespace goes to one the model does not declare: restricted, like any undeclared one.
          const namespace = component.namespace ?? '';
          const level = podSecurityLevels(cluster, namespace).enforce;
          const violations = podSecurityViolations(component, level);
          if (violations.length > 0) {
            findings.push({
              message: `${component.id} asks for ${violations.join(', ')}, which namespace ${component.namespace ?? '(default)'} of ${cluster.id} forbids: it enforces the ${level} Pod Security Standard, so the API server rejects its pods.`,
              hint: `drop ${violations.length > 1 ? 'them' : 'it'} (a CSI driver or a projected volume instead of hostPath), or lower the namespace's podSecurity.enforce if the workload must have ${violations.length > 1 ? 'them' : 'it'}`,
              components: [component.id, cluster.id],
              location: at,
              details: { podSecurity: level, namespace: component.namespace ?? null, violations },
            });
          }
        }
      }
      // Every kind that states storageEncrypted (the relational fields: PostgreSQL and MySQL today) is judged by it.
      if ('storageEncrypted' in component && component.storageEncrypted === false) {
        findings.push({
          message: `${component.id} stores data unencrypted (storageEncrypted: false).`,
          hint: 'set storageEncrypted: true (KMS)',
          components: [component.id],
          location: at,
        });
      }
      if (component.kind === 'objectStore') {
        if (component.encryption === 'none') {
          findings.push({
            message: `${component.id} (bucket ${bucketName(component)}) is unencrypted (encryption: none).`,
            hint: 'use sse-s3 or sse-kms',
            components: [component.id],
            location: at,
          });
        }
        if (component.publicAccess) {
          findings.push({
            message: `${component.id} (bucket ${bucketName(component)}) is public: anyone on the internet can read it.`,
            hint: 'block public access and serve public assets through a CDN with origin access control',
            components: [component.id],
            location: at,
          });
        }
      }
    }
    return findings;
  },
};
