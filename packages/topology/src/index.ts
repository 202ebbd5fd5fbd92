// Public API of @meridian/topology: every export is named here.
export const version = '0.1.0';

export type { Assumption } from './check/assumptions.ts';
export type { AvailabilityFactor, EntryAvailability, ParallelAvailability } from './check/availability.ts';
export type { CapacityScenario } from './check/capacity.ts';
export {
  type CheckExplanation,
  type CheckOptions,
  type CheckResult,
  check,
  type SuppressedCount,
} from './check/check.ts';

export { type Finding, type FindingLocation, type RuleId, ruleIds, type Severity } from './check/finding.ts';
export {
  toGraph,
  type ComponentNodeAttributes,
  type ContainsEdgeAttributes,
  type FlowEdgeAttributes,
  type ReferenceEdgeAttributes,
  type RegionNodeAttributes,
  regionKey,
  type TopologyEdgeAttributes,
  type TopologyGraph,
  type TopologyNodeAttributes,
} from './check/graph.ts';
export { type PublishedSla, publishedSlas } from './check/published-slas.ts';
export type { FailoverModel } from './check/failover.ts';
export { type RecoveryClass, type RpoBudget, type RtoBudget, recoveryClass } from './check/recovery.ts';
export { recoveryTimes } from './check/recovery-times.ts';
export { ruleDescriptors } from './check/rules/index.ts';
export {
  type PodSecurityLevel,
  type PodSecurityLevels,
  podSecurityLevels,
  podSecurityViolations,
} from './check/rules/security.ts';

export { type CodeFrameOptions, codeFrame } from './diagnostics/code-frame.ts';
export type { CommonOptions, ComponentOptions, FlowOptions, OptionsArg, WorkloadOptions } from './dsl/options.ts';
export type { DataClassRef, Ref } from './dsl/refs.ts';
export type { ClusterScope, ComponentFactories, RegionalFactories } from './dsl/scope.ts';
export {
  type DataClassOptions,
  type RegionOptions,
  type RegionRole,
  type RegionScope,
  type TopologyBuilder,
  topology,
} from './dsl/topology.ts';
export {
  formatError,
  formatIssue,
  formatPath,
  INPUT_ERROR_BRAND,
  isMeridianError,
  issueParams,
  MeridianError,
  type MeridianErrorCode,
  type MeridianErrorDetails,
  type MeridianIssue,
  type ModelPath,
} from './errors.ts';
export { type LoadOptions, loadTopology, topologyExtensions } from './load/load.ts';
export { typecheckTopology } from './load/typecheck.ts';
export { defaultLoadTimeoutMs } from './load/typescript.ts';
export {
  ComponentIdSchema,
  PlacementSchema,
  type RefId,
  type RefSchemaOf,
  ref,
  SourceLocationSchema,
  TierSchema,
} from './model/common.ts';
export {
  ApiGatewaySchema,
  CatalogSchema,
  CdnSchema,
  ClientSchema,
  ComponentSchema,
  ContainerRegistrySchema,
  componentSchemas,
  DeltaTableSchema,
  DnsSchema,
  ExternalSchema,
  LoadBalancerSchema,
  ObjectStoreSchema,
  ObservabilitySchema,
  PostgresSchema,
  MySqlSchema,
  GlobalDatabaseSchema,
  QueryEngineSchema,
  QueueSchema,
  RedisSchema,
  SecretsSchema,
  ServiceSchema,
  StreamSchema,
  WafSchema,
} from './model/components.ts';
export { bucketName } from './model/bucket-name.ts';
export { isDeltaType } from './model/delta-types.ts';
export { type AwsService, type KindTraits, kindTraits, traitsOf } from './model/kinds.ts';
export { IngressSchema, KubernetesClusterSchema, WorkloadSchema } from './model/kubernetes.ts';
export { type ParseOptions, parseTopology, topologyJsonSchema } from './model/parse.ts';
export { type ComponentPlacement, placementOf } from './model/placement.ts';
export { type TrinoTableName, trinoName, trinoTableName } from './model/trino-names.ts';
export { type ComponentReference, componentReferences } from './model/references.ts';
export {
  type AwsRegionCode,
  type AzureRegionCode,
  findProviderRegion,
  type GcpRegionCode,
  nearestRegionCode,
  type Provider,
  type ProviderRegion,
  providerRegionCodes,
  type RegionCode,
} from './model/regions.ts';
export {
  type ApiGateway,
  type Catalog,
  type Cdn,
  type Client,
  type Component,
  type ComponentKind,
  type ComponentOf,
  type ContainerRegistry,
  componentKinds,
  type DataClass,
  DataClassSchema,
  type DeltaColumn,
  type DeltaTable,
  type Dns,
  type External,
  type Flow,
  type FlowKind,
  FlowKindSchema,
  FlowSchema,
  type Ingress,
  type KubernetesCluster,
  type LoadBalancer,
  type NodeGroup,
  type ObjectStore,
  type Observability,
  type Placement,
  type Postgres,
  type MySql,
  type GlobalDatabase,
  type QueryEngine,
  type Queue,
  type Redis,
  type Region,
  type RegionRecovery,
  RegionRecoverySchema,
  RegionSchema,
  type Secrets,
  type Service,
  type Sla,
  SlaSchema,
  type SourceLocation,
  type Stream,
  type Suppression,
  SuppressionSchema,
  type Tier,
  type Topology,
  type TopologyInput,
  TopologySchema,
  type Waf,
  type Workload,
} from './model/schema.ts';
export { formatExplanation } from './report/explain.ts';
export { formatIssues } from './report/issues.ts';
export {
  type CheckReport,
  type CheckReportOptions,
  CheckReportSchema,
  OverlayFindingSchema,
  type ReportFinding,
  ReportFindingSchema,
  SeveritySchema,
  toCheckReport,
} from './report/json.ts';
export {
  modelHash,
  type Review,
  type ReviewAvailability,
  type ReviewCapacityRow,
  type ReviewComponent,
  type ReviewFinding,
  type ReviewGroup,
  type ReviewLocation,
  type ReviewOptions,
  type ReviewRpo,
  type ReviewRto,
  toReview,
} from './report/review.ts';
export { type RuleDescriptor, type SarifLog, type SarifOptions, toSarif } from './report/sarif.ts';
export { formatFindings, type TextReportOptions } from './report/text.ts';
