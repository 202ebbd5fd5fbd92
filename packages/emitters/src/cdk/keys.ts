import { awsName } from '../aws/names.ts';
import { quote } from './code.ts';
import type { StackPlan } from './context.ts';

const made = new WeakSet<StackPlan>();

/**
 * The variable of the region's customer managed KMS key for encryption at rest of its data stores, declared on
 * first use (so it comes before the first construct that needs it), with yearly rotation.
 */
export function dataKey(stack: StackPlan): string {
  if (!made.has(stack)) {
    made.add(stack);
    stack.use('kms');
    stack.useCore('RemovalPolicy');
    const alias = `alias/${awsName(`${stack.model.name}-${stack.region.id}-data`)}`;
    stack.add(
      [`Encryption at rest of the data stores in ${stack.region.id}: one customer managed key, rotated yearly.`],
      [
        `const dataKey = new kms.Key(this, 'DataKey', {
          description: ${quote(`${stack.model.name}: encryption at rest of the data stores in ${stack.region.id}`)},
          alias: ${quote(alias)},
          enableKeyRotation: true,
          removalPolicy: RemovalPolicy.RETAIN,
        });`,
      ],
    );
  }
  return 'dataKey';
}
