import type { z } from 'zod';
import type { RefId, RefKindsKey } from '../model/common.ts';
import type { componentSchemas } from '../model/components.ts';
import type { ComponentKind, FlowSchema } from '../model/schema.ts';
import type { DataClassRef, Ref } from './refs.ts';

/** The hand-written form of one kind's schema. */
type KindInput<K extends ComponentKind> = z.input<(typeof componentSchemas)[K]>;

/** The kinds a reference field may name, or `false` for a field that is not a reference. */
type RefKindsOf<T> = RefKindsKey extends keyof T ? ([T] extends [RefId<infer K>] ? K : false) : false;

/**
 * The DSL form of a schema input: every field declared with `ref(...)` takes a `Ref` of the kinds it may name,
 * never a string, so a typo or a reference of the wrong kind does not compile. Derived from the schemas, so a
 * new reference field needs nothing here.
 */
type WithRefs<T> =
  RefKindsOf<NonNullable<T>> extends infer K extends ComponentKind
    ? Ref<K> | Extract<T, undefined>
    : T extends readonly (infer E)[]
      ? WithRefs<E>[]
      : T extends object
        ? { [P in keyof T]: WithRefs<T[P]> }
        : T;

/** Options every DSL factory accepts besides its kind's own. */
export interface CommonOptions {
  /** Data classes the component holds or processes. */
  readonly dataClasses?: readonly DataClassRef[];
  /** Shorthand for `capacity: { maxRps }`. */
  readonly maxRps?: number;
}

/** The options of a DSL factory for one kind: the schema's fields, with references as values. */
export type ComponentOptions<K extends ComponentKind> = WithRefs<
  Omit<KindInput<K>, 'id' | 'kind' | 'placement' | 'source' | 'dataClasses'>
> &
  CommonOptions;

/** Options of `cluster.deployment(...)` and its siblings (the workload kind is given by the method). */
export type WorkloadOptions = Omit<ComponentOptions<'workload'>, 'workloadKind'>;

/** Options of `t.flow(from, to, options)`. */
export type FlowOptions = Omit<z.input<typeof FlowSchema>, 'id' | 'from' | 'to' | 'dataClasses' | 'source'> & {
  /** Defaults to `<from id>-><to id>` (with `#2`, `#3` for further flows between the same pair). */
  readonly id?: string;
  /** Data classes the flow carries. */
  readonly carries?: readonly DataClassRef[];
};

/** Rest parameter: optional when every option is optional, required otherwise. */
export type OptionsArg<T> = object extends T ? [options?: T] : [options: T];
