import type { Queue } from '@meridian/topology';
import { awsName } from '../aws/names.ts';
import { code, quote, type TsValue, tsValue } from './code.ts';
import type { CdkContext, StackPlan } from './context.ts';

// SQS moves a message to the dead-letter queue after this many receives where the model gives no count: the
// figure the SQS Developer Guide's redrive examples use.
const DEFAULT_MAX_RECEIVES = 5;

/**
 * SQS queues: FIFO as modelled, SQS-managed encryption, TLS required, visibility timeout and retention as modelled,
 * and redrive to their dead-letter queue after `maxReceiveCount` receives. Dead-letter queues come first, so the
 * queue that names one finds its variable declared.
 */
export function planQueues(ctx: CdkContext): void {
  const queues = ctx.regionalOnAws('queue');
  const dlqs = new Set(queues.flatMap(({ component }) => (component.dlq ? [component.dlq] : [])));
  const ordered = [...queues].sort((a, b) => Number(dlqs.has(b.component.id)) - Number(dlqs.has(a.component.id)));
  for (const { component: queue, stack } of ordered) planQueue(ctx, stack, queue, dlqs.has(queue.id));
}

function planQueue(ctx: CdkContext, stack: StackPlan, queue: Queue, isDlq: boolean): void {
  stack.use('sqs');
  const name = stack.variable(queue.id);
  const dlq = queue.dlq ? ctx.component(queue.dlq) : undefined;
  const dlqHere = dlq?.kind === 'queue' && ctx.stackOf(dlq) === stack && dlq.provider === 'sqs';
  const comment = [`${queue.id}: SQS ${queue.fifo ? 'FIFO ' : ''}queue${isDlq ? ', a dead-letter queue' : ''}.`];
  if (dlqHere && queue.maxReceiveCount === undefined)
    comment.push(
      `The model gives no receive count: after ${DEFAULT_MAX_RECEIVES} receives a message goes to ${dlq.id}.`,
    );
  if (queue.retentionSeconds !== undefined || queue.visibilityTimeoutSeconds !== undefined) stack.useCore('Duration');
  const props: Record<string, TsValue> = {
    // FIFO queue names end in .fifo (SQS Developer Guide, "Amazon SQS FIFO queues").
    queueName: `${awsName(`${stack.model.name}-${queue.id}`, queue.fifo ? 75 : 80)}${queue.fifo ? '.fifo' : ''}`,
    fifo: queue.fifo || undefined,
    encryption: code('sqs.QueueEncryption.SQS_MANAGED'),
    enforceSSL: true,
    visibilityTimeout:
      queue.visibilityTimeoutSeconds === undefined
        ? undefined
        : code(`Duration.seconds(${queue.visibilityTimeoutSeconds})`),
    retentionPeriod:
      queue.retentionSeconds === undefined ? undefined : code(`Duration.seconds(${queue.retentionSeconds})`),
    deadLetterQueue: dlqHere
      ? { queue: code(stack.variable(dlq.id)), maxReceiveCount: queue.maxReceiveCount ?? DEFAULT_MAX_RECEIVES }
      : undefined,
  };
  const statements = [
    `const ${name} = new sqs.Queue(this, ${quote(name[0]?.toUpperCase() + name.slice(1))}, ${tsValue(props)});`,
    ctx.tag(stack, name, queue.id),
  ];
  if (!dlqHere && !isDlq) {
    statements.push(
      stack.acknowledge(name, [
        {
          rule: 'SQS3',
          reason: `The model gives ${queue.id} no dead-letter queue: a message that keeps failing stays until its retention ends.`,
        },
      ]),
    );
  }
  stack.add(comment, statements);
}
