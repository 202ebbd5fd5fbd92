import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTopology, type TopologyInput } from '@meridian/topology';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { toCdkApp } from '../../../src/cdk/emitter.ts';
import { appProps } from './app-props.ts';

const nodeModules = fileURLToPath(new URL('../../../../../node_modules', import.meta.url));

/** A small model's CDK app: its files, and its stacks' templates by region code, after a synthesis with cdk-nag. */
export interface SynthesizedApp {
  readonly files: Map<string, string>;
  readonly templates: Map<string, Template>;
}

/**
 * Emits the app of `input`, writes it to a temp dir of its own (node_modules linked to the repo's), imports its
 * `lib/app.ts` and synthesizes it account-agnostic, with the cdk-nag plugin its `addStacks` adds: an
 * unacknowledged finding throws here, as a missing context lookup does.
 */
export async function synthesize(input: TopologyInput): Promise<SynthesizedApp> {
  const files = toCdkApp(parseTopology(input));
  const dir = mkdtempSync(join(tmpdir(), 'meridian-cdk-small-'));
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.contents);
  }
  symlinkSync(nodeModules, join(dir, 'node_modules'), 'dir');
  const { addStacks } = (await import(join(dir, 'lib/app.ts'))) as {
    addStacks: (app: App) => Record<string, Stack>;
  };
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  delete process.env.CDK_DEFAULT_ACCOUNT;
  try {
    const app = new App(appProps(join(dir, 'cdk.out')));
    const stacks = Object.values(addStacks(app));
    const assembly = app.synth();
    if (assembly.manifest.missing?.length)
      throw new Error(`context lookups: ${JSON.stringify(assembly.manifest.missing)}`);
    return {
      files: new Map(files.map((f) => [f.path, f.contents])),
      templates: new Map(stacks.map((s) => [s.region, Template.fromStack(s)])),
    };
  } finally {
    if (account !== undefined) process.env.CDK_DEFAULT_ACCOUNT = account;
  }
}

/** The template of an app's stack in `region`; throws when the app has none there. */
export function templateOf(app: SynthesizedApp, region: string): Template {
  const template = app.templates.get(region);
  if (!template) throw new Error(`no stack in ${region}: ${[...app.templates.keys()].join(', ')}`);
  return template;
}
