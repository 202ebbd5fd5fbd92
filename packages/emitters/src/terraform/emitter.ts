import { z } from 'zod';
import type { Emitter } from '../emitter.ts';
import { type TerraformOptions, toTerraform } from './to-terraform.ts';

const TerraformOptionsSchema: z.ZodType<TerraformOptions> = z.strictObject({});

/** `meridian emit terraform`: Terraform JSON for hashicorp/aws, one `*.tf.json` per concern (docs/emitters/terraform.md). */
export const terraformEmitter: Emitter<TerraformOptions> = {
  id: 'terraform',
  description: 'Terraform JSON for the hashicorp/aws provider: networks, EKS, data stores, DNS, edge and alarms',
  options: TerraformOptionsSchema,
  flags: [],
  showsFindings: false,
  emit: (model, options) => toTerraform(model, options),
};
