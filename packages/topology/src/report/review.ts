import { createHash } from 'node:crypto';
import type { Assumption } from '../check/assumptions.ts';
import type { EntryAvailability } from '../check/availability.ts';
import type { CapacityScenario } from '../check/capacity.ts';
import type { CheckResult } from '../check/check.ts';
import type { RuleId, Severity } from '../check/finding.ts';
import { ruleDescriptors } from '../check/rules/index.ts';
import type { Component, Topology } from '../model/schema.ts';

/**
 * The design review of one model (`meridian report`): everything the review page shows, as plain JSON-safe data
 * (no Infinity, no undefined in arrays), so the page can embed it and a test can compare it with `check --format json`.
 * Rendering is the emitters' job (docs/decisions: the review report).
 */
export interface Review {
  readonly header: {
    readonly name: string;
    readonly description: string | undefined;
    /** sha256 of the model without source locations: the same design gives the same hash on every machine. */
    readonly hash: string;
    readonly version: string;
    readonly file: string;
  };
  readonly summary: { readonly error: number; readonly warning: number; readonly info: number };
  /** Findings in check's order, each with an id the page links by (`f1`, `f2`, ...). */
  readonly findings: readonly ReviewFinding[];
  /** Findings grouped by severity, then rule (errors first, rules in check's order). */
  readonly groups: readonly ReviewGroup[];
  readonly suppressed: readonly { readonly rule: RuleId; readonly count: number; readonly reason: string }[];
  readonly assumptions: readonly Assumption[];
  readonly components: readonly ReviewComponent[];
  readonly availability: readonly ReviewAvailability[];
  readonly rto: readonly ReviewRto[];
  readonly rpo: readonly ReviewRpo[];
  readonly n1: readonly ReviewCapacityRow[];
}

/** A finding as the review shows it. */
export interface ReviewFinding {
  readonly id: string;
  readonly rule: RuleId;
  readonly severity: Severity;
  readonly message: string;
  readonly hint: string;
  readonly components: readonly string[];
  readonly location: ReviewLocation | undefined;
  readonly assumptions: readonly string[];
}

/** One rule's findings of one severity, with what the rule checks. */
export interface ReviewGroup {
  readonly rule: RuleId;
  readonly severity: Severity;
  readonly explanation: string;
  readonly findings: readonly string[];
}

/** A place in the topology source, with the text of its line when the source was given. */
export interface ReviewLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly text: string | undefined;
}

/** A component with what was declared of it, what the checker assumed, and the findings naming it. */
export interface ReviewComponent {
  readonly id: string;
  readonly kind: string;
  readonly tier: string;
  /** Declared fields as `[field, value]`, values as compact JSON (the id, kind and source left out). */
  readonly declared: readonly (readonly [string, string])[];
  readonly assumed: readonly string[];
  readonly findings: readonly string[];
  readonly source: ReviewLocation | undefined;
}

/** One entry point's availability: the series factors and parallel groups, the weakest factor and the target. */
export interface ReviewAvailability {
  readonly entry: string;
  readonly percent: number;
  readonly targetPercent: number | undefined;
  readonly meetsTarget: boolean | undefined;
  readonly formula: string;
  readonly series: readonly { readonly component: string; readonly percent: number; readonly source: string }[];
  readonly parallel: readonly {
    readonly via: string;
    readonly percent: number;
    readonly failover: string | undefined;
    readonly branches: readonly {
      readonly first: string;
      readonly percent: number;
      readonly factors: readonly { readonly component: string; readonly percent: number }[];
    }[];
  }[];
  /** The lowest factor of the whole tree (a series factor, or a parallel group when it is lower): what to fix first. */
  readonly weakest: { readonly name: string; readonly percent: number } | undefined;
}

/** The RTO budget of losing one primary store's region, as the stacked parts the rto rule adds up. */
export interface ReviewRto {
  readonly loss: string;
  readonly parts: readonly { readonly part: string; readonly seconds: number; readonly how: string }[];
  readonly totalSeconds: number;
  readonly targetSeconds: number | undefined;
  readonly meetsTarget: boolean | undefined;
}

/** The data lost with one primary store's region: seconds, `unbounded` (lag without bound) or `everything`. */
export interface ReviewRpo {
  readonly store: string;
  readonly window: number | 'unbounded' | 'everything';
  readonly how: string;
  readonly copies: readonly string[];
  readonly targetSeconds: number | undefined;
  readonly meetsTarget: boolean | undefined;
}

/** One row of the N-1 table; capacity `unlimited` when nothing on the path has a limit. */
export interface ReviewCapacityRow {
  readonly scenario: string;
  readonly capacityRps: number | 'unlimited';
  readonly peakRps: number | undefined;
  readonly short: boolean;
  readonly bottleneck: string | undefined;
}

/** Options of {@link toReview}. */
export interface ReviewOptions {
  /** The topology file, as the page names it. */
  readonly file: string;
  /** The Meridian version that made the review. */
  readonly version: string;
  /** The text of source files by path, for the line that declared each component (absent: locations without text). */
  readonly sources?: ReadonlyMap<string, string>;
  /** How a file is printed (e.g. relative to the working directory). */
  readonly displayPath?: (file: string) => string;
}

const severities: readonly Severity[] = ['error', 'warning', 'info'];

/**
 * Assembles the review of a model from its check result (run with the explanation). Pure: the same model, result
 * and options give the same review.
 * @example toReview(model, check(model), { file: 'topology.ts', version })
 */
