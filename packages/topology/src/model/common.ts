import { z } from 'zod';
import { issueParams } from '../errors.ts';
import { type KindName, kindTraits } from './kinds.ts';

/**
 * Shapes shared by regions, components and flows: ids, references, placement, replicas, source locations.
 * Field names here are part of the model's stable contract (YAML files and other packages read them).
 */

const segment = '[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?';

/** A component id: lowercase kebab-case segments joined by '/', scoped by where it lives, e.g. `eu-west-1/eks/vote`. */
export const ComponentIdSchema = z
  .string()
  .regex(new RegExp(`^${segment}(?:/${segment})*$`), {
    message: "expected lowercase segments of a-z, 0-9, '.', '_', '-' joined by '/', e.g. 'eu-west-1/eks/vote'",
  })
  .describe(
    'Globally unique component id, scoped by placement: `<region>/<name>`, `<cluster id>/<name>` or `<name>` for global ones.',
  );

declare const refKinds: unique symbol;

/**
 * The id of another component, typed with the kinds it may name. The kinds are a phantom (any string is
 * assignable), read by the DSL to demand a `Ref` of the right kind instead of a string.
 */
export type RefId<K extends KindName = KindName> = string & { readonly [refKinds]?: K };
/** The phantom key of {@link RefId}, for types that tell a reference from a plain string. */
export type RefKindsKey = typeof refKinds;

/** The metadata key under which a reference field records the kinds it may name (also in the JSON Schema). */
export const REF_KINDS_META = 'x-meridian-ref-kinds';

/**
 * A field naming another component: `ref('postgres')` may only name a postgres, `ref()` any component. The
 * kinds travel as zod metadata, so `componentReferences` and the integrity check find every reference field
 * and what it may point at from the schemas alone.
 */
export function ref<const K extends readonly KindName[]>(...kinds: K): RefSchemaOf<K> {
  return z
    .string()
    .min(1)
    .describe('The id of another component.')
    .meta({ [REF_KINDS_META]: [...kinds] }) as unknown as RefSchemaOf<K>;
}

/** The schema `ref(...kinds)` returns: a string in and out, typed with the kinds it may name (none listed: any). */
export type RefSchemaOf<K extends readonly KindName[]> = z.ZodType<
  RefId<K extends readonly [] ? KindName : K[number]>,
  RefId<K extends readonly [] ? KindName : K[number]>
>;

/** A reference to any component. */
export const RefSchema = ref();

/** A simple identifier (region ids, data classes, node group names). */
export const NameSchema = z
  .string()
  .regex(new RegExp(`^${segment}$`), { message: "expected lowercase a-z, 0-9, '.', '_', '-', e.g. 'eu-personal'" });

/** A jurisdiction code: US, EU, UK, CH, APAC, IN, ... (uppercase). */
export const JurisdictionSchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9-]*$/, { message: "expected an uppercase jurisdiction code such as 'US', 'EU', 'UK', 'APAC'" });

/** A percentage in [0, 100], e.g. 99.99. */
export const PercentSchema = z.number().min(0).max(100);

/** Where a declaration sits in the user's source file (1-based line and column). */
export const SourceLocationSchema = z.object({
  file: z.string(),
  line: z.number().int().positive(),
  column: z.number().int().positive(),
});

/** Where a component runs: everywhere (`'global'`), in a region, in some zones of a region, or inside a Kubernetes cluster. */
export const PlacementSchema = z.union([
  z.literal('global'),
  z.strictObject({ region: z.string().min(1), zones: z.array(z.string().min(1)).optional() }),
  z.strictObject({ cluster: ref('kubernetesCluster') }),
]);

/** The layer of the architecture a component belongs to. */
export const TierSchema = z.enum([
  'edge',
  'ingress',
  'compute',
  'data',
  'analytics',
  'observability',
  'shared',
  'external',
]);

const ReplicaRangeSchema = z
  .strictObject({ min: z.number().int().nonnegative(), max: z.number().int().nonnegative() })
  .refine((range) => range.min <= range.max, {
    path: ['max'],
    message: 'max is below min',
    params: issueParams('invalid-range', { hint: 'make max at least min' }),
  });

/** Instances of a component: a fixed count (`3`) or a range (`{ min: 3, max: 10 }`); always a range once parsed. */
const ReplicasSchema = z
  .union([z.number().int().nonnegative(), ReplicaRangeSchema])
  .transform((value) => (typeof value === 'number' ? { min: value, max: value } : value));

/** Capacity limits of a component. */
const CapacitySchema = z.strictObject({
  maxRps: z
    .number()
    .positive()
    .optional()
    .describe('Requests per second the component can serve before it throttles or saturates.'),
});

/** Fields every component kind has. */
const componentBase = {
  id: ComponentIdSchema,
  name: z.string().optional().describe('Display name; defaults to the last segment of the id.'),
  description: z.string().optional(),
  placement: PlacementSchema,
  replicas: ReplicasSchema.optional(),
  capacity: CapacitySchema.optional(),
  dataClasses: z.array(z.string()).default([]).describe('Data classes this component stores or processes.'),
  availability: PercentSchema.optional().describe(
    'Availability override in %, e.g. a vendor SLA; otherwise derived by the checker.',
  ),
  tags: z.record(z.string(), z.string()).optional(),
  source: SourceLocationSchema.optional(),
};

/** A component kind's schema: the common fields, `kind` as a literal, its default tier (from its traits) and its own fields. */
export function componentKind<K extends KindName, T extends z.core.$ZodShape>(name: K, shape: T) {
  return z.strictObject({
    ...componentBase,
    kind: z.literal(name),
    tier: TierSchema.default(kindTraits[name].tier),
    ...shape,
  });
}
