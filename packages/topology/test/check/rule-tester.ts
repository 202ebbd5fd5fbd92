import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import type { Finding, Severity } from '../../src/check/finding.ts';
import type { Rule } from '../../src/check/rule.ts';
import type { Topology } from '../../src/model/schema.ts';

/** A model the rule must stay quiet on. */
export interface ValidCase {
  readonly name: string;
  readonly model: Topology;
}

/** What one expected finding must show (all fields optional: assert what the case is about). */
interface ExpectedFinding {
  /** The main culprit (`components[0]`). */
  readonly culprit?: string;
  /** Ids that must all be among the finding's components. */
  readonly components?: readonly string[];
  /** Substrings or patterns the message must contain (the numbers, the names). */
  readonly message?: readonly (string | RegExp)[];
  readonly severity?: Severity;
}

/** A model the rule must fire on, with exactly these findings, in check's order. */
export interface InvalidCase {
  readonly name: string;
  readonly model: Topology;
  readonly findings: readonly ExpectedFinding[];
}

/**
 * typescript-eslint's RuleTester shape for meridian check: every rule has models that stay quiet and models
 * that fire, each run through the real `check` with only that rule selected.
 */
export function testRule(rule: Rule, cases: { valid: readonly ValidCase[]; invalid: readonly InvalidCase[] }): void {
  describe(`rule ${rule.id}`, () => {
    describe('valid', () => {
      for (const valid of cases.valid) {
        it(valid.name, () => {
          const { findings } = check(valid.model, { rules: [rule.id] });
          expect(findings.map((f) => f.message)).toEqual([]);
        });
      }
    });
    describe('invalid', () => {
      for (const invalid of cases.invalid) {
        it(invalid.name, () => {
          const { findings } = check(invalid.model, { rules: [rule.id] });
          expect(
            findings.map((f) => f.message),
            'number of findings',
          ).toHaveLength(invalid.findings.length);
          invalid.findings.forEach((expected, i) => {
            assertFinding(findings[i] as Finding, expected, rule);
          });
        });
      }
    });
  });
}

function assertFinding(finding: Finding, expected: ExpectedFinding, rule: Rule): void {
  expect(finding.rule).toBe(rule.id);
  expect(finding.severity).toBe(expected.severity ?? rule.defaultSeverity);
  expect(finding.hint.length).toBeGreaterThan(10);
  if (expected.culprit !== undefined) expect(finding.components[0]).toBe(expected.culprit);
  for (const id of expected.components ?? []) expect(finding.components).toContain(id);
  for (const part of expected.message ?? []) {
    if (typeof part === 'string') expect(finding.message).toContain(part);
    else expect(finding.message).toMatch(part);
  }
}
