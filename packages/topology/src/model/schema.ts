import { z } from 'zod';
import { issueParams } from '../errors.ts';
import { JurisdictionSchema, NameSchema, PercentSchema, RefSchema, SourceLocationSchema } from './common.ts';
import { ComponentSchema, componentSchemas } from './components.ts';
import { checkIntegrity } from './integrity.ts';
import { findProviderRegion, nearestRegionCode } from './regions.ts';

/**
 * The topology model: the single source of truth for its TypeScript types (inferred below, never written twice)
 * and for the JSON Schema editors use. Checks here are about validity (ids, references, real region codes);
 * design quality (single points of failure, residency) is the checker's job.
 */

/** Service level objectives of the whole system. */
export const SlaSchema = z.strictObject({
  availability: PercentSchema.optional().describe('Availability objective in %, e.g. 99.99.'),
  p99LatencyMs: z.number().positive().optional(),
  rtoSeconds: z.number().nonnegative().optional().describe('Recovery time objective.'),
  rpoSeconds: z.number().nonnegative().optional().describe('Recovery point objective.'),
  peakRps: z.number().positive().optional(),
  errorBudget: PercentSchema.optional().describe('Error-rate budget in %, e.g. 0.1.'),
});

/** A class of data and the jurisdictions it may be stored or processed in. */
export const DataClassSchema = z.strictObject({
  id: NameSchema,
  description: z.string().optional(),
  jurisdictions: z.array(JurisdictionSchema).optional().describe('Where this data may live; absent means anywhere.'),
  export: z
    .strictObject({
      aggregatesOnly: z
        .literal(true)
        .describe('Only aggregates over the class may leave its jurisdictions, computed inside them; never rows.'),
      minGroupSize: z
        .number()
        .int()
        .min(2)
        .describe('Groups of fewer rows of this class are suppressed inside the jurisdiction, never sent.'),
    })
    .optional()
    .describe('What a federated query may take out of the jurisdictions: aggregates of groups this large.'),
});

/** A checker finding the owners accept, with the reason recorded. */
export const SuppressionSchema = z.strictObject({
  rule: z.string().min(1).describe('The checker rule id, e.g. single-point-of-failure.'),
  components: z.array(RefSchema).default([]).describe('Components it applies to; empty means the whole topology.'),
  reason: z.string().min(1),
});

/**
 * The region's network when the design draws it (hld-global diagram 1.2's Internet Gateway): the gateways and
 * subnet tiers of its VPC. The VPC range itself is the region's `cidr`.
 */
export const RegionNetworkSchema = z.strictObject({
  internetGateway: z.boolean().optional().describe('An internet gateway is attached to the VPC.'),
  natGateways: z
    .union([z.number().int().nonnegative(), z.literal('one-per-zone')])
    .optional()
    .describe("How many NAT gateways; 'one-per-zone' for one in each zone used."),
  subnets: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        tier: z.enum(['public', 'private', 'data']),
        zones: z.array(z.string().min(1)).optional(),
        cidr: z.cidrv4().optional(),
      }),
    )
    .optional(),
});

/**
 * How a region takes part in disaster recovery, by the names of AWS's recovery strategies ("Disaster Recovery of
 * Workloads on AWS", https://docs.aws.amazon.com/whitepapers/latest/disaster-recovery-workloads-on-aws/disaster-recovery-options-in-the-cloud.html):
 * `active` serves traffic now; `warm-standby` runs the whole stack scaled down; `pilot-light` keeps the data
 * replicated with compute off or at zero; `backup-restore` holds backups only. The rto rule adds what each posture
 * must do before it serves (check/recovery-times.ts), and `failover` says whether a health probe or a person moves
 * the traffic.
 */
export const RegionRecoverySchema = z.strictObject({
  posture: z.enum(['active', 'warm-standby', 'pilot-light', 'backup-restore']),
  failover: z
    .enum(['automatic', 'manual'])
    .describe('automatic: a health probe moves traffic; manual: a person decides and switches it.'),
  reactionSeconds: z
    .number()
    .nonnegative()
    .optional()
    .describe(
      'Manual failover: seconds from the outage to the decision to fail over; absent, the checker assumes 900 s and says so.',
    ),
  startSeconds: z
    .number()
    .nonnegative()
    .optional()
    .describe(
      'Seconds to start and scale the region to production size (pilot light: start from zero; warm standby: scale out; backup-restore: provision); absent, a typical figure is assumed and stated.',
    ),
});

