import type { Manifest } from './manifest.ts';
import type { ClusterManifests } from './to-kubernetes.ts';

/** The objects of one file of a cluster's folder (`namespaces.yaml`, `platform/api.yaml`), in the order written. */
export interface ManifestFile {
  readonly file: string;
  readonly manifests: readonly Manifest[];
}

/**
 * A cluster's objects by the file `meridian emit k8s` writes them to, in the order they are applied: namespaces
 * first, then cluster-wide objects, then each namespace's files by path. The k8s emitter's folders and the CDK
 * app's manifests are both made from this one grouping.
 */
export function manifestFiles(cluster: ClusterManifests): ManifestFile[] {
  const byFile = new Map<string, Manifest[]>();
  for (const manifest of cluster.manifests) byFile.set(manifest.file, [...(byFile.get(manifest.file) ?? []), manifest]);
  return [...byFile.keys()].sort(fileOrder).map((file) => ({ file, manifests: byFile.get(file) ?? [] }));
}

/** Namespaces and cluster-wide stores first (everything else lives in them), then by path. */
export function fileOrder(a: string, b: string): number {
  const rank = (f: string) => (f === 'namespaces.yaml' ? 0 : f.includes('/') ? 2 : 1);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}
