import type { Postgres } from '@meridian/topology';
import { awsName } from '../aws/names.ts';
import { refuseReplicaSource } from '../aws/rds.ts';
import { EmitError } from '../errors.ts';
import { code, quote, tsValue } from './code.ts';
import type { CdkContext, NagAcknowledgment, StackPlan } from './context.ts';
import { dataKey } from './keys.ts';
import { dataSubnets } from './network.ts';

interface Database {
  readonly db: Postgres;
  readonly stack: StackPlan;
}

// Where the model names no version or size, the generated code states a starting point in a comment a team can
// change: the newest major PostgreSQL version this aws-cdk-lib names, and RDS's smallest current Graviton class.
const DEFAULT_MAJOR = '17';
const DEFAULT_AURORA = 'VER_17_4';
const DEFAULT_INSTANCE = 't4g.medium';

// Acknowledgments every database gets, with the reason a reviewer reads in the code.
const PORT: NagAcknowledgment = {
  rule: 'RDS11',
  reason:
    "Clients reach PostgreSQL on its standard port 5432, as the model's flows say; only the VPC reaches the data subnets, and a non-standard port hides nothing from a scanner inside it.",
};
const ROTATION: NagAcknowledgment = {
  rule: 'SMG4',
  reason:
    'The master password is generated into Secrets Manager; rotating it needs a rotation function reaching the database, which the model does not describe: add one with addRotationSingleUser() once the VPC reaches Secrets Manager.',
};

/**
 * PostgreSQL on RDS and Aurora. An RDS primary is a `DatabaseInstance` in the data subnets: Multi-AZ as modelled,
 * encrypted with the region's key, IAM authentication, its master password generated into Secrets Manager,
 * deletion protection, backups as modelled (their retention is the point-in-time-recovery window). A replica is a
 * `DatabaseInstanceReadReplica`; across regions its source is named by ARN (RDS User Guide, "Creating a read
 * replica in a different AWS Region"), built from the source's identifier, which the model fixes. Aurora primaries
 * are `DatabaseCluster`s (a writer, and a reader in another zone when Multi-AZ); with replicas in other regions they
 * found a global database that each replica's cluster joins.
 */
export function planDatabases(ctx: CdkContext): void {
  const databases = ctx.regionalOnAws('postgres').map(({ component, stack }) => ({ db: component, stack }));
  const byId = new Map(databases.map((d) => [d.db.id, d]));
  // Sources before their replicas, so a same-region replica names a variable already declared.
  const depth = (d: Database, seen = new Set<string>()): number => {
    const source = d.db.replicaOf ? byId.get(d.db.replicaOf) : undefined;
    if (!source || seen.has(d.db.id)) return 0;
    seen.add(d.db.id);
    return 1 + depth(source, seen);
  };
  const ordered = [...databases].sort((a, b) => depth(a) - depth(b));
  for (const database of ordered) {
    const { db } = database;
    const source = db.replicaOf ? byId.get(db.replicaOf) : undefined;
    refuseReplicaSource('cdk', db, source?.db);
    if (db.platform === 'aurora') planAurora(ctx, database, source, databases);
    else planInstance(ctx, database, source);
  }
}

function describe(db: Postgres, what: string): string[] {
  const name = db.name ?? db.description;
  return [`${db.id}: ${what}${name ? ` ("${name}")` : ''}.`];
}

function instanceType(db: Postgres): { value: string; note: string | undefined } {
  if (db.instanceClass) return { value: db.instanceClass.replace(/^db\./, ''), note: undefined };
  return {
    value: DEFAULT_INSTANCE,
    note: `The model names no instance class: db.${DEFAULT_INSTANCE} is a starting point.`,
  };
}

function engineVersion(db: Postgres): string {
  const version = db.version;
  if (!version) return `rds.PostgresEngineVersion.VER_${DEFAULT_MAJOR}`;
  const major = version.split('.')[0] ?? version;
  return `rds.PostgresEngineVersion.of(${quote(version)}, ${quote(major)})`;
}

function zonesOf(db: Postgres): readonly string[] {
  return db.placement !== 'global' && 'region' in db.placement ? (db.placement.zones ?? []) : [];
}

function common(db: Postgres, stack: StackPlan) {
  stack.use('ec2', 'rds');
  const zones = zonesOf(db);
  const type = instanceType(db);
  const encrypted = db.storageEncrypted ?? true;
  return {
    type,
    props: {
      instanceIdentifier: awsName(db.id),
      instanceType: code(`new ec2.InstanceType(${quote(type.value)})`),
      vpc: code('vpc'),
      vpcSubnets: dataSubnets,
      multiAz: db.multiAz,
      // A single-AZ database the model pins to one zone (hld-global's master in AZ 1).
      availabilityZone: !db.multiAz && zones.length === 1 ? zones[0] : undefined,
      storageEncrypted: encrypted,
      storageEncryptionKey: encrypted ? code(dataKey(stack)) : undefined,
      iamAuthentication: true,
      deletionProtection: true,
      copyTagsToSnapshot: true,
    },
  };
}

