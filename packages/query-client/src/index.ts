// Public API of @meridian/query-client: every export is named here.

export type { Aggregate, AggregateFunction, Measure, OrderKey } from './aggregate/aggregate.ts';
export { HLL_STANDARD_ERROR } from './aggregate/hyperloglog.ts';
export { KLL_RANK_ERROR } from './aggregate/kll.ts';
export { measureName } from './aggregate/aggregate.ts';
export type { QueryErrorCode, SqlLocation } from './errors.ts';
export { QueryError } from './errors.ts';
export type {
  ExecuteOptions,
  MissingRegion,
  QueryResult,
  RegionFailurePolicy,
  RegionReport,
} from './execute/execute.ts';
export type { BorderCrossing } from './execute/crossings.ts';
export { executeQuery } from './execute/execute.ts';
export { jsRunner } from './execute/js-runner.ts';
export type { DuckDBRunnerOptions } from './execute/duckdb-runner.ts';
export { duckdbRunner } from './execute/duckdb-runner.ts';
export type {
  OpenedRegion,
  RegionRunner,
  RegionTally,
  RunnerContext,
  RunnerJoin,
  TopKRow,
} from './execute/region-runner.ts';
export type { CrossingExplanation, QueryExplanation, RegionExplanation } from './execute/explain-query.ts';
export { explainQuery, formatExplanation } from './execute/explain-query.ts';
export { explainPlan } from './plan/explain.ts';
export type { PlanOptions, QueryFragment, QueryPlan, QueryRequest } from './plan/plan.ts';
export { planQuery } from './plan/plan.ts';
export type { JoinKey, JoinKind, JoinRequest } from './plan/join-request.ts';
export type {
  BroadcastChoice,
  JoinedColumn,
  JoinPlan,
  JoinProtection,
  JoinSide,
} from './plan/join-plan.ts';
export { DEFAULT_MAX_BROADCAST_BYTES } from './join/broadcast.ts';
export type { AggregateSite, Destination } from './plan/residency.ts';
export { sqlToRequest } from './sql/sql-to-request.ts';
export type { LakeTable } from './lake/write-lake.ts';
export { lakeLocations, writeLake } from './lake/write-lake.ts';
export type { RetryPolicy, TrinoConnection } from './trino/protocol.ts';
export { type TrinoRunnerOptions, trinoRunner } from './trino/runner.ts';
export type { GatewayLimits, GatewayLogEntry, GatewayOptions, QueryGateway } from './gateway/server.ts';
export { startQueryGateway } from './gateway/server.ts';
export type { FragmentRequest, GatewayErrorBody, GatewayErrorCode } from './gateway/protocol.ts';
export type { GatewayFragmentReport, GatewayRunnerOptions } from './gateway/gateway-runner.ts';
export { gatewayRunner } from './gateway/gateway-runner.ts';
export type { GatewayTarget, RemoteOptions } from './gateway/fetch-fragment.ts';
export { GatewayRequestError } from './gateway/fetch-fragment.ts';
export { replicaRegions } from './gateway/serve-table.ts';
