import type { Rule, RuleFinding } from '../rule.ts';

/**
 * `delta-schema`: partition columns that are not columns of the table. Delta requires every partition column to be
 * a column of the table schema (Delta protocol, "Change Metadata": partitionColumns name schema fields); a writer
 * would fail on the first commit.
 */
export const deltaSchema: Rule = {
  id: 'delta-schema',
  description: 'Partition columns of a Delta table that are not columns of the table.',
  defaultSeverity: 'error',
  check(context) {
    const findings: RuleFinding[] = [];
    for (const component of context.components.values()) {
      if (component.kind !== 'deltaTable' || component.columns.length === 0) continue;
      const columns = new Set(component.columns.map((c) => c.name));
      const missing = component.partitionColumns.filter((name) => !columns.has(name));
      if (missing.length === 0) continue;
      findings.push({
        message: `${component.id}${component.tableName ? ` (${component.tableName})` : ''} is partitioned by ${missing.join(', ')}, which ${missing.length === 1 ? 'is not a column' : 'are not columns'} of the table (columns: ${[...columns].join(', ')}).`,
        hint: `add ${missing.join(', ')} as columns (e.g. generated: ${missing.map((m) => `{ name: '${m}', type: 'date', generatedAs: 'CAST(timestamp AS DATE)' }`)[0]}) or partition by existing columns`,
        components: [component.id],
        location: context.locate(component.id),
        details: { missing, columns: [...columns] },
      });
    }
    return findings;
  },
};
