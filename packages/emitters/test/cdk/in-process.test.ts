import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTopology } from '@meridian/topology';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { toCdkApp } from '../../src/cdk/emitter.ts';
import { addModelStacks } from '../../src/cdk/index.ts';
import { appProps } from './support/app-props.ts';

const topology = fileURLToPath(new URL('../../../../examples/reference/topology.ts', import.meta.url));
const nodeModules = fileURLToPath(new URL('../../../../node_modules', import.meta.url));

// Synthesizes with CDK_DEFAULT_ACCOUNT unset, as the app tests do: environment-agnostic, nothing looked up.
function synth(app: App): void {
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  delete process.env.CDK_DEFAULT_ACCOUNT;
  try {
    app.synth();
  } finally {
    if (account !== undefined) process.env.CDK_DEFAULT_ACCOUNT = account;
  }
}

describe('@meridian/emitters/cdk in-process', () => {
  it('adds the same stacks the written app adds: equal templates, cdk-nag run', async () => {
    const model = await loadTopology(topology);
    const inProcess = new App(appProps(mkdtempSync(join(tmpdir(), 'meridian-cdk-inproc-'))));
    const stacks = addModelStacks(inProcess, model);
    synth(inProcess);

    const dir = mkdtempSync(join(tmpdir(), 'meridian-cdk-written-'));
    for (const file of toCdkApp(model)) {
      mkdirSync(dirname(join(dir, file.path)), { recursive: true });
      writeFileSync(join(dir, file.path), file.contents);
    }
    symlinkSync(nodeModules, join(dir, 'node_modules'), 'dir');
    const { addStacks } = (await import(join(dir, 'lib/app.ts'))) as { addStacks: (app: App) => Record<string, Stack> };
    const written = new App(appProps(join(dir, 'cdk.out')));
    const expected = addStacks(written);
    synth(written);

    expect(Object.keys(stacks)).toEqual(Object.keys(expected));
    for (const [name, stack] of Object.entries(stacks)) {
      expect(Template.fromStack(stack).toJSON(), name).toEqual(Template.fromStack(expected[name] as Stack).toJSON());
    }
    expect(Object.keys(Template.fromStack(stacks.euWest1 as Stack).findResources('AWS::RDS::DBCluster'))).not.toEqual(
      [],
    );
  }, 300_000);

  it('runs cdk-nag: an unacknowledged queue fails synthesis', async () => {
    const app = new App(appProps(mkdtempSync(join(tmpdir(), 'meridian-cdk-inproc-'))));
    const stacks = addModelStacks(app, await loadTopology(topology));
    new Queue(Object.values(stacks)[0] as Stack, 'UnacknowledgedQueue');
    expect(() => synth(app)).toThrow(/SQS3/);
  }, 300_000);
});
