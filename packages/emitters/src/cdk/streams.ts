import type { Stream } from '@meridian/topology';
import { brokerCount, serverProperties } from '../aws/msk.ts';
import { awsName } from '../aws/names.ts';
import { EmitError } from '../errors.ts';
import { code, quote, type TsValue, tsValue } from './code.ts';
import type { CdkContext, StackPlan } from './context.ts';
import { dataKey } from './keys.ts';

// Where the model names none: a Kafka version MSK supports and its smallest current Graviton broker, starting points.
const DEFAULT_KAFKA_VERSION = '3.9.x';
const DEFAULT_BROKER = 'kafka.m7g.large';

/**
 * MSK clusters (aws-cdk-lib has only the L1): brokers in the region's data subnets, one per zone or more to hold the
 * replication factor (MSK spreads brokers evenly over the client subnets' zones: a multiple of the zone count, MSK
 * Developer Guide), IAM access control over TLS, encryption at rest with the region's key and in transit, broker
 * logs to CloudWatch Logs, and a configuration carrying the modelled replication factor, min.insync.replicas,
 * retention and partitions. Mirroring (MirrorMaker 2) runs in a cluster as a workload, not here.
 */
export function planStreams(ctx: CdkContext): void {
  for (const { component: stream, stack } of ctx.regionalOnAws('stream')) planStream(ctx, stack, stream);
}

function planStream(ctx: CdkContext, stack: StackPlan, stream: Stream): void {
  const zones = ctx.zonesOf(stack);
  if (zones.length < 2) {
    throw new EmitError(
      'cdk-unsupported',
      `${stream.id}: MSK needs client subnets in two or three zones, ${stack.region.id} has ${zones.length}`,
      {
        path: ['regions', stack.region.id, 'zones'],
        hint: `declare two or three zones for ${stack.region.id}`,
      },
    );
  }
  stack.use('ec2', 'msk', 'logs');
  const name = stack.variable(stream.id);
  const id = name[0]?.toUpperCase() + name.slice(1);
  const key = dataKey(stack);
  const brokers = brokerCount(stream, zones.length);
  const properties = serverProperties(stream);
  const clusterName = awsName(`${ctx.model.name}-${stream.id}`, 64);
  const comment = [
    `${stream.id}: Kafka on MSK, ${brokers} brokers over ${zones.join(', ')}${stream.description ? ` ("${stream.description}")` : ''}.`,
    `The model names no Kafka version or broker type: ${DEFAULT_KAFKA_VERSION} and ${DEFAULT_BROKER} are starting points.`,
  ];
  if (stream.mirrorOf)
    comment.push(
      `It mirrors ${stream.mirrorOf} (${stream.mirroring ?? 'mirroring'}), which runs as a workload, not here.`,
    );
  if (stream.topics?.length)
    comment.push(
      `Topics the model names (made by clients, not CloudFormation): ${stream.topics.map((t) => t.name).join(', ')}.`,
    );
  const statements = [
    `const ${name}SecurityGroup = new ec2.SecurityGroup(this, ${quote(`${id}SecurityGroup`)}, ${tsValue({
      vpc: code('vpc'),
      description: `${stream.id}: Kafka clients`,
      allowAllOutbound: false,
    })});`,
    `const ${name}Logs = new logs.LogGroup(this, ${quote(`${id}Logs`)});`,
  ];
  if (properties.length) {
    statements.push(
      `const ${name}Configuration = new msk.CfnConfiguration(this, ${quote(`${id}Configuration`)}, ${tsValue({
        name: clusterName,
        kafkaVersionsList: [DEFAULT_KAFKA_VERSION],
        serverProperties: `${properties.join('\n')}\n`,
      })});`,
    );
  }
  const props: Record<string, TsValue> = {
    clusterName,
    kafkaVersion: DEFAULT_KAFKA_VERSION,
    numberOfBrokerNodes: brokers,
    brokerNodeGroupInfo: {
      instanceType: DEFAULT_BROKER,
      clientSubnets: code("vpc.selectSubnets({ subnetGroupName: 'data' }).subnetIds"),
      securityGroups: [code(`${name}SecurityGroup.securityGroupId`)],
    },
    clientAuthentication: { sasl: { iam: { enabled: true } } },
    encryptionInfo: {
      encryptionAtRest: { dataVolumeKmsKeyId: code(`${key}.keyArn`) },
      encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
    },
    loggingInfo: { brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: code(`${name}Logs.logGroupName`) } } },
    configurationInfo: properties.length ? { arn: code(`${name}Configuration.attrArn`), revision: 1 } : undefined,
    tags: { 'meridian:component': stream.id },
  };
  // IAM access control over TLS listens on 9098 (MSK Developer Guide, "Port information").
  stack.reachable.set(stream.id, { kind: 'security-group', variable: `${name}SecurityGroup`, port: 9098 });
  statements.push(`const ${name} = new msk.CfnCluster(this, ${quote(id)}, ${tsValue(props)});`);
  stack.add(comment, statements);
}
