/**
 * What a check reports: findings are data (like zod's issues), formatted apart from where they are found.
 */

/** How bad a finding is; `error` fails `meridian check` (exit 1). */
export type Severity = 'error' | 'warning' | 'info';

/** The id of every rule `check` runs; stable once released (docs/rules/<id>.md documents each). */
export const ruleIds = [
  'cycle',
  'replication',
  'spof',
  'sla',
  'rto',
  'rpo',
  'capacity-n1',
  'residency',
  'regional-scope',
  'orphan',
  'scheduling',
  'autoscaling',
  'naming',
  'delta-schema',
  'security',
] as const;

/** One of {@link ruleIds}. */
export type RuleId = (typeof ruleIds)[number];

/** A place in the user's topology source: 1-based line and column. */
export interface FindingLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Something wrong with the topology, found before deploy. */
export interface Finding {
  readonly rule: RuleId;
  readonly severity: Severity;
  /** Names the components and gives the numbers. */
  readonly message: string;
  /** How to fix it. */
  readonly hint: string;
  /** Ids of the components involved; the main culprit first. */
  readonly components: readonly string[];
  /** Where the main culprit was declared, when the model carries source locations. */
  readonly location?: FindingLocation | undefined;
  /**
   * Facts the model leaves unstated that this verdict depends on, with the value assumed, e.g.
   * `assumes 1 replica for eu-west-1/eks/api: replicas not stated` (absent when it depends on none).
   */
  readonly assumptions?: readonly string[] | undefined;
  /** Extra data, e.g. the arithmetic behind an SLA finding. */
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}
