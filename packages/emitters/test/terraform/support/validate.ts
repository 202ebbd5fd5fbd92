import { checkTemplate } from './expressions.ts';
import type { AttributeType, BlockSchema, ProviderSchema, ResourceSchema } from './provider-schema.ts';

/**
 * What stands in for `terraform validate` (which cannot install the aws provider offline): the emitted
 * `*.tf.json` files, merged as Terraform merges a folder, checked against the extracted hashicorp/aws schema.
 * - only the JSON syntax's top-level blocks; `required_providers.aws` pinned to the schema's version;
 * - every resource and data source type exists; every argument and nested block exists in its type, with the
 *   right shape (string, number, bool, list, map, object) and nesting (one block, a list of blocks);
 * - every required argument and block is present;
 * - every `${...}` is a reference or a call of an allowed function, and every reference resolves: `var.x` to a
 *   declared variable, `aws_t.n.attr[0].sub` to an emitted resource whose type exports that attribute path,
 *   `data.aws_t.n.attr` likewise; `provider = "aws.<alias>"` to a declared alias; `depends_on` to emitted resources;
 * - a variable given whole to an argument is declared with the argument's type (`number` for `min_size`).
 * Returns one message per problem, each starting with the file and the address; empty means valid.
 */
export function validateTerraform(files: Record<string, unknown>, schema: ProviderSchema): string[] {
  const problems: string[] = [];
  const resources = new Map<string, { type: string; schema: ResourceSchema }>();
  const data = new Map<string, { type: string; schema: ResourceSchema }>();
  const variables = new Set<string>();
  const variableTypes = new Map<string, unknown>();
  const aliases = new Set<string>();
  const bodies: { where: string; body: Record<string, unknown>; schema: BlockSchema; meta: boolean }[] = [];
  const strings: { where: string; value: string }[] = [];
  const wholeValues: WholeValue[] = [];
  const dependsOn: { where: string; address: unknown }[] = [];
  const providerRefs: { where: string; value: unknown }[] = [];

  for (const [file, content] of Object.entries(files)) {
    if (!isObject(content)) {
      problems.push(`${file}: not a JSON object`);
      continue;
    }
    for (const [block, value] of Object.entries(content)) {
      const where = `${file}: ${block}`;
      if (!isObject(value)) {
        problems.push(`${where}: expected an object`);
        continue;
      }
      switch (block) {
        case 'terraform':
          checkTerraformBlock(value, schema, where, problems);
          break;
        case 'provider':
          for (const [name, configs] of Object.entries(value)) {
            if (name !== 'aws') problems.push(`${where}.${name}: only the aws provider is pinned`);
            for (const [i, config] of asList(configs).entries()) {
              if (!isObject(config)) {
                problems.push(`${where}.${name}[${i}]: expected an object`);
                continue;
              }
              const alias = config.alias;
              if (typeof alias === 'string') {
                if (aliases.has(alias)) problems.push(`${where}.${name}: alias ${alias} declared twice`);
                aliases.add(alias);
              }
              bodies.push({
                where: `${where}.${name}[${i}]`,
                body: config,
                schema: schema.providerConfig,
                meta: false,
              });
            }
          }
          break;
        case 'variable':
          for (const [name, spec] of Object.entries(value)) {
            if (variables.has(name)) problems.push(`${where}.${name}: declared twice`);
            variables.add(name);
            if (isObject(spec)) variableTypes.set(name, spec.type);
            checkKeys(spec, ['type', 'description', 'default', 'sensitive', 'nullable'], `${where}.${name}`, problems);
            if (isObject(spec) && typeof spec.description !== 'string')
              problems.push(`${where}.${name}: no description`);
          }
          break;
        case 'output':
          for (const [name, spec] of Object.entries(value)) {
            checkKeys(spec, ['value', 'description', 'sensitive', 'depends_on'], `${where}.${name}`, problems);
            if (!isObject(spec) || spec.value === undefined) problems.push(`${where}.${name}: no value`);
            else collectStrings(spec.value, `${where}.${name}.value`, strings);
          }
          break;
        case 'resource':
        case 'data':
          for (const [type, instances] of Object.entries(value)) {
            const types = block === 'resource' ? schema.resources : schema.dataSources;
            const typeSchema = types[type];
            if (!typeSchema) {
              problems.push(
                `${where}.${type}: no such ${block === 'resource' ? 'resource' : 'data source'} type in ${schema.provider} ${schema.version}`,
              );
              continue;
            }
            if (!isObject(instances)) {
              problems.push(`${where}.${type}: expected an object of named instances`);
              continue;
            }
            for (const [name, body] of Object.entries(instances)) {
              const address = `${block === 'data' ? 'data.' : ''}${type}.${name}`;
              const at = `${file}: ${address}`;
              if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) problems.push(`${at}: not a valid Terraform name`);
              const index = block === 'resource' ? resources : data;
              if (index.has(address)) problems.push(`${at}: declared twice`);
              index.set(address, { type, schema: typeSchema });
              if (!isObject(body)) {
                problems.push(`${at}: expected an object`);
                continue;
              }
              bodies.push({ where: at, body, schema: typeSchema, meta: true });
            }
          }
          break;
        case 'locals':
          problems.push(`${where}: locals are not used by the emitter`);
          break;
        default:
          problems.push(`${where}: not a top-level block of the Terraform JSON syntax`);
      }
    }
  }

  for (const { where, body, schema: blockSchema, meta } of bodies) {
    checkBody(body, blockSchema, where, meta, problems, { strings, dependsOn, providerRefs, wholeValues });
  }
  for (const { where, value } of providerRefs) {
    const alias = typeof value === 'string' ? /^aws\.([A-Za-z0-9_-]+)$/.exec(value)?.[1] : undefined;
    if (!alias || !aliases.has(alias))
      problems.push(`${where}.provider: ${JSON.stringify(value)} is no declared aws alias`);
  }
  for (const { where, address } of dependsOn) {
    if (typeof address !== 'string' || !(resources.has(address) || data.has(address)))
      problems.push(`${where}.depends_on: ${JSON.stringify(address)} is not an emitted resource`);
  }
  for (const { where, value, type } of wholeValues) {
    const variable = /^\$\{var\.([A-Za-z0-9_-]+)\}$/.exec(value)?.[1];
    if (variable && variableTypes.has(variable) && typeof type === 'string' && variableTypes.get(variable) !== type)
      problems.push(`${where}: variable ${variable} is ${String(variableTypes.get(variable))}, the argument ${type}`);
  }
  const refs = { resources, data, variables };
  for (const { where, value } of strings) {
    for (const problem of checkTemplate(value, refs)) problems.push(`${where}: ${problem}`);
  }
  return problems;
}

