import type { Postgres } from '@meridian/topology';
import { refuseReplicaSource } from '../aws/rds.ts';
import { EmitError } from '../errors.ts';
import type { AwsRegion, TerraformContext } from './context.ts';
import type { TfAddress, TfObject } from './document.ts';
import { securityGroupFor } from './security-groups.ts';

interface Database {
  readonly db: Postgres;
  readonly region: AwsRegion;
}

/**
 * databases.tf.json: PostgreSQL on RDS and Aurora. An RDS primary is a Multi-AZ-as-modelled `aws_db_instance` with
 * backups (their retention is the point-in-time-recovery window), encryption with the region's KMS key, its master
 * password kept by RDS in Secrets Manager, and deletion protection. A replica is an `aws_db_instance` whose
 * `replicate_source_db` is its primary's identifier in the same region, or its ARN across regions, encrypted with a
 * key of its own region (RDS User Guide, "Creating a read replica in a different AWS Region"). Aurora primaries with
 * replicas in other regions become an Aurora global database: a global cluster, the primary cluster and a secondary
 * cluster per replica region, each with one instance, or two in different zones when Multi-AZ.
 */
export function emitDatabases(ctx: TerraformContext): void {
  const databases = ctx.regionalOnAws('postgres').map(({ component, region }) => ({ db: component, region }));
  const byId = new Map(databases.map((d) => [d.db.id, d]));
  // A database that is some replica's source keeps backups: RDS replicates only from instances with backups on.
  const sources = new Set(databases.flatMap((d) => (d.db.replicaOf ? [d.db.replicaOf] : [])));
  // Security groups first: an Aurora reader in its primary's region is an instance of the primary's cluster and
  // shares its group, so flows to it become rules there.
  for (const { db, region } of databases) {
    const source = db.replicaOf ? byId.get(db.replicaOf) : undefined;
    if (!(db.platform === 'aurora' && source?.region === region)) securityGroupFor(ctx, db, region);
  }
  for (const { db } of databases) {
    const source = db.replicaOf ? byId.get(db.replicaOf) : undefined;
    const group = source ? ctx.securityGroups.get(source.db.id) : undefined;
    if (group && !ctx.securityGroups.has(db.id)) ctx.securityGroups.set(db.id, group);
  }
  for (const database of databases) {
    const { db } = database;
    const source = db.replicaOf ? byId.get(db.replicaOf) : undefined;
    refuseReplicaSource('terraform', db, source?.db);
    if (db.platform === 'aurora') emitAurora(ctx, database, source, databases);
    else emitRdsInstance(ctx, database, source, sources.has(db.id));
  }
}

function subnetGroup(ctx: TerraformContext, region: AwsRegion): TfAddress {
  const name = `${region.alias}_data`;
  const address = {
    type: 'aws_db_subnet_group',
    name,
    address: `aws_db_subnet_group.${name}`,
    attr: (p: string) => `\${aws_db_subnet_group.${name}.${p}}`,
  };
  if (ctx.doc.has('aws_db_subnet_group', name)) return address;
  return ctx.doc.resource('databases.tf.json', 'aws_db_subnet_group', name, {
    provider: region.provider,
    name: ctx.awsName(`${ctx.model.name}-${region.region.id}-data`, 255),
    description: `The data subnets of ${region.region.id}`,
    subnet_ids: ctx.network(region).subnets.data.map((s) => s.attr('id')),
    tags: ctx.regionTags(region, 'data'),
  });
}

function instanceClass(ctx: TerraformContext, db: Postgres): string {
  return (
    db.instanceClass ??
    ctx.doc.variable(`${ctx.name(db.id)}_instance_class`, {
      type: 'string',
      description: `The instance class of ${db.id} (the model names none), e.g. db.r6g.large`,
    }).ref
  );
}

