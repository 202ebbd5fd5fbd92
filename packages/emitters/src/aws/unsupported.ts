import { EmitError } from '../errors.ts';

/** The emitter a shared AWS rule refuses for: its error code names it (`terraform-unsupported`, `cdk-unsupported`). */
export type AwsTarget = 'terraform' | 'cdk';

/** The refusal of something AWS (or the target) cannot do, with the model path and the fix. */
export function unsupported(
  target: AwsTarget,
  message: string,
  details: { readonly path: readonly (string | number)[]; readonly hint: string },
): EmitError {
  return new EmitError(`${target}-unsupported`, message, details);
}
