import type { z } from 'zod';
import type { componentSchemas } from '../model/components.ts';
import type { ComponentKind, FlowSchema } from '../model/schema.ts';
import type { DataClassRef, Ref } from './refs.ts';

/** The hand-written form of one kind's schema. */
type KindInput<K extends ComponentKind> = z.input<(typeof componentSchemas)[K]>;
type Part<K extends ComponentKind, F extends keyof KindInput<K>> = NonNullable<KindInput<K>[F]>;
type Replace<T, R> = Omit<T, keyof R> & R;

/** Fields whose value is another component: in the DSL they take a `Ref` of the right kind, never a string. */
interface ReferenceFields {
  apiGateway: { authorizer?: Replace<Part<'apiGateway', 'authorizer'>, { issuer?: Ref | undefined }> };
  ingress: { rules?: Replace<Part<'ingress', 'rules'>[number], { backend: Ref }>[] };
  postgres: {
    replicaOf?: Ref<'postgres'> | undefined;
    backup?: Replace<Part<'postgres', 'backup'>, { destination?: Ref<'objectStore'> | undefined }>;
  };
  redis: { globalDatastore?: Replace<Part<'redis', 'globalDatastore'>, { primary?: Ref<'redis'> | undefined }> };
  queue: { dlq?: Ref<'queue'> | undefined };
  stream: { mirrorOf?: Ref<'stream'> | undefined };
  objectStore: { replication?: Replace<Part<'objectStore', 'replication'>, { to: Ref<'objectStore'> }> };
  deltaTable: { store: Ref<'objectStore'>; catalog?: Ref<'catalog'> | undefined };
  queryEngine: { reads?: Ref<'deltaTable'>[] | undefined; catalog?: Ref<'catalog'> | undefined };
  secrets: { syncTo?: Replace<Part<'secrets', 'syncTo'>, { clusters: Ref<'kubernetesCluster'>[] }> };
}

/** Options every DSL factory accepts besides its kind's own. */
export interface CommonOptions {
  /** Data classes the component holds or processes. */
  readonly dataClasses?: readonly DataClassRef[];
  /** Shorthand for `capacity: { maxRps }`. */
  readonly maxRps?: number;
}

/** The options of a DSL factory for one kind: the schema's fields, with references as values. */
export type ComponentOptions<K extends ComponentKind> = Replace<
  Omit<KindInput<K>, 'id' | 'kind' | 'placement' | 'source' | 'dataClasses'>,
  K extends keyof ReferenceFields ? ReferenceFields[K] : object
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