function backupRetention(ctx: TerraformContext, db: Postgres): number | string {
  if (db.backup?.pitr && db.backup.retentionDays === 0) {
    // RDS restores to a point in time only within the automated backups' retention (RDS User Guide, "Restoring a DB
    // instance to a specified time").
    throw new EmitError('terraform-unsupported', `${db.id}: point-in-time recovery with no backups kept`, {
      path: ['components', db.id, 'backup', 'retentionDays'],
      hint: 'keep backups at least 1 day, or set pitr: false',
    });
  }
  return (
    db.backup?.retentionDays ??
    ctx.doc.variable('backup_retention_days', {
      type: 'number',
      description:
        'Days of automated backups (the point-in-time-recovery window) for databases whose retention the model does not state',
    }).ref
  );
}

function masterUsername(ctx: TerraformContext): string {
  return ctx.doc.variable('db_master_username', {
    type: 'string',
    description: 'The master user name of every database',
  }).ref;
}

function encryption(ctx: TerraformContext, db: Postgres, region: AwsRegion): TfObject {
  // Encrypted unless the model says otherwise: a replica of an encrypted primary must be encrypted anyway.
  const encrypted = db.storageEncrypted ?? true;
  return { storage_encrypted: encrypted, kms_key_id: encrypted ? ctx.kmsKey(region).attr('arn') : undefined };
}

function emitRdsInstance(
  ctx: TerraformContext,
  { db, region }: Database,
  source: Database | undefined,
  isSource: boolean,
): void {
  const name = ctx.name(db.id);
  const identifier = ctx.awsName(db.id);
  const group = ctx.securityGroups.get(db.id);
  const zones = db.placement !== 'global' && 'region' in db.placement ? (db.placement.zones ?? []) : [];
  const common: TfObject = {
    provider: region.provider,
    identifier,
    instance_class: instanceClass(ctx, db),
    multi_az: db.multiAz,
    // A single-AZ database the model pins to one zone (hld-global's master in AZ 1).
    availability_zone: !db.multiAz && zones.length === 1 ? zones[0] : undefined,
    vpc_security_group_ids: group ? [group] : undefined,
    ...encryption(ctx, db, region),
    deletion_protection: true,
    copy_tags_to_snapshot: true,
    tags: ctx.tags(db.id),
  };
  let instance: TfAddress;
  if (source) {
    const sameRegion = source.region === region;
    const sourceAddress = `aws_db_instance.${ctx.name(source.db.id)}`;
    instance = ctx.doc.resource('databases.tf.json', 'aws_db_instance', name, {
      ...common,
      replicate_source_db: sameRegion ? `\${${sourceAddress}.identifier}` : `\${${sourceAddress}.arn}`,
      // A same-region replica shares its source's subnet group; a cross-region one needs one in its own region.
      db_subnet_group_name: sameRegion ? undefined : subnetGroup(ctx, region).attr('name'),
      backup_retention_period: isSource || db.backup ? backupRetention(ctx, db) : undefined,
      skip_final_snapshot: true,
    });
  } else {
    instance = ctx.doc.resource('databases.tf.json', 'aws_db_instance', name, {
      ...common,
      engine: 'postgres',
      engine_version: db.version,
      allocated_storage:
        db.storageGb ??
        ctx.doc.variable(`${name}_allocated_storage_gb`, {
          type: 'number',
          description: `The storage of ${db.id} in GiB (the model states none)`,
        }).ref,
      storage_type: 'gp3',
      db_subnet_group_name: subnetGroup(ctx, region).attr('name'),
      username: masterUsername(ctx),
      manage_master_user_password: true,
      backup_retention_period: backupRetention(ctx, db),
      skip_final_snapshot: false,
      final_snapshot_identifier: `${identifier}-final`,
    });
  }
  ctx.endpoints.set(db.id, { kind: 'host', name: instance.attr('address') });
  ctx.doc.output(`${name}_endpoint`, { description: `${db.id}: host:port`, value: instance.attr('endpoint') });
}

