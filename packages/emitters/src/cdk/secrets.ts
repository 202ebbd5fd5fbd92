import { code, quote, type TsValue, tsValue } from './code.ts';
import type { CdkContext } from './context.ts';
import { dataKey } from './keys.ts';

/**
 * Secrets Manager: a secret per secrets store on it, encrypted with the region's key, replicated to the modelled
 * replica regions (each with that region's key, named by its alias). Rotation needs a function that knows what the
 * secret is, which the model does not say: the acknowledgment of SMG4 says so, with the modelled period.
 */
export function planSecrets(ctx: CdkContext): void {
  for (const { component: secrets, stack } of ctx.regionalOnAws('secrets')) {
    stack.use('secretsmanager');
    stack.useCore('RemovalPolicy');
    const name = stack.variable(secrets.id);
    const key = dataKey(stack);
    const replicas = (secrets.replicaRegions ?? []).map((r) => ctx.stacks.get(r)?.region.code ?? r);
    const props: Record<string, TsValue> = {
      secretName: `${ctx.model.name}/${secrets.id}`,
      description: `${secrets.kind} ${secrets.id}`,
      encryptionKey: code(key),
      replicaRegions: replicas.length ? replicas.map((region) => ({ region })) : undefined,
      removalPolicy: code('RemovalPolicy.RETAIN'),
    };
    stack.add(
      [`${secrets.id}: Secrets Manager secret${replicas.length ? `, replicated to ${replicas.join(', ')}` : ''}.`],
      [
        `const ${name} = new secretsmanager.Secret(this, ${quote(name[0]?.toUpperCase() + name.slice(1))}, ${tsValue(props)});`,
        ctx.tag(stack, name, secrets.id),
        stack.acknowledge(name, [
          {
            rule: 'SMG4',
            reason:
              secrets.rotationDays === undefined
                ? 'The model sets no rotation for this secret, and does not say what it holds (so nothing here could rotate it).'
                : `The model rotates it every ${secrets.rotationDays} days; rotating needs a function that knows what the secret holds, which the model does not say: add one with ${name}.addRotationSchedule().`,
          },
        ]),
      ],
    );
  }
}