const META_ARGUMENTS = new Set(['provider', 'depends_on', 'lifecycle', 'count', 'for_each']);

/** A value given as one whole interpolation, with the type of the argument it fills. */
interface WholeValue {
  readonly where: string;
  readonly value: string;
  readonly type: AttributeType;
}

/** What checking bodies collects for the checks that need the whole configuration. */
interface Collected {
  readonly strings: { where: string; value: string }[];
  readonly dependsOn: { where: string; address: unknown }[];
  readonly providerRefs: { where: string; value: unknown }[];
  readonly wholeValues: WholeValue[];
}

function checkBody(
  body: Record<string, unknown>,
  schema: BlockSchema,
  where: string,
  meta: boolean,
  problems: string[],
  collected: Collected,
): void {
  const { dependsOn, providerRefs } = collected;
  for (const [key, value] of Object.entries(body)) {
    const at = `${where}.${key}`;
    if (meta && META_ARGUMENTS.has(key)) {
      if (key === 'provider') providerRefs.push({ where, value });
      else if (key === 'depends_on') for (const address of asList(value)) dependsOn.push({ where, address });
      else if (key === 'lifecycle')
        checkKeys(value, ['create_before_destroy', 'prevent_destroy', 'ignore_changes'], at, problems);
      else problems.push(`${at}: the emitter does not use ${key}`);
      continue;
    }
    const attribute = schema.a[key];
    const block = schema.b?.[key];
    if (attribute !== undefined) {
      checkValue(value, attribute, at, problems, collected);
    } else if (block) {
      const items = Array.isArray(value) ? value : [value];
      if (block.n === 'one' && items.length > 1) problems.push(`${at}: a block of at most one, given ${items.length}`);
      for (const [i, item] of items.entries()) {
        if (!isObject(item)) problems.push(`${at}: a block must be an object`);
        else checkBody(item, block.s, items.length > 1 ? `${at}[${i}]` : at, false, problems, collected);
      }
    } else {
      problems.push(`${at}: no such argument or block`);
    }
  }
  for (const required of schema.r ?? []) {
    if (body[required] === undefined) problems.push(`${where}: required ${required} is missing`);
  }
}

