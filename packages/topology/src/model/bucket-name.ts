import type { ObjectStore } from './schema.ts';

/**
 * The bucket an object store names, or, when the design names none (tv-voting's "S3 Audit Logs"), the component's
 * display name: its `name`, else the last segment of its id. Emitters and query planners use it for labels and
 * default `s3://<bucket>/` URIs, so an unnamed bucket stays recognisable rather than becoming `undefined`.
 */
export function bucketName(store: Pick<ObjectStore, 'id' | 'name' | 'bucket'>): string {
  return store.bucket ?? store.name ?? store.id.slice(store.id.lastIndexOf('/') + 1);
}
