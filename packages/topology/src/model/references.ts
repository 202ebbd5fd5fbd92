import type { z } from 'zod';
import { REF_KINDS_META } from './common.ts';
import { componentSchemas } from './components.ts';
import type { Component, ComponentKind } from './schema.ts';

/** One component id a component refers to, the field it sits in, and the kinds it may point at. */
export interface ComponentReference {
  /** Path of the field inside the component, e.g. `['replicaOf']` or `['rules', 0, 'backend']`. */
  readonly path: readonly (string | number)[];
  readonly id: string;
  /** Kinds the referenced component may have; empty means any kind. */
  readonly kinds: readonly ComponentKind[];
}

/** A reference field of a kind's schema: its path (`'*'` for every array element) and the kinds it may name. */
interface ReferenceField {
  readonly path: readonly (string | '*')[];
  readonly kinds: readonly ComponentKind[];
}

interface SchemaDef {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
}

/** Every field declared with `ref(...)` in a schema, found by walking it once. */
function referenceFields(schema: z.ZodType, path: (string | '*')[] = [], out: ReferenceField[] = []): ReferenceField[] {
  const kinds = schema.meta()?.[REF_KINDS_META];
  if (Array.isArray(kinds)) {
    out.push({ path, kinds: kinds as ComponentKind[] });
    return out;
  }
  const def = (schema as unknown as { def: SchemaDef }).def;
  if (def.shape) for (const [key, field] of Object.entries(def.shape)) referenceFields(field, [...path, key], out);
  else if (def.element) referenceFields(def.element, [...path, '*'], out);
  else if (def.options) for (const option of def.options) referenceFields(option, path, out);
  else if (def.innerType) referenceFields(def.innerType, path, out);
  else if (def.in) referenceFields(def.in, path, out);
  return dedupe(out);
}

function dedupe(fields: ReferenceField[]): ReferenceField[] {
  const seen = new Set<string>();
  return fields.filter((field) => {
    const key = field.path.join('.');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const fieldsByKind = new Map<ComponentKind, readonly ReferenceField[]>(
  Object.entries(componentSchemas).map(([kind, schema]) => [kind as ComponentKind, referenceFields(schema)]),
);

/** The reference fields of a kind, in schema order: what `componentReferences` looks at. */
export function referenceFieldsOf(kind: ComponentKind): readonly ReferenceField[] {
  return fieldsByKind.get(kind) ?? [];
}

/**
 * Every reference from one component to another (placement cluster, replicaOf, dlq, store, reads, ...),
 * derived from the `ref(...)` fields of its kind's schema, so the schema checks them and the graph builder can
 * draw them without knowing each kind's fields.
 */
export function componentReferences(component: Component): ComponentReference[] {
  const refs: ComponentReference[] = [];
  for (const field of referenceFieldsOf(component.kind)) {
    collect(component, field.path, 0, [], (path, id) => refs.push({ path, id, kinds: field.kinds }));
  }
  return refs;
}

function collect(
  value: unknown,
  fieldPath: readonly (string | '*')[],
  at: number,
  path: (string | number)[],
  found: (path: (string | number)[], id: string) => void,
): void {
  if (at === fieldPath.length) {
    if (typeof value === 'string') found(path, value);
    return;
  }
  const step = fieldPath[at] as string;
  if (step === '*') {
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) collect(item, fieldPath, at + 1, [...path, i], found);
    }
    return;
  }
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, step)) {
    collect((value as Record<string, unknown>)[step], fieldPath, at + 1, [...path, step], found);
  }
}