/** A region of a cloud provider taking part in the topology. */
export const RegionSchema = z
  .strictObject({
    id: NameSchema.optional().describe('Id used by placements; defaults to the code.'),
    provider: z.enum(['aws', 'gcp', 'azure']).default('aws'),
    code: z.string().min(1).describe("The provider's region code, e.g. eu-west-1."),
    role: z.enum(['primary', 'secondary', 'standby', 'dr', 'edge']),
    jurisdiction: JurisdictionSchema,
    zones: z.array(z.string().min(1)).default([]).describe('Availability zones used, e.g. eu-west-1a.'),
    cidr: z.cidrv4().optional(),
    network: RegionNetworkSchema.optional(),
    recovery: RegionRecoverySchema.optional().describe(
      'Its disaster-recovery posture and how traffic fails over to it.',
    ),
    source: SourceLocationSchema.optional(),
  })
  .superRefine((region, ctx) => {
    const published = findProviderRegion(region.provider, region.code);
    if (!published) {
      const nearest = nearestRegionCode(region.provider, region.code);
      ctx.addIssue({
        code: 'custom',
        path: ['code'],
        input: region.code,
        message: `unknown ${region.provider} region '${region.code}'`,
        params: issueParams('unknown-region', {
          expected: `a region code ${region.provider} publishes`,
          hint: `use a region code ${region.provider} publishes, e.g. ${nearest}`,
        }),
      });
      return;
    }
    region.zones.forEach((zone, i) => {
      if (!published.zones.includes(zone)) {
        ctx.addIssue({
          code: 'custom',
          path: ['zones', i],
          input: zone,
          message: `zone '${zone}' is not in ${region.provider} region ${region.code}`,
          params: issueParams('unknown-zone', {
            expected: `one of ${published.zones.join(', ') || '(no zones published)'}`,
            hint: `use a zone of ${region.code}, e.g. ${published.zones[0] ?? region.code}`,
          }),
        });
      }
    });
  })
  .transform((region) => ({ ...region, id: region.id ?? region.code }));

/** Kinds of flow between two components. */
export const FlowKindSchema = z.enum([
  'request',
  'write',
  'read',
  'replicate',
  'ingest',
  'query',
  'publish',
  'consume',
]);

// A caller waits for request/read/write/query answers; replication, ingestion and messaging decouple the two sides.
const syncByDefault: Record<z.infer<typeof FlowKindSchema>, boolean> = {
  request: true,
  read: true,
  write: true,
  query: true,
  replicate: false,
  ingest: false,
  publish: false,
  consume: false,
};

/** Traffic or data moving from one component to another. `sync` defaults by kind (request/read/write/query are sync). */
export const FlowSchema = z
  .strictObject({
    id: z.string().min(1).describe('Unique flow id; the DSL uses `<from>-><to>`.'),
    from: RefSchema,
    to: RefSchema,
    kind: FlowKindSchema.default('request'),
    sync: z.boolean().optional(),
    rps: z.number().nonnegative().optional(),
    dataClasses: z.array(z.string()).default([]).describe('Data classes carried by the flow.'),
    protocol: z.string().optional().describe('e.g. https, grpc, postgres, redis, kafka, otlp, s3.'),
    port: z.number().int().min(1).max(65535).optional(),
    replicationMode: z.enum(['sync', 'async', 'logical']).optional(),
    maxLagSeconds: z.number().nonnegative().optional().describe('Expected worst replication lag of a replicate flow.'),
    when: z
      .enum(['request', 'startup'])
      .optional()
      .describe(
        "'startup' for a dependency read only when the caller starts (a secret store, a config service): off the request path for availability, but needed to recover (issue 20). Absent: on every request.",
      ),
    routing: z
      .strictObject({
        weight: z.number().nonnegative().optional(),
        failover: z.enum(['primary', 'secondary']).optional(),
        locations: z.array(z.string()).optional().describe('Geolocation routing: where the users sent this way are.'),
        requests: z
          .array(z.string().min(1))
          .min(1)
          .optional()
          .describe(
            "The requests this route serves: paths ('/api/*') or named request kinds ('vote'). Only routes serving the same request are alternatives; absent means every request the router takes.",
          ),
      })
      .optional()
      .describe('How a DNS/load balancer chooses this target.'),
    label: z.string().optional(),
    description: z.string().optional(),
    source: SourceLocationSchema.optional(),
  })
  .transform((flow) => ({ ...flow, sync: flow.sync ?? syncByDefault[flow.kind] }));

