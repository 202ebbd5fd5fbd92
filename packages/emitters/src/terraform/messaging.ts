import type { Queue, Stream } from '@meridian/topology';
import { brokerCount, serverProperties } from '../aws/msk.ts';
import type { AwsRegion, TerraformContext } from './context.ts';
import { securityGroupFor } from './security-groups.ts';

/**
 * messaging.tf.json: SQS queues (FIFO as modelled, SSE, visibility timeout and retention) with dead-letter redrive to
 * their DLQ after `maxReceiveCount` receives; MSK clusters with one broker per zone (or more, to hold the replication
 * factor), IAM access control over TLS, encryption at rest with the region's key, and a configuration carrying the
 * modelled replication factor, min.insync.replicas and retention.
 */
export function emitMessaging(ctx: TerraformContext): void {
  const queues = ctx.regionalOnAws('queue');
  for (const { component: queue, region } of queues) emitQueue(ctx, queue, region);
  for (const { component: stream, region } of ctx.regionalOnAws('stream')) emitStream(ctx, stream, region);
}

function emitQueue(ctx: TerraformContext, queue: Queue, region: AwsRegion): void {
  const name = ctx.name(queue.id);
  const dlq = queue.dlq ? ctx.component(queue.dlq) : undefined;
  const dlqEmitted = dlq?.kind === 'queue' && ctx.regionOf(dlq) === region && dlq.provider === 'sqs';
  const redrive = dlqEmitted
    ? JSON.stringify({
        deadLetterTargetArn: `\${aws_sqs_queue.${ctx.name(dlq.id)}.arn}`,
        maxReceiveCount:
          queue.maxReceiveCount ??
          ctx.doc.variable('sqs_max_receive_count', {
            type: 'number',
            description: 'Receives before a message moves to its dead-letter queue, where the model gives no count',
          }).ref,
      })
    : undefined;
  const address = ctx.doc.resource('messaging.tf.json', 'aws_sqs_queue', name, {
    provider: region.provider,
    // FIFO queue names end in .fifo (SQS Developer Guide, "Amazon SQS FIFO queues").
    name: `${ctx.awsName(`${ctx.model.name}-${queue.id}`, queue.fifo ? 75 : 80)}${queue.fifo ? '.fifo' : ''}`,
    fifo_queue: queue.fifo || undefined,
    visibility_timeout_seconds: queue.visibilityTimeoutSeconds,
    message_retention_seconds: queue.retentionSeconds,
    sqs_managed_sse_enabled: true,
    redrive_policy: redrive,
    tags: ctx.tags(queue.id),
  });
  ctx.doc.output(`${name}_url`, { description: `${queue.id}: the queue URL`, value: address.attr('url') });
}

function emitStream(ctx: TerraformContext, stream: Stream, region: AwsRegion): void {
  const name = ctx.name(stream.id);
  const network = ctx.network(region);
  const group = securityGroupFor(ctx, stream, region);
  // MSK spreads brokers over two or three zones' subnets (MSK Developer Guide, "Creating a cluster").
  const subnets = network.subnets.data.slice(0, 3);
  const zones = subnets.length;
  const brokers = brokerCount(stream, zones);
  const kafkaVersion = ctx.doc.variable(`${name}_kafka_version`, {
    type: 'string',
    description: `The Kafka version of ${stream.id} (the model names none), e.g. 3.6.0`,
  }).ref;
  const properties = serverProperties(stream);
  const configuration = properties.length
    ? ctx.doc.resource('messaging.tf.json', 'aws_msk_configuration', name, {
        provider: region.provider,
        name: ctx.awsName(`${ctx.model.name}-${stream.id}`, 64),
        kafka_versions: [kafkaVersion],
        server_properties: `${properties.join('\n')}\n`,
      })
    : undefined;
  const cluster = ctx.doc.resource('messaging.tf.json', 'aws_msk_cluster', name, {
    provider: region.provider,
    cluster_name: ctx.awsName(`${ctx.model.name}-${stream.id}`, 64),
    kafka_version: kafkaVersion,
    number_of_broker_nodes: brokers,
    broker_node_group_info: {
      instance_type: ctx.doc.variable(`${name}_broker_instance_type`, {
        type: 'string',
        description: `The broker instance type of ${stream.id} (the model names none), e.g. kafka.m7g.large`,
      }).ref,
      client_subnets: subnets.map((s) => s.attr('id')),
      security_groups: [group],
    },
    client_authentication: { sasl: { iam: true } },
    encryption_info: {
      encryption_at_rest_kms_key_arn: ctx.kmsKey(region).attr('arn'),
      encryption_in_transit: { client_broker: 'TLS', in_cluster: true },
    },
    configuration_info: configuration
      ? { arn: configuration.attr('arn'), revision: configuration.attr('latest_revision') }
      : undefined,
    tags: ctx.tags(stream.id),
  });
  ctx.doc.output(`${name}_bootstrap_brokers`, {
    description: `${stream.id}: bootstrap brokers (IAM over TLS)`,
    value: cluster.attr('bootstrap_brokers_sasl_iam'),
  });
}
