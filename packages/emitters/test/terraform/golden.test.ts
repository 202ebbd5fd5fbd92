import { readdirSync } from 'node:fs';
import { loadTopology } from '@meridian/topology';
import { describe, expect, it } from 'vitest';
import { runEmitter } from '../../src/emitter.ts';
import { terraformEmitter } from '../../src/terraform/emitter.ts';
import { AWS_PROVIDER_VERSION } from '../../src/terraform/providers.ts';
import { awsProviderSchema } from './support/provider-schema.ts';
import { validateTerraform } from './support/validate.ts';

const examplesDir = new URL('../../../../examples/', import.meta.url);
const examples = readdirSync(examplesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && readdirSync(new URL(`${d.name}/`, examplesDir)).includes('topology.ts'))
  .map((d) => d.name);

it('the emitter pins the provider version whose schema the tests check against', () => {
  expect(awsProviderSchema().version).toBe(AWS_PROVIDER_VERSION);
});

// What `meridian emit terraform` writes for every example, kept in test/terraform/golden/ (`vitest run -u` rewrites
// them), and validated against the pinned hashicorp/aws schema, so a golden file cannot hold what Terraform rejects.
describe.each(examples)('terraform golden files: %s', (example) => {
  it('are what the emitter writes, and validate against the hashicorp/aws schema', async () => {
    const model = await loadTopology(new URL(`${example}/topology.ts`, examplesDir).pathname);
    const files = runEmitter(terraformEmitter, model, {});
    expect(files.map((f) => f.path)).toContain('versions.tf.json');
    const parsed: Record<string, unknown> = {};
    for (const file of files) {
      expect(file.path).toMatch(/^[a-z-]+\.tf\.json$/);
      await expect(file.contents).toMatchFileSnapshot(`./golden/${example}/${file.path}`);
      parsed[file.path] = JSON.parse(file.contents);
    }
    expect(validateTerraform(parsed, awsProviderSchema()).join('\n')).toBe('');
    // Comment-free JSON: a resource that takes tags names the model component (or the region) it was made for.
    for (const [file, content] of Object.entries(parsed)) {
      const blocks = (content as { resource?: Record<string, Record<string, { tags?: Record<string, string> }>> })
        .resource;
      for (const [type, instances] of Object.entries(blocks ?? {})) {
        if (!awsProviderSchema().resources[type]?.a.tags) continue;
        for (const [name, body] of Object.entries(instances)) {
          const tags = body.tags ?? {};
          expect(tags['meridian:component'] ?? tags['meridian:region'], `${file}: ${type}.${name}`).toBeDefined();
        }
      }
    }
  });
});
