import { bucketName, type ObjectStore } from '@meridian/topology';
import { replicationPairs } from '../aws/replication.ts';
import { type TransitionClass, transitionClass } from '../aws/s3.ts';
import { code, quote, type TsValue, tsValue } from './code.ts';
import type { CdkContext, StackPlan } from './context.ts';
import { dataKey } from './keys.ts';

// aws-cdk-lib's names of the S3 storage classes a lifecycle rule transitions to (s3.StorageClass), by the API's.
const cdkStorageClass: Readonly<Record<TransitionClass, string>> = {
  INTELLIGENT_TIERING: 'INTELLIGENT_TIERING',
  STANDARD_IA: 'INFREQUENT_ACCESS',
  ONEZONE_IA: 'ONE_ZONE_INFREQUENT_ACCESS',
  GLACIER: 'GLACIER',
  GLACIER_IR: 'GLACIER_INSTANT_RETRIEVAL',
  DEEP_ARCHIVE: 'DEEP_ARCHIVE',
};

const encryptions = { 'sse-s3': 'S3_MANAGED', 'sse-kms': 'KMS', 'dsse-kms': 'DSSE' } as const;

const logged = new WeakSet<StackPlan>();

/** The variable of the region's bucket receiving server and load balancer access logs, declared on first use. */
export function accessLogs(_ctx: CdkContext, stack: StackPlan): string {
  if (!logged.has(stack)) {
    logged.add(stack);
    stack.use('s3');
    stack.useCore('RemovalPolicy');
    stack.add(
      [`Server access logs of the buckets in ${stack.region.id} (S3 delivers them only to SSE-S3 buckets).`],
      [
        `const accessLogs = new s3.Bucket(this, 'AccessLogs', ${tsValue({
          encryption: code('s3.BucketEncryption.S3_MANAGED'),
          blockPublicAccess: code('s3.BlockPublicAccess.BLOCK_ALL'),
          enforceSSL: true,
          objectOwnership: code('s3.ObjectOwnership.BUCKET_OWNER_PREFERRED'),
          removalPolicy: code('RemovalPolicy.RETAIN'),
        })});`,
        stack.acknowledge('accessLogs', [
          {
            rule: 'S1',
            reason: 'This bucket receives the access logs of the others: logging it into itself would loop.',
          },
        ]),
      ],
    );
  }
  return 'accessLogs';
}

/**
 * One S3 bucket per object store on S3: versioning, default encryption (SSE-S3, or SSE-KMS / DSSE-KMS with the
 * region's key), public access blocked unless the model makes it public, TLS required, server access logs to the
 * region's log bucket, lifecycle rules, and cross-region replication where the model replicates: a store's
 * `replication`, or a `replicate` flow between two stores (or two Delta tables, which live in their stores).
 * Replication needs versioning on both buckets (S3 User Guide, "Requirements for live replication").
 */
export function planObjectStores(ctx: CdkContext): void {
  const pairs = replicationPairs(ctx.model);
  const replicated = new Set(pairs.flatMap(([from, to]) => [from.id, to.id]));
  for (const { component: store, stack } of ctx.regionalOnAws('objectStore')) {
    stack.use('s3');
    const name = stack.variable(store.id);
    const logs = accessLogs(ctx, stack);
    const kms = store.encryption === 'sse-kms' || store.encryption === 'dsse-kms';
    const rules = pairs
      .filter(([from]) => from.id === store.id)
      .map(([, to]) => replicationRule(ctx, stack, store, to));
    stack.useCore('RemovalPolicy');
    const props: Record<string, TsValue> = {
      bucketName: bucketName(store).toLowerCase(),
      versioned: store.versioning || replicated.has(store.id) || undefined,
      encryption:
        store.encryption === 'none' ? undefined : code(`s3.BucketEncryption.${encryptions[store.encryption]}`),
      encryptionKey: kms ? code(dataKey(stack)) : undefined,
      bucketKeyEnabled: kms || undefined,
      blockPublicAccess: store.publicAccess ? undefined : code('s3.BlockPublicAccess.BLOCK_ALL'),
      enforceSSL: true,
      serverAccessLogsBucket: code(logs),
      serverAccessLogsPrefix: `${bucketName(store).toLowerCase()}/`,
      lifecycleRules: store.lifecycle?.length
        ? store.lifecycle.map((rule, i) => lifecycleRule(store, rule, i))
        : undefined,
      replicationRules: rules.length ? rules.map((r) => r.rule) : undefined,
      removalPolicy: code('RemovalPolicy.RETAIN'),
    };
    const comment = [
      `${store.id}: S3 bucket ${bucketName(store)}${store.description ? ` ("${store.description}")` : ''}.`,
    ];
    for (const r of rules) comment.push(r.note);
    stack.add(comment, [
      ...rules.flatMap((r) => r.before),
      `const ${name} = new s3.Bucket(this, ${quote(name[0]?.toUpperCase() + name.slice(1))}, ${tsValue(props)});`,
      ctx.tag(stack, name, store.id),
      ...(rules.length ? replicationAcknowledgments(stack, name, store, pairs) : []),
    ]);
  }
}

