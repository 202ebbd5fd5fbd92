import type { z } from 'zod';

interface Def {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  element?: z.core.$ZodType;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  options?: z.core.$ZodType[];
  discriminator?: string;
}

const defOf = (schema: z.core.$ZodType): Def => schema._zod.def as unknown as Def;

// Wrappers that do not change which fields an object has.
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable') && def.innerType)
      current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else return current;
  }
}

/** The object schema a union resolves to for this input: by discriminator, else the object option sharing most keys. */
function pickOption(def: Def, input: unknown): z.core.$ZodType | undefined {
  const options = (def.options ?? []).map(unwrap).filter((option) => defOf(option).type === 'object');
  if (input === null || typeof input !== 'object') return undefined;
  const record = input as Record<string, unknown>;
  if (def.discriminator) {
    const key = def.discriminator;
    return options.find((option) => {
      const literal = defOf(option).shape?.[key];
      return literal !== undefined && (literal._zod.def as { values?: unknown[] }).values?.includes(record[key]);
    });
  }
  const keys = Object.keys(record);
  const score = (option: z.core.$ZodType) => keys.filter((k) => k in (defOf(option).shape ?? {})).length;
  return options.sort((a, b) => score(b) - score(a))[0];
}

/**
 * The field names the schema allows for the object at `path` of `input` (following arrays, wrappers and the
 * component kind), for "did you mean" hints on unknown fields; undefined when the path leads nowhere certain.
 */
export function allowedFields(
  schema: z.core.$ZodType,
  path: readonly PropertyKey[],
  input: unknown,
): string[] | undefined {
  let current: z.core.$ZodType | undefined = unwrap(schema);
  let value = input;
  for (let i = 0; i <= path.length && current; i++) {
    const def = defOf(current);
    if (def.type === 'union') {
      current = pickOption(def, value);
      i--;
      if (!current) return undefined;
      current = unwrap(current);
      continue;
    }
    if (i === path.length) return def.type === 'object' ? Object.keys(def.shape ?? {}) : undefined;
    const part = path[i] as PropertyKey;
    value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[part] : undefined;
    if (def.type === 'object') current = def.shape?.[part as string];
    else if (def.type === 'array' || def.type === 'record')
      current = def.element ?? (def as { valueType?: z.core.$ZodType }).valueType;
    else return undefined;
    current = current && unwrap(current);
  }
  return undefined;
}
