import type { TerraformContext } from './context.ts';

/**
 * The hashicorp/aws version the output is written for and checked against: the tests validate every emitted
 * resource against this version's schema (test/terraform/fixtures/aws-provider-schema.json.gz).
 */
export const AWS_PROVIDER_VERSION = '6.66.0';

/**
 * versions.tf.json: the `terraform` block pinning hashicorp/aws, and one `provider "aws"` per region, each under
 * the region's alias, tagging everything it creates with the topology's name. No backend: where state lives is
 * the user's choice (a `backend.tf` beside these files, see docs/emitters/terraform.md).
 */
export function emitProviders(ctx: TerraformContext): void {
  ctx.doc.terraform('versions.tf.json', {
    // JSON configuration syntax with `optional` object attributes and checks: Terraform 1.5 or later.
    required_version: '>= 1.5.0',
    required_providers: { aws: { source: 'hashicorp/aws', version: `= ${AWS_PROVIDER_VERSION}` } },
  });
  for (const region of ctx.providerAliases()) {
    ctx.doc.provider('versions.tf.json', {
      alias: region.alias,
      region: region.region.code,
      default_tags: { tags: { 'meridian:topology': ctx.model.name } },
    });
  }
}