export function toReview(model: Topology, result: CheckResult, options: ReviewOptions): Review {
  const display = options.displayPath ?? ((file: string) => file);
  const lines = new Map<string, readonly string[]>();
  const locate = (at: { file: string; line: number; column: number } | undefined): ReviewLocation | undefined => {
    if (!at) return undefined;
    let text: string | undefined;
    const source = options.sources?.get(at.file);
    if (source !== undefined) {
      const split = lines.get(at.file) ?? source.split(/\r?\n/);
      lines.set(at.file, split);
      text = split[at.line - 1]?.trim();
    }
    return { file: display(at.file), line: at.line, column: at.column, text };
  };

  const findings: ReviewFinding[] = result.findings.map((f, i) => ({
    id: `f${i + 1}`,
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    hint: f.hint,
    components: [...f.components],
    location: locate(f.location),
    assumptions: [...(f.assumptions ?? [])],
  }));

  const groups: ReviewGroup[] = [];
  for (const severity of severities) {
    for (const descriptor of ruleDescriptors) {
      const ids = findings.filter((f) => f.severity === severity && f.rule === descriptor.id).map((f) => f.id);
      if (ids.length > 0)
        groups.push({ rule: descriptor.id, severity, explanation: descriptor.description, findings: ids });
    }
  }

  const { explain } = result;
  const components: ReviewComponent[] = model.components.map((c) => ({
    id: c.id,
    kind: c.kind,
    tier: c.tier,
    declared: declaredFacts(c),
    assumed: explain.assumptions.filter((a) => a.component === c.id).map((a) => a.text),
    findings: findings.filter((f) => f.components.includes(c.id)).map((f) => f.id),
    source: locate(c.source),
  }));

  return {
    header: {
      name: model.name,
      description: model.description,
      hash: modelHash(model),
      version: options.version,
      file: display(options.file),
    },
    summary: { ...result.summary },
    findings,
    groups,
    suppressed: result.suppressed.map((s) => ({ ...s })),
    assumptions: [...explain.assumptions],
    components,
    availability: explain.availability.map(reviewAvailability),
    rto: explain.budgets.rto.map((b) => ({
      loss: b.store ? `region of ${b.store}` : 'primary region',
      parts: [
        { part: 'detection', seconds: b.detectionSeconds, how: b.detection },
        { part: 'DNS TTL', seconds: b.ttlSeconds, how: b.dns ? `${b.dns} TTL` : 'no failover DNS' },
        { part: 'promotion', seconds: b.promotionSeconds, how: b.promotion },
      ],
      totalSeconds: b.totalSeconds,
      targetSeconds: b.targetSeconds,
      meetsTarget: b.targetSeconds === undefined ? undefined : b.totalSeconds <= b.targetSeconds,
    })),
    rpo: explain.budgets.rpo.map((b) => {
      const window =
        b.windowSeconds === undefined
          ? ('unbounded' as const)
          : Number.isFinite(b.windowSeconds)
            ? b.windowSeconds
            : ('everything' as const);
      return {
        store: b.store,
        window,
        how: b.window,
        copies: [...b.copies],
        targetSeconds: b.targetSeconds,
        meetsTarget:
          b.targetSeconds === undefined ? undefined : typeof window === 'number' && window <= b.targetSeconds,
      };
    }),
    n1: explain.n1.map(capacityRow),
  };
}

function reviewAvailability(entry: EntryAvailability): ReviewAvailability {
  const candidates = [
    ...entry.series.map((f) => ({ name: f.component, percent: f.percent })),
    ...entry.parallel.map((p) => ({ name: `alternatives behind ${p.via}`, percent: p.percent })),
  ].sort((a, b) => a.percent - b.percent);
  return {
    entry: entry.entry,
    percent: entry.percent,
    targetPercent: entry.targetPercent,
    meetsTarget: entry.targetPercent === undefined ? undefined : entry.percent >= entry.targetPercent,
    formula: entry.formula,
    series: entry.series.map((f) => ({ ...f })),
    parallel: entry.parallel.map((p) => ({
      via: p.via,
      percent: p.percent,
      failover: p.failover
        ? `${p.failover.mode}${p.failover.primary ? ` (primary via ${p.failover.primary})` : ''}; failover ${p.failover.failover}`
        : undefined,
      branches: p.branches.map((b) => ({
        first: b.first,
        percent: b.percent,
        factors: b.factors.map((f) => ({ ...f })),
      })),
    })),
    weakest: candidates[0],
  };
}

function capacityRow(row: CapacityScenario): ReviewCapacityRow {
  const capacity = Number.isFinite(row.capacityRps) ? row.capacityRps : ('unlimited' as const);
  return {
    scenario: row.scenario,
    capacityRps: capacity,
    peakRps: row.peakRps,
    short: row.peakRps !== undefined && typeof capacity === 'number' && capacity < row.peakRps,
    bottleneck: row.bottleneck,
  };
}

// Fields that identify a component rather than declare something about it.
const notFacts = new Set(['id', 'kind', 'source']);

function declaredFacts(component: Component): [string, string][] {
  return Object.entries(component)
    .filter(
      ([key, value]) => !notFacts.has(key) && value !== undefined && !(Array.isArray(value) && value.length === 0),
    )
    .map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]);
}

/** sha256 of the model with keys sorted and source locations dropped (they hold machine-specific paths). */
export function modelHash(model: Topology): string {
  const canonical = JSON.stringify(model, (key, value: unknown) => {
    if (key === 'source') return undefined;
    if (value && typeof value === 'object' && !Array.isArray(value))
      return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return value;
  });
  return createHash('sha256').update(canonical).digest('hex');
}
