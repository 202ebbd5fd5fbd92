import { parseTopology, type TopologyInput } from '@meridian/topology';
import { describe, expect, it } from 'vitest';
import { toCdkApp } from '../../src/cdk/emitter.ts';
import { EmitError } from '../../src/errors.ts';

const region = { code: 'eu-west-1', role: 'primary', jurisdiction: 'EU', zones: ['eu-west-1a', 'eu-west-1b'] };
const at = { region: 'eu-west-1' };

function emitting(components: TopologyInput['components']): () => unknown {
  const model = parseTopology({ name: 'shop', regions: [region], components, flows: [] } as TopologyInput);
  return () => toCdkApp(model);
}

function refusal(run: () => unknown): EmitError {
  try {
    run();
  } catch (error) {
    if (error instanceof EmitError) return error;
    throw error;
  }
  throw new Error('emitted without refusing');
}

// What the CDK app cannot express is refused with a path and a hint, never emitted half-way.
describe('cdk emitter refusals', () => {
  it('refuses a Global Datastore secondary without an ElastiCache primary', () => {
    const error = refusal(
      emitting([
        { id: 'eu-west-1/cache', kind: 'redis', placement: at, globalDatastore: { role: 'secondary' } },
      ] as TopologyInput['components']),
    );
    expect(error.code).toBe('cdk-unsupported');
    expect(error.path).toEqual(['components', 'eu-west-1/cache', 'globalDatastore', 'primary']);
  });

  it('refuses Multi-AZ Redis without a replica to fail over to', () => {
    const error = refusal(
      emitting([{ id: 'eu-west-1/cache', kind: 'redis', placement: at, multiAz: true }] as TopologyInput['components']),
    );
    expect(error.path).toEqual(['components', 'eu-west-1/cache', 'replicasPerShard']);
  });

  it('refuses two components that would share a variable', () => {
    const error = refusal(
      emitting([
        { id: 'eu-west-1/orders-q', kind: 'queue', placement: at },
        { id: 'eu-west-1/orders_q', kind: 'queue', placement: at },
      ] as TopologyInput['components']),
    );
    expect(error.code).toBe('cdk-name-collision');
  });

  it('refuses an RDS replica of a self-run primary', () => {
    const error = refusal(
      emitting([
        { id: 'eu-west-1/primary', kind: 'postgres', placement: at, platform: 'self-managed' },
        { id: 'eu-west-1/replica', kind: 'postgres', placement: at, role: 'replica', replicaOf: 'eu-west-1/primary' },
      ] as TopologyInput['components']),
    );
    expect(error.path).toEqual(['components', 'eu-west-1/replica', 'replicaOf']);
  });

  it('emits a queue and its dead-letter queue with the redrive the model gives', () => {
    const files = toCdkApp(
      parseTopology({
        name: 'shop',
        regions: [region],
        components: [
          { id: 'eu-west-1/jobs-dlq', kind: 'queue', placement: at },
          { id: 'eu-west-1/jobs', kind: 'queue', placement: at, dlq: 'eu-west-1/jobs-dlq', maxReceiveCount: 3 },
        ],
        flows: [],
      } as TopologyInput),
    );
    const stack = files.find((f) => f.path === 'lib/eu-west-1-stack.ts')?.contents ?? '';
    expect(stack).toMatch(/deadLetterQueue: \{\s*queue: jobsDlq,\s*maxReceiveCount: 3,\s*\}/);
    // The DLQ is declared before the queue that names it.
    expect(stack.indexOf('const jobsDlq')).toBeLessThan(stack.indexOf('const jobs ='));
  });

  it('lists in the README the components on AWS services it does not emit yet, and only those', () => {
    const files = toCdkApp(
      parseTopology({
        name: 'shop',
        regions: [region],
        components: [
          { id: 'eu-west-1/api', kind: 'apiGateway', placement: at },
          { id: 'eu-west-1/jobs', kind: 'queue', placement: at },
          { id: 'eu-west-1/mq', kind: 'queue', placement: at, provider: 'rabbitmq' },
        ],
        flows: [],
      } as TopologyInput),
    );
    const readme = files.find((f) => f.path === 'README.md')?.contents ?? '';
    expect(readme).toContain('## Not in this app');
    expect(readme).toContain('- `eu-west-1/api` (apiGateway)');
    expect(readme).not.toContain('eu-west-1/jobs');
    // Not on an AWS service at all: nothing for the CDK app to make.
    expect(readme).not.toContain('eu-west-1/mq');
  });
});
