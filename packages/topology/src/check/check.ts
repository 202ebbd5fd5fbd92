import type { Topology } from '../model/schema.ts';
import { type Assumption, assumptionsFor, assumptionsOf } from './assumptions.ts';
import { composeAvailability, type EntryAvailability } from './availability.ts';
import { type CapacityScenario, capacityScenarios } from './capacity.ts';
import { createContext } from './context.ts';
import type { Finding, RuleId, Severity } from './finding.ts';
import { type RpoBudget, type RtoBudget, rpoBudgets, rtoBudgets } from './recovery.ts';
import { ruleContext } from './rule.ts';
import { rules } from './rules/index.ts';

/** Options of {@link check}. */
export interface CheckOptions {
  /** Severity per rule, overriding the rule's own (e.g. `{ spof: 'warning' }`). */
  readonly severities?: Partial<Record<RuleId, Severity>>;
  /** Run only these rules (all when absent). */
  readonly rules?: readonly RuleId[];
  /** Compute the availability arithmetic, RTO/RPO budgets and N-1 table (default true). */
  readonly explain?: boolean;
}

/** The numbers behind the sla, rto, rpo and capacity-n1 rules. */
export interface CheckExplanation {
  readonly availability: readonly EntryAvailability[];
  readonly budgets: { readonly rto: readonly RtoBudget[]; readonly rpo: readonly RpoBudget[] };
  readonly n1: readonly CapacityScenario[];
  /** Every fact the model leaves unstated and the value the checker assumed for it. */
  readonly assumptions: readonly Assumption[];
}

/** Findings suppressed by the model, counted per rule. */
export interface SuppressedCount {
  readonly rule: RuleId;
  readonly count: number;
  readonly reason: string;
}

/** What {@link check} returns. */
export interface CheckResult {
  /** Findings, errors first, then by file position. */
  readonly findings: readonly Finding[];
  readonly summary: { readonly error: number; readonly warning: number; readonly info: number };
  /** Findings the model's `suppressions` accepted, with the recorded reason. */
  readonly suppressed: readonly SuppressedCount[];
  readonly explain: CheckExplanation;
}

const severityOrder: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * Runs the rules over a validated topology: `check(parseTopology(input))`. Pure and deterministic; never throws
 * for a valid model (a throw is a bug in Meridian).
 * @example
 * const { findings, summary } = check(model, { severities: { orphan: 'info' } });
 */
export function check(model: Topology, options: CheckOptions = {}): CheckResult {
  const context = ruleContext(createContext(model));
  const selected = options.rules ? rules.filter((rule) => options.rules?.includes(rule.id)) : rules;
  const findings: Finding[] = [];
  const assumptions = assumptionsOf(context);
  const suppressed = new Map<string, { rule: RuleId; count: number; reason: string }>();
  for (const rule of selected) {
    const configured = options.severities?.[rule.id];
    for (const raw of rule.check(context)) {
      const assumed = assumptionsFor(assumptions, rule.id, raw);
      const finding: Finding = {
        ...raw,
        rule: rule.id,
        severity: configured ?? raw.severity ?? rule.defaultSeverity,
        ...(assumed.length > 0 ? { assumptions: assumed } : {}),
      };
      const suppression = model.suppressions.find(
        (s) =>
          s.rule === rule.id &&
          (s.components.length === 0 ||
            (finding.components[0] !== undefined && s.components.includes(finding.components[0]))),
      );
      if (suppression) {
        const key = `${rule.id}\u0000${suppression.reason}`;
        const known = suppressed.get(key) ?? { rule: rule.id, count: 0, reason: suppression.reason };
        known.count++;
        suppressed.set(key, known);
        continue;
      }
      findings.push(finding);
    }
  }
  findings.sort(
    (a, b) =>
      severityOrder[a.severity] - severityOrder[b.severity] ||
      (a.location?.file ?? '').localeCompare(b.location?.file ?? '') ||
      (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
      (a.location?.column ?? 0) - (b.location?.column ?? 0) ||
      a.rule.localeCompare(b.rule),
  );
  const summary = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) summary[finding.severity]++;
  const explain: CheckExplanation =
    options.explain === false
      ? { availability: [], budgets: { rto: [], rpo: [] }, n1: [], assumptions: [] }
      : {
          assumptions,
          availability: composeAvailability(context),
          budgets: { rto: rtoBudgets(context), rpo: rpoBudgets(context) },
          n1: capacityScenarios(context),
        };
  return { findings, summary, suppressed: [...suppressed.values()], explain };
}