function nagOf(db: Postgres, aurora: boolean): NagAcknowledgment[] {
  const out = [PORT];
  if (!db.multiAz && !aurora) {
    out.push({
      rule: 'RDS3',
      reason: `The model runs ${db.id} in one zone (multiAz: false): meridian check judges that design, the code follows it.`,
    });
  }
  if (db.storageEncrypted === false) {
    out.push({ rule: 'RDS2', reason: `The model leaves ${db.id} unencrypted (storageEncrypted: false).` });
  }
  return out;
}

function planInstance(ctx: CdkContext, { db, stack }: Database, source: Database | undefined): void {
  const name = stack.variable(db.id);
  const { type, props } = common(db, stack);
  stack.useCore('Duration', 'RemovalPolicy');
  const backup = db.backup?.retentionDays;
  const comment = describe(db, source ? `PostgreSQL read replica of ${source.db.id}` : 'PostgreSQL on RDS');
  if (type.note) comment.push(type.note);
  const statements: string[] = [];
  const nag = nagOf(db, false);
  if (!source) {
    if (!db.version) comment.push(`The model names no version: PostgreSQL ${DEFAULT_MAJOR} is a starting point.`);
    nag.push(ROTATION);
    statements.push(
      `const ${name} = new rds.DatabaseInstance(this, ${quote(ctxId(name))}, ${tsValue({
        ...props,
        engine: code(`rds.DatabaseInstanceEngine.postgres({ version: ${engineVersion(db)} })`),
        allocatedStorage: db.storageGb,
        storageType: code('rds.StorageType.GP3'),
        credentials: code(`rds.Credentials.fromGeneratedSecret('postgres', { encryptionKey: ${dataKey(stack)} })`),
        backupRetention: backup === undefined ? undefined : code(`Duration.days(${backup})`),
        cloudwatchLogsExports: ['postgresql'],
        removalPolicy: code('RemovalPolicy.SNAPSHOT'),
      })});`,
    );
  } else if (source.stack === stack) {
    statements.push(
      `const ${name} = new rds.DatabaseInstanceReadReplica(this, ${quote(ctxId(name))}, ${tsValue({
        ...props,
        sourceDatabaseInstance: code(stack.variable(source.db.id)),
        backupRetention: backup === undefined ? undefined : code(`Duration.days(${backup})`),
        removalPolicy: code('RemovalPolicy.SNAPSHOT'),
      })});`,
    );
  } else {
    stack.useCore('ArnFormat');
    stack.dependsOn.add(source.stack.region.id);
    const input = stack.input({
      name: `${name}Source`,
      type: '{ readonly region: string; readonly instanceIdentifier: string }',
      doc: `Where ${db.id} replicates from: ${source.db.id}, in another region's stack.`,
      value: { region: source.stack.region.code, instanceIdentifier: awsName(source.db.id) },
    });
    comment.push(
      `Its source is in ${source.stack.region.id}: CDK would format an imported instance's ARN in this stack's region,`,
      'so the replica names the source ARN itself.',
    );
    statements.push(
      `const ${name} = new rds.DatabaseInstanceReadReplica(this, ${quote(ctxId(name))}, ${tsValue({
        ...props,
        sourceDatabaseInstance: code(
          `rds.DatabaseInstance.fromDatabaseInstanceAttributes(this, ${quote(`${ctxId(name)}Source`)}, {
            instanceIdentifier: ${input.code}.instanceIdentifier,
            instanceEndpointAddress: ${quote('unused-by-a-replica')},
            port: 5432,
            securityGroups: [],
          })`,
        ),
        backupRetention: backup === undefined ? undefined : code(`Duration.days(${backup})`),
        removalPolicy: code('RemovalPolicy.SNAPSHOT'),
      })});`,
      `(${name}.node.defaultChild as rds.CfnDBInstance).sourceDbInstanceIdentifier = this.formatArn({
        service: 'rds',
        region: ${input.code}.region,
        resource: 'db',
        resourceName: ${input.code}.instanceIdentifier,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });`,
    );
  }
  statements.push(ctx.tag(stack, name, db.id), stack.acknowledge(name, nag));
  stack.reachable.set(db.id, { kind: 'connections', variable: name });
  stack.add(comment, statements);
}

function ctxId(variable: string): string {
  return variable[0]?.toUpperCase() + variable.slice(1);
}

