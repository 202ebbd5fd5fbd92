import type { ComponentKind } from '../model/schema.ts';

/**
 * A component made by the DSL, used wherever another component must be named (flows, replicaOf, store, ...).
 * Its `kind` is part of the type, so a deltaTable cannot stand where an objectStore is expected.
 */
export interface Ref<K extends ComponentKind = ComponentKind> {
  /** The component's id in the model, e.g. `eu-west-1/eks/vote`. */
  readonly id: string;
  readonly kind: K;
}

/** A data class declared with `t.dataClass(...)`, used in `dataClasses` and a flow's `carries`. */
export interface DataClassRef {
  readonly id: string;
  readonly jurisdictions: readonly string[] | undefined;
}

// Values the DSL handed out; only these are turned into ids, so user data that happens to have an `id` stays as written.
const issued = new WeakSet<object>();

/** Marks a value as a DSL reference (done once, when the component or data class is declared). */
export function issue<T extends object>(value: T): T {
  issued.add(value);
  return value;
}

/** Deep copy of DSL options with every reference replaced by its id: plain data the zod schema validates. */
export function toData(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (issued.has(value)) return (value as { id: string }).id;
  if (Array.isArray(value)) return value.map(toData);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = toData(item);
  return out;
}
