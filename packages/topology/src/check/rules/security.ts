import { bucketName } from '../../model/bucket-name.ts';
import type { Rule, RuleFinding } from '../rule.ts';

const anywhere = new Set(['0.0.0.0/0', '::/0']);

/**
 * `security`: a Kubernetes API endpoint open to the whole internet, stores declared unencrypted, images pinned to
 * `:latest` (or to no tag, which means latest), and object stores open to the public.
 */
export const security: Rule = {
  id: 'security',
  description: 'Cluster endpoints open to 0.0.0.0/0, unencrypted stores, `:latest` images and public buckets.',
  defaultSeverity: 'error',
  check(context) {
    const findings: RuleFinding[] = [];
    for (const component of context.components.values()) {
      const at = context.locate(component.id);
      if (
        component.kind === 'kubernetesCluster' &&
        (component.endpointAccess === 'public' || component.endpointAccess === 'both')
      ) {
        // EKS: with public access on and no CIDRs given, the endpoint accepts 0.0.0.0/0 (EKS User Guide, "Cluster API server endpoint").
        const cidrs = component.publicAccessCidrs ?? ['0.0.0.0/0'];
        const open = cidrs.filter((cidr) => anywhere.has(cidr));
        if (open.length > 0) {
          findings.push({
            message: `${component.id}: the Kubernetes API endpoint is public and open to ${open.join(', ')}${component.publicAccessCidrs ? '' : ' (the default when no CIDRs are given)'}.`,
            hint: 'make the endpoint private (endpointAccess: private) or restrict publicAccessCidrs to your offices and CI',
            components: [component.id],
            location: at,
          });
        }
      }
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
      if (component.kind === 'postgres' && component.storageEncrypted === false) {
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
