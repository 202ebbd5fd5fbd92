import type { ObjectStore } from '@meridian/topology';
import { replicationPairs } from '../aws/replication.ts';
import { transitionClass } from '../aws/s3.ts';
import type { AwsRegion, TerraformContext } from './context.ts';
import type { TfAddress } from './document.ts';
import { allowPolicy, trustPolicy } from './iam.ts';

// S3 storage class names (S3 API, "StorageClass" of a lifecycle transition) for the model's names.
const sseAlgorithm = { 'sse-s3': 'AES256', 'sse-kms': 'aws:kms', 'dsse-kms': 'aws:kms:dsse' } as const;

interface EmittedBucket {
  readonly store: ObjectStore;
  readonly region: AwsRegion;
  readonly bucket: TfAddress;
  versioning: TfAddress | undefined;
}

/**
 * storage.tf.json: one S3 bucket per object store on S3, with versioning, default encryption (SSE-S3, or SSE-KMS /
 * DSSE-KMS with the region's key), its public access blocked unless the model makes it public, lifecycle rules, and
 * cross-region replication where the model replicates: a store's `replication`, or a `replicate` flow between two
 * stores (or two Delta tables, which live in their stores). Replication needs versioning on both buckets
 * (S3 User Guide, "Requirements for live replication"), so replicated buckets are versioned.
 */
export function emitObjectStores(ctx: TerraformContext): void {
  const pairs = replicationPairs(ctx.model);
  const replicated = new Set(pairs.flatMap(([from, to]) => [from.id, to.id]));
  const buckets = new Map<string, EmittedBucket>();
  for (const { component: store, region } of ctx.regionalOnAws('objectStore')) {
    const name = ctx.name(store.id);
    const provider = region.provider;
    const bucket = ctx.doc.resource('storage.tf.json', 'aws_s3_bucket', name, {
      provider,
      // S3 bucket names are global: one the design does not name (tv-voting's audit logs) is the user's to choose.
      bucket:
        store.bucket ??
        ctx.doc.variable(`${name}_bucket_name`, {
          type: 'string',
          description: `The S3 bucket name of ${store.id} (the model names none; bucket names are global)`,
        }).ref,
      tags: ctx.tags(store.id),
    });
    const emitted: EmittedBucket = { store, region, bucket, versioning: undefined };
    buckets.set(store.id, emitted);
    if (store.versioning || replicated.has(store.id)) {
      emitted.versioning = ctx.doc.resource('storage.tf.json', 'aws_s3_bucket_versioning', name, {
        provider,
        bucket: bucket.attr('id'),
        versioning_configuration: { status: 'Enabled' },
      });
    }
    if (store.encryption !== 'none') {
      const kms = store.encryption !== 'sse-s3';
      ctx.doc.resource('storage.tf.json', 'aws_s3_bucket_server_side_encryption_configuration', name, {
        provider,
        bucket: bucket.attr('id'),
        rule: {
          apply_server_side_encryption_by_default: {
            sse_algorithm: sseAlgorithm[store.encryption],
            kms_master_key_id: kms ? ctx.kmsKey(region).attr('arn') : undefined,
          },
          bucket_key_enabled: kms ? true : undefined,
        },
      });
    }
    ctx.doc.resource('storage.tf.json', 'aws_s3_bucket_public_access_block', name, {
      provider,
      bucket: bucket.attr('id'),
      block_public_acls: !store.publicAccess,
      block_public_policy: !store.publicAccess,
      ignore_public_acls: !store.publicAccess,
      restrict_public_buckets: !store.publicAccess,
    });
    if (store.lifecycle?.length) {
      ctx.doc.resource('storage.tf.json', 'aws_s3_bucket_lifecycle_configuration', name, {
        provider,
        bucket: bucket.attr('id'),
        rule: store.lifecycle.map((rule, i) => ({
          id: `${rule.action}-after-${rule.afterDays}-days`,
          status: 'Enabled',
          filter: {},
          ...(rule.action === 'expire'
            ? { expiration: { days: rule.afterDays } }
            : { transition: { days: rule.afterDays, storage_class: transitionClass('terraform', store, i) } }),
        })),
      });
    }
  }
  for (const [from, to] of pairs) {
    const source = buckets.get(from.id);
    const destination = buckets.get(to.id);
    if (source && destination) emitReplication(ctx, source, destination);
  }
}

function emitReplication(ctx: TerraformContext, source: EmittedBucket, destination: EmittedBucket): void {
  const name = `${ctx.name(source.store.id)}_to_${ctx.name(destination.store.id)}`;
  const provider = source.region.provider;
  const sourceKms = source.store.encryption === 'sse-kms' || source.store.encryption === 'dsse-kms';
  const destinationKms = destination.store.encryption === 'sse-kms' || destination.store.encryption === 'dsse-kms';
  const role = ctx.doc.resource('storage.tf.json', 'aws_iam_role', `s3_replication_${name}`, {
    provider,
    name: ctx.awsName(`${ctx.model.name}-s3-replication-${source.store.id}`, 64),
    assume_role_policy: trustPolicy('s3.amazonaws.com'),
    tags: ctx.tags(source.store.id),
  });
  // S3 User Guide, "Setting up permissions for live replication": read the source's versions, write replicas.
  const statements = [
    { actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: [source.bucket.attr('arn')] },
    {
      actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
      resources: [`${source.bucket.attr('arn')}/*`],
    },
    {
      actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
      resources: [`${destination.bucket.attr('arn')}/*`],
    },
  ];
  if (sourceKms) statements.push({ actions: ['kms:Decrypt'], resources: [ctx.kmsKey(source.region).attr('arn')] });
  if (destinationKms)
    statements.push({ actions: ['kms:Encrypt'], resources: [ctx.kmsKey(destination.region).attr('arn')] });
  ctx.doc.resource('storage.tf.json', 'aws_iam_role_policy', `s3_replication_${name}`, {
    provider,
    name: 's3-replication',
    role: role.attr('id'),
    policy: allowPolicy(statements),
  });
  const rtc = source.store.replication?.mode === 'rtc';
  ctx.doc.resource('storage.tf.json', 'aws_s3_bucket_replication_configuration', name, {
    provider,
    role: role.attr('arn'),
    bucket: source.bucket.attr('id'),
    rule: {
      id: `to-${destination.store.id.replace(/\//g, '-')}`,
      status: 'Enabled',
      filter: {},
      delete_marker_replication: { status: 'Enabled' },
      source_selection_criteria: sourceKms ? { sse_kms_encrypted_objects: { status: 'Enabled' } } : undefined,
      destination: {
        bucket: destination.bucket.attr('arn'),
        encryption_configuration: destinationKms
          ? { replica_kms_key_id: ctx.kmsKey(destination.region).attr('arn') }
          : undefined,
        // Replication Time Control: 99.99% of objects within 15 minutes, with its metrics (S3 User Guide, "RTC").
        replication_time: rtc ? { status: 'Enabled', time: { minutes: 15 } } : undefined,
        metrics: rtc ? { status: 'Enabled', event_threshold: { minutes: 15 } } : undefined,
      },
    },
    depends_on: [source.versioning?.address, destination.versioning?.address].filter((a): a is string => !!a),
  });
}
