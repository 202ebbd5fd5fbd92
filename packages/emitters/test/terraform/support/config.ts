import { loadTopology, type Topology } from '@meridian/topology';
import { expect } from 'vitest';
import { toTerraform } from '../../../src/terraform/to-terraform.ts';
import { awsProviderSchema } from './provider-schema.ts';
import { validateTerraform } from './validate.ts';

/** A resource body of the merged configuration. */
export type Body = Record<string, unknown> & { provider?: string; tags?: Record<string, string> };
/** The emitted files merged as Terraform merges a folder: resources by type and name, the provider configurations. */
export type Config = { resource: Record<string, Record<string, Body>>; providers: { alias: string; region: string }[] };

/** The model's configuration, validated against the schema first. */
export function emit(model: Topology): Config {
  const merged: Config = { resource: {}, providers: [] };
  const parsed: Record<string, unknown> = {};
  for (const file of toTerraform(model)) {
    const json = JSON.parse(file.contents);
    parsed[file.path] = json;
    for (const [type, instances] of Object.entries(json.resource ?? {})) {
      merged.resource[type] = { ...merged.resource[type], ...(instances as Record<string, Body>) };
    }
    merged.providers.push(...(json.provider?.aws ?? []));
  }
  expect(validateTerraform(parsed, awsProviderSchema()).join('\n')).toBe('');
  return merged;
}

/** An example's model. */
export const example = (name: string): Promise<Topology> =>
  loadTopology(new URL(`../../../../../examples/${name}/topology.ts`, import.meta.url).pathname);

/** The resource a `${type.name.attr}` reference names, with its body. */
export function referenced(
  config: Config,
  reference: unknown,
): { type: string; name: string; attr: string; body: Body } {
  const match = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}$/.exec(String(reference));
  if (!match) throw new Error(`not a resource reference: ${String(reference)}`);
  const [, type = '', name = '', attr = ''] = match;
  const body = config.resource[type]?.[name];
  if (!body) throw new Error(`${type}.${name} is not emitted`);
  return { type, name, attr, body };
}