function emitAurora(
  ctx: TerraformContext,
  { db, region }: Database,
  source: Database | undefined,
  all: readonly Database[],
): void {
  const name = ctx.name(db.id);
  const group = ctx.securityGroups.get(db.id);
  const primary = source ?? { db, region };
  const primaryName = ctx.name(primary.db.id);
  const crossRegion = all.filter((d) => d.db.replicaOf === primary.db.id && d.region !== primary.region);
  const isGlobal = crossRegion.length > 0;
  if (source && source.region === region) {
    // A replica in its primary's region is one more reader instance of the primary's cluster.
    emitClusterInstances(ctx, db, region, `\${aws_rds_cluster.${primaryName}.id}`, 1, []);
    return;
  }
  const globalCluster = `aws_rds_global_cluster.${primaryName}`;
  if (!source && isGlobal) {
    ctx.doc.resource('databases.tf.json', 'aws_rds_global_cluster', primaryName, {
      provider: region.provider,
      global_cluster_identifier: ctx.awsName(`${ctx.model.name}-${db.id}`),
      engine: 'aurora-postgresql',
      engine_version: db.version,
      storage_encrypted: db.storageEncrypted ?? true,
      deletion_protection: true,
      tags: ctx.tags(db.id),
    });
  }
  const cluster = ctx.doc.resource('databases.tf.json', 'aws_rds_cluster', name, {
    provider: region.provider,
    cluster_identifier: ctx.awsName(db.id),
    engine: 'aurora-postgresql',
    engine_version: db.version,
    global_cluster_identifier: isGlobal ? `\${${globalCluster}.id}` : undefined,
    db_subnet_group_name: subnetGroup(ctx, region).attr('name'),
    vpc_security_group_ids: group ? [group] : undefined,
    ...encryption(ctx, db, region),
    ...(source
      ? { skip_final_snapshot: true }
      : {
          master_username: masterUsername(ctx),
          // Secrets Manager cannot keep the master password of a global database (Aurora User Guide, "Limitations
          // of Aurora global databases"): it is a variable then.
          ...(isGlobal
            ? {
                master_password: ctx.doc.variable(`${name}_master_password`, {
                  type: 'string',
                  sensitive: true,
                  description: `The master password of the global database ${db.id}`,
                }).ref,
              }
            : { manage_master_user_password: true }),
          backup_retention_period: backupRetention(ctx, db),
          skip_final_snapshot: false,
          final_snapshot_identifier: `${ctx.awsName(db.id)}-final`,
        }),
    deletion_protection: true,
    copy_tags_to_snapshot: true,
    tags: ctx.tags(db.id),
    // A secondary joins once the primary cluster has its writer.
    depends_on: source ? [`aws_rds_cluster_instance.${primaryName}_1`] : undefined,
  });
  emitClusterInstances(ctx, db, region, cluster.attr('id'), db.multiAz ? 2 : 1, ctx.network(region).zones);
  ctx.endpoints.set(db.id, { kind: 'host', name: cluster.attr(source ? 'reader_endpoint' : 'endpoint') });
  ctx.doc.output(`${name}_endpoint`, {
    description: `${db.id}: the cluster's ${source ? 'reader' : 'writer'} endpoint`,
    value: cluster.attr(source ? 'reader_endpoint' : 'endpoint'),
  });
}

function emitClusterInstances(
  ctx: TerraformContext,
  db: Postgres,
  region: AwsRegion,
  clusterId: string,
  count: number,
  zones: readonly string[],
): void {
  const name = ctx.name(db.id);
  for (let i = 1; i <= count; i++) {
    ctx.doc.resource('databases.tf.json', 'aws_rds_cluster_instance', `${name}_${i}`, {
      provider: region.provider,
      identifier: ctx.awsName(`${db.id}-${i}`),
      cluster_identifier: clusterId,
      instance_class: instanceClass(ctx, db),
      engine: 'aurora-postgresql',
      engine_version: db.version,
      // Multi-AZ: the writer and its reader in different zones.
      availability_zone: count > 1 ? zones[(i - 1) % zones.length] : undefined,
      db_subnet_group_name: `\${aws_db_subnet_group.${region.alias}_data.name}`,
      tags: ctx.tags(db.id),
    });
  }
}
