import type { TerraformContext } from './context.ts';

/**
 * secrets.tf.json: a Secrets Manager secret per secrets store on it, encrypted with the region's key, replicated to
 * the modelled replica regions, and rotated every `rotationDays` by a rotation function the user supplies (the model
 * does not say what the secret is, so it cannot say how to rotate it).
 */
export function emitSecrets(ctx: TerraformContext): void {
  for (const { component: secrets, region } of ctx.regionalOnAws('secrets')) {
    const name = ctx.name(secrets.id);
    const replicas = (secrets.replicaRegions ?? []).map((r) => ctx.regions.get(r)?.region.code ?? r);
    const secret = ctx.doc.resource('secrets.tf.json', 'aws_secretsmanager_secret', name, {
      provider: region.provider,
      name: `${ctx.model.name}/${secrets.id}`,
      description: `${secrets.kind} ${secrets.id}`,
      kms_key_id: ctx.kmsKey(region).attr('arn'),
      recovery_window_in_days: 30,
      replica: replicas.length
        ? replicas.map((code) => {
            const replicaRegion = [...ctx.regions.values()].find((r) => r.region.code === code);
            return { region: code, kms_key_id: replicaRegion ? ctx.kmsKey(replicaRegion).attr('arn') : undefined };
          })
        : undefined,
      tags: ctx.tags(secrets.id),
    });
    if (secrets.rotationDays !== undefined) {
      ctx.doc.resource('secrets.tf.json', 'aws_secretsmanager_secret_rotation', name, {
        provider: region.provider,
        secret_id: secret.attr('id'),
        rotation_lambda_arn: ctx.doc.variable(`${name}_rotation_lambda_arn`, {
          type: 'string',
          description: `The Lambda function that rotates ${secrets.id} every ${secrets.rotationDays} days`,
        }).ref,
        rotation_rules: { automatically_after_days: secrets.rotationDays },
      });
    }
    ctx.doc.output(`${name}_arn`, { description: `${secrets.id}: the secret's ARN`, value: secret.attr('arn') });
  }
}
