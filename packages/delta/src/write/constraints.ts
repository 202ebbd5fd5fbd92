import type { Table } from 'apache-arrow';
import { DeltaError } from '../errors.ts';
import type { ProtocolAction } from '../log/actions.ts';
import { writerFeaturesOf } from '../protocol/writer-features.ts';
import { bindPredicate, boundColumns } from '../scan/bind.ts';
import { parsePredicate } from '../scan/predicate-parser.ts';
import { firstUnmatchedRow } from '../scan/row-filter.ts';
import type { DeltaSchema, StructField } from '../schema/types.ts';

/** A rule every written row must satisfy: a CHECK constraint or a column invariant. */
interface RowRule {
  readonly name: string;
  readonly expression: string;
}

/**
 * The CHECK constraints (PROTOCOL.md "CHECK Constraints": `delta.constraints.{name}` properties) and
 * column invariants (PROTOCOL.md "Column Invariants": `delta.invariants` field metadata) a table
 * declares, when its protocol has the feature that makes them binding.
 */
export function rowRules(
  protocol: ProtocolAction,
  configuration: Readonly<Record<string, string>>,
  schema: DeltaSchema,
): RowRule[] {
  const features = writerFeaturesOf(protocol);
  const rules: RowRule[] = [];
  if (features.includes('checkConstraints')) {
    for (const [key, expression] of Object.entries(configuration)) {
      if (key.startsWith('delta.constraints.'))
        rules.push({ name: `constraint ${key.slice('delta.constraints.'.length)}`, expression });
    }
  }
  if (features.includes('invariants')) {
    const visit = (fields: readonly StructField[], path: string): void => {
      for (const f of fields) {
        const here = path === '' ? f.name : `${path}.${f.name}`;
        const raw = f.metadata['delta.invariants'];
        if (typeof raw === 'string') {
          let expression: unknown;
          try {
            expression = (JSON.parse(raw) as { expression?: { expression?: unknown } }).expression?.expression;
          } catch {
            expression = undefined;
          }
          rules.push({
            name: `invariant of column ${here}`,
            expression: typeof expression === 'string' ? expression : raw,
          });
        }
        if (f.type.kind === 'struct') visit(f.type.fields, here);
      }
    };
    visit(schema.fields, '');
  }
  return rules;
}

/**
 * Refuses rows for which a rule is not true: a CHECK constraint "must be true for each input row",
 * so false and null both violate it. A rule the predicate language cannot evaluate is refused by
 * name rather than skipped, since skipping it would let a breaking row in.
 */
export function enforceRowRules(rules: readonly RowRule[], data: Table, schema: DeltaSchema, uri: string): void {
  for (const rule of rules) {
    let bound: ReturnType<typeof bindPredicate>;
    try {
      bound = bindPredicate(parsePredicate(rule.expression), schema, { columnMapping: false });
    } catch (cause) {
      throw new DeltaError(
        'unsupported-writer-feature',
        `cannot evaluate the ${rule.name} of ${uri} (${rule.expression}): ${cause instanceof Error ? cause.message : String(cause)}`,
        { path: uri, hint: 'write to the table with an engine that evaluates this SQL expression', cause },
      );
    }
    const row = firstUnmatchedRow(bound, data, boundColumns(bound));
    if (row !== undefined) {
      throw new DeltaError('constraint-violation', `row ${row} breaks the ${rule.name} of ${uri}: ${rule.expression}`, {
        path: uri,
        hint: 'fix or drop the rows that break it; nothing was committed',
      });
    }
  }
}