const REPLICATION_REASON =
  'The replication role reads every object version of this bucket and writes any key of its destination, with the KMS actions replication needs (S3 User Guide, "Setting up permissions for live replication").';

/**
 * The IAM5 findings cdk-nag reports on the replication role CDK makes, one acknowledgment each (a finding is named
 * by its resource or action; the bucket's own ARN by its logical id, known once the bucket exists).
 */
function replicationAcknowledgments(
  stack: StackPlan,
  name: string,
  store: ObjectStore,
  pairs: readonly [ObjectStore, ObjectStore][],
): string[] {
  stack.useCore('CfnElement');
  const logicalId = `${name}LogicalId`;
  const finding = (text: string) => ({ rule: code(`\`AwsSolutions-IAM5[${text}]\``), reason: REPLICATION_REASON });
  const destinations = pairs.filter(([from]) => from.id === store.id).map(([, to]) => to);
  const kms = [store, ...destinations].some((s) => s.encryption === 'sse-kms' || s.encryption === 'dsse-kms');
  return [
    `const ${logicalId} = this.getLogicalId(${name}.node.defaultChild as CfnElement);`,
    stack.acknowledge(name, [
      finding(`Resource::<\${${logicalId}}.Arn>/*`),
      ...destinations.map((d) => finding(`Resource::arn:<AWS::Partition>:s3:::${bucketName(d).toLowerCase()}/*`)),
      ...(kms ? [finding('Action::kms:GenerateDataKey*'), finding('Action::kms:ReEncrypt*')] : []),
    ]),
  ];
}

function lifecycleRule(store: ObjectStore, rule: NonNullable<ObjectStore['lifecycle']>[number], i: number): TsValue {
  const id = `${rule.action}-after-${rule.afterDays}-days`;
  if (rule.action === 'expire') return { id, expiration: code(`Duration.days(${rule.afterDays})`) };
  const found = cdkStorageClass[transitionClass('cdk', store, i)];
  return {
    id,
    transitions: [
      { storageClass: code(`s3.StorageClass.${found}`), transitionAfter: code(`Duration.days(${rule.afterDays})`) },
    ],
  };
}

function replicationRule(
  ctx: CdkContext,
  stack: StackPlan,
  source: ObjectStore,
  destination: ObjectStore,
): { rule: TsValue; before: string[]; note: string } {
  const target = ctx.stackOf(destination);
  const destinationName = bucketName(destination).toLowerCase();
  const variable = `${stack.variable(source.id)}To${stack.variable(destination.id).replace(/^./, (c) => c.toUpperCase())}`;
  // The destination deploys first: S3 refuses a replication rule to a bucket that does not exist yet.
  if (target && target !== stack) stack.dependsOn.add(target.region.id);
  const destinationKms = destination.encryption === 'sse-kms' || destination.encryption === 'dsse-kms';
  const before = [
    `const ${variable} = s3.Bucket.fromBucketAttributes(this, ${quote(`${variable[0]?.toUpperCase()}${variable.slice(1)}`)}, ${tsValue(
      {
        bucketName: destinationName,
        region: target?.region.code,
      },
    )});`,
  ];
  const rtc = source.replication?.mode === 'rtc';
  const sourceKms = source.encryption === 'sse-kms' || source.encryption === 'dsse-kms';
  if (destinationKms && target) {
    stack.use('kms');
    // A key's ARN holds a random id; its alias ARN is fixed by name, and S3 accepts either (S3 API, "ReplicaKmsKeyID").
    before.push(
      `const ${variable}Key = kms.Key.fromKeyArn(this, ${quote(`${variable[0]?.toUpperCase()}${variable.slice(1)}Key`)}, this.formatArn({
        service: 'kms',
        region: ${quote(target.region.code)},
        resource: 'alias',
        resourceName: ${quote(`${ctx.model.name}-${target.region.id}-data`.toLowerCase().replace(/[^a-z0-9]+/g, '-'))},
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }));`,
    );
    stack.useCore('ArnFormat');
  }
  stack.useCore('Duration');
  return {
    before,
    note: `Replicated to ${destination.id} (${destinationName}${target ? `, ${target.region.id}` : ''})${rtc ? ' with Replication Time Control (15 minutes)' : ''}.`,
    rule: {
      destination: code(variable),
      priority: 0,
      deleteMarkerReplication: true,
      sseKmsEncryptedObjects: sourceKms || undefined,
      kmsKey: destinationKms && target ? code(`${variable}Key`) : undefined,
      replicationTimeControl: rtc ? code('s3.ReplicationTimeValue.FIFTEEN_MINUTES') : undefined,
      metrics: rtc ? code('s3.ReplicationTimeValue.FIFTEEN_MINUTES') : undefined,
    },
  };
}
