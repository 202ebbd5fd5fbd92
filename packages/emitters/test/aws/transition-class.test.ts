import { parseTopology, type TopologyInput } from '@meridian/topology';
import { describe, expect, it } from 'vitest';
import { toCdkApp } from '../../src/cdk/emitter.ts';
import { EmitError } from '../../src/errors.ts';
import { toTerraform } from '../../src/terraform/to-terraform.ts';

const model = (storageClass: string) =>
  parseTopology({
    name: 'shop',
    regions: [{ code: 'eu-west-1', role: 'primary', jurisdiction: 'EU' }],
    components: [
      {
        id: 'eu-west-1/lake',
        kind: 'objectStore',
        placement: { region: 'eu-west-1' },
        bucket: 'shop-lake',
        lifecycle: [{ afterDays: 30, action: 'transition', storageClass }],
      },
    ],
    flows: [],
  } as TopologyInput);

function refusal(run: () => unknown): EmitError | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof EmitError) return error;
    throw error;
  }
  return undefined;
}

// One reading of a lifecycle rule's storage class for both AWS emitters (src/aws/s3.ts): they used to disagree on
// `standard` (not a transition target) and on `infrequent_access`.
describe('lifecycle transition storage classes, terraform and cdk alike', () => {
  it.each([
    ['infrequent-access', 'STANDARD_IA', 'INFREQUENT_ACCESS'],
    ['infrequent_access', 'STANDARD_IA', 'INFREQUENT_ACCESS'],
    ['GLACIER_IR', 'GLACIER_IR', 'GLACIER_INSTANT_RETRIEVAL'],
    ['deep-archive', 'DEEP_ARCHIVE', 'DEEP_ARCHIVE'],
  ])('%s is %s', (given, api, cdk) => {
    const terraform = toTerraform(model(given))
      .map((f) => f.contents)
      .join('\n');
    expect(terraform).toMatch(new RegExp(`"storage_class":\\s*"${api}"`));
    const stack = toCdkApp(model(given)).find((f) => f.path === 'lib/eu-west-1-stack.ts')?.contents ?? '';
    expect(stack).toContain(`s3.StorageClass.${cdk}`);
  });

  it.each(['standard', 'STANDARD', 'tape'])('%s is refused by both, naming the rule', (given) => {
    for (const run of [() => toTerraform(model(given)), () => toCdkApp(model(given))]) {
      const error = refusal(run);
      expect(error?.path).toEqual(['components', 'eu-west-1/lake', 'lifecycle', 0, 'storageClass']);
    }
  });
});
