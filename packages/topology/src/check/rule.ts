import type { CheckContext } from './context.ts';
import type { Finding, RuleId, Severity } from './finding.ts';
import { type RequestPaths, requestPaths } from './request-paths.ts';

/** A finding as a rule returns it: `check` fills in the rule id and the configured severity. */
export type RuleFinding = Omit<Finding, 'rule' | 'severity'> & { readonly severity?: Severity };

/** The context a rule runs in: the shared lookups plus analyses computed once and shared by rules. */
export interface RuleContext extends CheckContext {
  /** The request-path reduction (spof, sla, capacity-n1). */
  readonly paths: RequestPaths;
  /** Computes a value once per check run, shared between a rule and `--explain`. */
  memo<T>(key: string, compute: () => T): T;
}

/** One rule: an id, what it detects, its default severity and a pure function from the model to findings. */
export interface Rule {
  readonly id: RuleId;
  /** One line: what the rule detects (used in docs, SARIF rule descriptors and `--help`). */
  readonly description: string;
  readonly defaultSeverity: Severity;
  check(context: RuleContext): RuleFinding[];
}

/** Wraps a check context with lazily computed shared analyses. */
export function ruleContext(context: CheckContext): RuleContext {
  const cache = new Map<string, unknown>();
  const memo = <T>(key: string, compute: () => T): T => {
    if (!cache.has(key)) cache.set(key, compute());
    return cache.get(key) as T;
  };
  return {
    ...context,
    get paths(): RequestPaths {
      return memo('request-paths', () => requestPaths(context));
    },
    memo,
  };
}
