import type { Topology } from '@meridian/topology';
import { z } from 'zod';
import type { EmittedFile, Emitter } from '../emitter.ts';
import { planAccess } from './access.ts';
import { planCaches } from './caches.ts';
import { CdkContext } from './context.ts';
import { planDatabases } from './databases.ts';
import { planDns } from './dns.ts';
import { planEdge } from './edge.ts';
import { planClusters } from './eks.ts';
import { planLoadBalancers } from './load-balancers.ts';
import { planNetworks } from './network.ts';
import { cdkJson, packageJson, readme, tsconfigJson } from './project-files.ts';
import { planQueues } from './queues.ts';
import { renderApp, renderBin, renderSource, renderStack } from './render.ts';
import { planSecrets } from './secrets.ts';
import { planObjectStores } from './storage.ts';
import { planStreams } from './streams.ts';

const CdkEmitOptionsSchema = z.strictObject({});

/** Options of the cdk emitter: none yet. */
export type CdkEmitOptions = z.infer<typeof CdkEmitOptionsSchema>;

/**
 * The CDK app of a model as files: package.json, cdk.json, tsconfig.json, README.md, bin/app.ts, lib/app.ts, one
 * lib/<region>-stack.ts per AWS region and one lib/k8s/<cluster>.ts per EKS cluster with Kubernetes objects, in that
 * order. Pure and deterministic, like every emitter.
 */
export function toCdkApp(model: Topology): EmittedFile[] {
  const ctx = new CdkContext(model);
  planNetworks(ctx);
  planLoadBalancers(ctx);
  planClusters(ctx);
  planDatabases(ctx);
  planObjectStores(ctx);
  planCaches(ctx);
  planQueues(ctx);
  planStreams(ctx);
  planSecrets(ctx);
  planEdge(ctx);
  planDns(ctx);
  planAccess(ctx);
  const stacks = [...ctx.stacks.values()];
  const ts = 'text/typescript';
  return [
    { path: 'package.json', contents: packageJson(model, ctx.packages), mediaType: 'application/json' },
    { path: 'cdk.json', contents: cdkJson(), mediaType: 'application/json' },
    { path: 'tsconfig.json', contents: tsconfigJson(), mediaType: 'application/json' },
    { path: 'README.md', contents: readme(model, ctx.files.size > 0, ctx.notApplied), mediaType: 'text/markdown' },
    { path: 'bin/app.ts', contents: renderBin(model), mediaType: ts },
    { path: 'lib/app.ts', contents: renderApp(model, stacks), mediaType: ts },
    ...stacks.map((stack) => ({ path: stack.file, contents: renderStack(model, stack), mediaType: ts })),
    ...[...ctx.files].map(([path, source]) => ({ path, contents: renderSource(model, path, source), mediaType: ts })),
  ];
}

/** `meridian emit cdk`: an AWS CDK v2 TypeScript app, one stack per AWS region of the model. */
export const cdkEmitter: Emitter<CdkEmitOptions> = {
  id: 'cdk',
  description: 'AWS CDK v2 TypeScript app: one stack per AWS region, checked by cdk-nag',
  options: CdkEmitOptionsSchema,
  flags: [],
  showsFindings: false,
  emit: (model) => toCdkApp(model),
};
