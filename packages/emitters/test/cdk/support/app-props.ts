import { DISABLE_ASSET_STAGING_CONTEXT } from 'aws-cdk-lib/cx-api';

/**
 * The props of every CDK app the tests synthesize: into `outdir`, with asset staging off (the context the CDK CLI's
 * `cdk synth --no-staging` sets). Synthesis is otherwise the same, templates and asset manifests included (an asset
 * is listed at its source path instead of a copy in cdk.out); what it saves is copying the 32-36 MB kubectl layer of
 * each app with EKS objects into cdk.out: 55-60 MB of temp files and 0.2-0.6 s of CPU per app (measured in
 * docs/decisions/012-cdk-emitter.md).
 */
export function appProps(outdir: string): { outdir: string; context: Record<string, unknown> } {
  return { outdir, context: { [DISABLE_ASSET_STAGING_CONTEXT]: true } };
}