/** A whole topology: regions, components and the flows between them, with SLA and data classes. */
export const TopologySchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string().min(1),
    description: z.string().optional(),
    owners: z.array(z.string()).default([]),
    environment: z.string().min(1).optional().describe('The environment this topology describes, e.g. production.'),
    environments: z
      .array(z.string().min(1))
      .optional()
      .describe(
        'Every environment the design keeps a configuration for (hld-global: development, staging, production); each is its own topology.',
      ),
    sla: SlaSchema.optional(),
    dataClasses: z.array(DataClassSchema).default([]),
    suppressions: z.array(SuppressionSchema).default([]),
    regions: z.array(RegionSchema).default([]),
    components: z.array(ComponentSchema).default([]),
    flows: z.array(FlowSchema).default([]),
  })
  .superRefine(checkIntegrity)
  .refine(
    (model) =>
      model.environment === undefined ||
      model.environments === undefined ||
      model.environments.includes(model.environment),
    {
      path: ['environment'],
      message: 'environment is not one of environments',
      params: issueParams('unknown-environment', { hint: 'add it to environments or fix its spelling' }),
    },
  );

/** A validated topology. */
export type Topology = z.infer<typeof TopologySchema>;
/** A topology as written by hand (YAML/JSON/DSL output), before defaults are applied. */
export type TopologyInput = z.input<typeof TopologySchema>;
/** A region of the topology. */
export type Region = z.infer<typeof RegionSchema>;
/** A region's disaster-recovery posture. */
export type RegionRecovery = z.infer<typeof RegionRecoverySchema>;
/** A flow between two components. */
export type Flow = z.infer<typeof FlowSchema>;
/** The kind of a flow. */
export type FlowKind = z.infer<typeof FlowKindSchema>;
/** Service level objectives. */
export type Sla = z.infer<typeof SlaSchema>;
/** A data class and where it may live. */
export type DataClass = z.infer<typeof DataClassSchema>;
/** An accepted checker finding. */
export type Suppression = z.infer<typeof SuppressionSchema>;
/** Any component. */
export type Component = z.infer<typeof ComponentSchema>;
/** A component's kind, e.g. 'postgres'. */
export type ComponentKind = Component['kind'];
/** The component of one kind: `ComponentOf<'postgres'>` is `Postgres`. */
export type ComponentOf<K extends ComponentKind> = Extract<Component, { kind: K }>;
/** Where a component runs. */
export type Placement = Component['placement'];
/** Architecture layer of a component. */
export type Tier = Component['tier'];
/** A file position (1-based). */
export type SourceLocation = z.infer<typeof SourceLocationSchema>;

/** Every component kind, in declaration order. */
export const componentKinds = Object.keys(componentSchemas) as ComponentKind[];

/** A DNS component. */
export type Dns = ComponentOf<'dns'>;
/** A CDN component. */
export type Cdn = ComponentOf<'cdn'>;
/** A WAF component. */
export type Waf = ComponentOf<'waf'>;
/** An API gateway component. */
export type ApiGateway = ComponentOf<'apiGateway'>;
/** A load balancer component. */
export type LoadBalancer = ComponentOf<'loadBalancer'>;
/** A Kubernetes ingress component. */
export type Ingress = ComponentOf<'ingress'>;
/** A Kubernetes cluster component. */
export type KubernetesCluster = ComponentOf<'kubernetesCluster'>;
/** A node group of a Kubernetes cluster. */
export type NodeGroup = KubernetesCluster['nodeGroups'][number];
/** A Kubernetes workload component. */
export type Workload = ComponentOf<'workload'>;
/** A non-Kubernetes compute component (Lambda, Fargate, VM). */
export type Service = ComponentOf<'service'>;
/** A PostgreSQL component. */
export type Postgres = ComponentOf<'postgres'>;
/** A MySQL component. */
export type MySql = ComponentOf<'mysql'>;
/** A globally distributed database (Cosmos DB, Spanner). */
export type GlobalDatabase = ComponentOf<'globalDatabase'>;
/** A Redis component. */
export type Redis = ComponentOf<'redis'>;
/** A queue component. */
export type Queue = ComponentOf<'queue'>;
/** A stream component. */
export type Stream = ComponentOf<'stream'>;
/** An object store component. */
export type ObjectStore = ComponentOf<'objectStore'>;
/** A Delta table component. */
export type DeltaTable = ComponentOf<'deltaTable'>;
/** A column of a Delta table. */
export type DeltaColumn = DeltaTable['columns'][number];
/** A catalog component. */
export type Catalog = ComponentOf<'catalog'>;
/** A query engine component. */
export type QueryEngine = ComponentOf<'queryEngine'>;
/** A secrets store component. */
export type Secrets = ComponentOf<'secrets'>;
/** A container registry component. */
export type ContainerRegistry = ComponentOf<'containerRegistry'>;
/** An observability component. */
export type Observability = ComponentOf<'observability'>;
/** A traffic source (users, apps, devices). */
export type Client = ComponentOf<'client'>;
/** An external vendor service. */
export type External = ComponentOf<'external'>;