function checkValue(
  value: unknown,
  type: AttributeType,
  where: string,
  problems: string[],
  collected: Collected,
): void {
  const { strings } = collected;
  if (typeof value === 'string') strings.push({ where, value });
  // A whole-value interpolation yields its reference's type: checked with the reference (variables by their type).
  if (typeof value === 'string' && /^\$\{[^}]*\}$/.test(value)) {
    collected.wholeValues.push({ where, value, type });
    return;
  }
  if (value === null) {
    problems.push(`${where}: null (leave the argument out instead)`);
    return;
  }
  if (typeof type !== 'string') {
    const items = type.list ? (Array.isArray(value) ? value : undefined) : [value];
    if (!items) {
      problems.push(`${where}: expected a list of objects`);
      return;
    }
    for (const item of items) {
      if (!isObject(item)) problems.push(`${where}: expected an object`);
      else checkBody(item, type.object, where, false, problems, collected);
    }
    return;
  }
  const collection = /^(list|map)\((.+)\)$/.exec(type);
  if (collection) {
    const [, kind, element = 'any'] = collection;
    if (kind === 'list') {
      if (!Array.isArray(value)) problems.push(`${where}: expected a list (${type})`);
      else for (const [i, item] of value.entries()) checkValue(item, element, `${where}[${i}]`, problems, collected);
    } else if (!isObject(value)) {
      problems.push(`${where}: expected a map (${type})`);
    } else {
      for (const [k, item] of Object.entries(value)) checkValue(item, element, `${where}.${k}`, problems, collected);
    }
    return;
  }
  const ok =
    type === 'any' ||
    (type === 'string' && typeof value === 'string') ||
    (type === 'number' && typeof value === 'number') ||
    (type === 'bool' && typeof value === 'boolean');
  if (!ok) problems.push(`${where}: expected ${type}, got ${JSON.stringify(value)}`);
  if (typeof value === 'object' && value !== null && type === 'any') collectStrings(value, where, strings);
}

function checkTerraformBlock(
  value: Record<string, unknown>,
  schema: ProviderSchema,
  where: string,
  problems: string[],
) {
  checkKeys(value, ['required_version', 'required_providers', 'backend'], where, problems);
  const aws = isObject(value.required_providers) ? value.required_providers.aws : undefined;
  if (!isObject(aws)) {
    problems.push(`${where}.required_providers: no aws entry`);
    return;
  }
  if (aws.source !== schema.provider)
    problems.push(`${where}.required_providers.aws.source: expected ${schema.provider}`);
  if (aws.version !== `= ${schema.version}` && aws.version !== schema.version)
    problems.push(
      `${where}.required_providers.aws.version: ${JSON.stringify(aws.version)} does not pin ${schema.version}, the version the output was checked against`,
    );
}

function checkKeys(value: unknown, allowed: readonly string[], where: string, problems: string[]): void {
  if (!isObject(value)) {
    problems.push(`${where}: expected an object`);
    return;
  }
  for (const key of Object.keys(value)) if (!allowed.includes(key)) problems.push(`${where}.${key}: not allowed here`);
}

function collectStrings(value: unknown, where: string, strings: { where: string; value: string }[]): void {
  if (typeof value === 'string') strings.push({ where, value });
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) collectStrings(v, `${where}[${i}]`, strings);
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) collectStrings(v, `${where}.${k}`, strings);
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
