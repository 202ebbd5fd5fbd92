import { readFileSync } from 'node:fs';

/** The part of a CRD's structural OpenAPI v3 schema (apiextensions.k8s.io/v1 `JSONSchemaProps`) the walker reads. */
export interface CrdSchema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly properties?: Readonly<Record<string, CrdSchema>>;
  readonly additionalProperties?: CrdSchema;
  readonly items?: CrdSchema;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly CrdSchema[];
  readonly pattern?: string;
  readonly minimum?: number;
  readonly format?: string;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-validations'?: readonly { readonly rule: string; readonly message?: string }[];
}

/** A CRD version's schema kept as a test fixture (`source` names where it was taken from). */
export function crdSchema(fixture: string): CrdSchema {
  const file = JSON.parse(readFileSync(new URL(`../fixtures/${fixture}`, import.meta.url), 'utf8')) as {
    openAPIV3Schema: CrdSchema;
  };
  return file.openAPIV3Schema;
}

// int32 and int64 as the API server bounds them (apiextensions-apiserver, "format" validation).
const bounds: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/**
 * What the API server's validation of a custom resource reports against its structural schema, with
 * `--validate=strict`'s refusal of fields the schema does not define (the server would otherwise prune them
 * silently): types, required fields, enums, patterns, minimums, integer formats, int-or-string, maps and lists.
 * `metadata` is the ObjectMeta the server validates apart (see `formatErrors`). CEL rules
 * (`x-kubernetes-validations`) are not evaluated offline: an object reaching one is reported, never passed.
 */
export function crdErrors(value: unknown, schema: CrdSchema, path = ''): string[] {
  if (value === undefined || value === null) return [];
  if (schema['x-kubernetes-validations']?.length)
    return [`${path}: holds CEL rules this offline validator cannot evaluate`];
  if (schema['x-kubernetes-int-or-string']) {
    if (typeof value === 'number' ? !Number.isInteger(value) : typeof value !== 'string')
      return [`${path}: expected an integer or a string`];
    if (typeof value === 'string' && schema.pattern && !new RegExp(schema.pattern).test(value))
      return [`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`];
    return [];
  }
  const errors: string[] = [];
  if (schema.enum && !schema.enum.includes(value))
    errors.push(
      `${path}: ${JSON.stringify(value)} is not one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`,
    );
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') return [`${path}: expected a string`];
      if (schema.pattern && !new RegExp(schema.pattern).test(value))
        errors.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
      return errors;
    case 'boolean':
      return typeof value === 'boolean' ? errors : [`${path}: expected a boolean`];
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || (schema.type === 'integer' && !Number.isInteger(value)))
        return [`${path}: expected ${schema.type === 'integer' ? 'an integer' : 'a number'}`];
      const [low, high] = (schema.format && bounds[schema.format]) || [-Infinity, Infinity];
      if (value < low || value > high) errors.push(`${path}: ${value} is out of ${schema.format}`);
      if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: ${value} < ${schema.minimum}`);
      return errors;
    }
    case 'array':
      if (!Array.isArray(value)) return [`${path}: expected an array`];
      return [
        ...errors,
        ...value.flatMap((item, i) => (schema.items ? crdErrors(item, schema.items, `${path}[${i}]`) : [])),
      ];
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object`];
      if (path === '.metadata') return errors;
      const object = value as Record<string, unknown>;
      for (const key of schema.required ?? []) if (object[key] === undefined) errors.push(`${path}.${key}: required`);
      for (const [key, inner] of Object.entries(object)) {
        const property = schema.properties?.[key] ?? schema.additionalProperties;
        if (property) errors.push(...crdErrors(inner, property, `${path}.${key}`));
        else if (!schema['x-kubernetes-preserve-unknown-fields']) errors.push(`${path}.${key}: unknown field`);
      }
      return errors;
    }
    default:
      return [`${path}: the schema gives no type`];
  }
}