function planAurora(
  ctx: CdkContext,
  { db, stack }: Database,
  source: Database | undefined,
  all: readonly Database[],
): void {
  const name = stack.variable(db.id);
  const primary = source ?? { db, stack };
  if (source && source.stack === stack) {
    throw new EmitError(
      'cdk-unsupported',
      `${db.id}: an Aurora replica in its primary's region is a reader of its cluster`,
      {
        path: ['components', db.id, 'replicaOf'],
        hint: `drop ${db.id} and give ${source.db.id} multiAz: true (a reader in another zone)`,
      },
    );
  }
  const crossRegion = all.filter((d) => d.db.replicaOf === primary.db.id && d.stack !== primary.stack);
  const isGlobal = crossRegion.length > 0;
  const globalId = awsName(`${ctx.model.name}-${primary.db.id}`);
  const { type, props } = common(db, stack);
  stack.useCore('Duration', 'RemovalPolicy');
  const { instanceIdentifier, instanceType: _type, multiAz: _multiAz, availabilityZone: _zone, ...cluster } = props;
  const instance = (id: string) =>
    code(`rds.ClusterInstance.provisioned(${quote(id)}, { instanceType: new ec2.InstanceType(${quote(type.value)}) })`);
  const comment = describe(
    db,
    source
      ? `Aurora PostgreSQL cluster joining the global database of ${source.db.id}`
      : `Aurora PostgreSQL${isGlobal ? ', primary cluster of a global database' : ''}`,
  );
  if (type.note) comment.push(type.note);
  if (!db.version) comment.push('The model names no version: Aurora PostgreSQL 17.4 is a starting point.');
  const backup = db.backup?.retentionDays;
  const statements = [
    `const ${name} = new rds.DatabaseCluster(this, ${quote(ctxId(name))}, ${tsValue({
      ...cluster,
      clusterIdentifier: instanceIdentifier,
      engine: code(
        `rds.DatabaseClusterEngine.auroraPostgres({ version: ${
          db.version
            ? `rds.AuroraPostgresEngineVersion.of(${quote(db.version)}, ${quote(db.version.split('.')[0] ?? db.version)})`
            : `rds.AuroraPostgresEngineVersion.${DEFAULT_AURORA}`
        } })`,
      ),
      writer: instance('writer'),
      // Multi-AZ: a reader in another zone to fail over to.
      readers: db.multiAz ? [instance('reader')] : undefined,
      credentials: source
        ? undefined
        : code(`rds.Credentials.fromGeneratedSecret('postgres', { encryptionKey: ${dataKey(stack)} })`),
      backup: backup === undefined ? undefined : { retention: code(`Duration.days(${backup})`) },
      cloudwatchLogsExports: ['postgresql'],
      removalPolicy: code('RemovalPolicy.SNAPSHOT'),
    })});`,
  ];
  // A secondary's L2 still makes a (unused) secret: the same acknowledgment covers it.
  const nag = [...nagOf(db, true), ROTATION];
  if (!source && isGlobal) {
    statements.push(
      `// The global database is made from the primary cluster; the other regions' clusters join it by its identifier.
      const ${name}Global = new rds.CfnGlobalCluster(this, ${quote(`${ctxId(name)}Global`)}, {
        globalClusterIdentifier: ${quote(globalId)},
        sourceDbClusterIdentifier: ${name}.clusterIdentifier,
        deletionProtection: true,
      });`,
    );
    stack.reachable.set(db.id, { kind: 'connections', variable: name });
    stack.add(comment, [...statements, ctx.tag(stack, name, db.id), stack.acknowledge(name, nag)]);
    return;
  }
  if (source) {
    stack.dependsOn.add(source.stack.region.id);
    const input = stack.input({
      name: `${name}GlobalCluster`,
      type: 'string',
      doc: `The global database ${db.id} joins: ${source.db.id}'s, made in another region's stack.`,
      value: globalId,
    });
    comment.push(
      'A secondary cluster takes its users and data from the global database: no master user of its own',
      '(Aurora User Guide, "Adding an AWS Region to an Aurora global database").',
    );
    statements.push(
      `const ${name}Cfn = ${name}.node.defaultChild as rds.CfnDBCluster;
      ${name}Cfn.globalClusterIdentifier = ${input.code};
      ${name}Cfn.addPropertyDeletionOverride('MasterUsername');
      ${name}Cfn.addPropertyDeletionOverride('MasterUserPassword');`,
    );
  }
  stack.reachable.set(db.id, { kind: 'connections', variable: name });
  stack.add(comment, [...statements, ctx.tag(stack, name, db.id), stack.acknowledge(name, nag)]);
}
