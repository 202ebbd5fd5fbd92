import { measureName } from '../aggregate/aggregate.ts';
import type { QueryPlan } from './plan.ts';

/**
 * The plan as text: what runs in each region (URI, pushed-down columns, predicate, limit) and what
 * is done centrally, with the residency decision; `fragments: false` leaves the per-region lines out.
 *
 * ```text
 * query orders-table: 2 regions, results to eu-west-1 (EU)
 *   eu-west-1     eu-west-1/orders-table  file:///lake/eu  columns=* where=currency = 'EUR' limit=10
 * ```
 */
export function explainPlan(plan: QueryPlan, options: { readonly fragments?: boolean } = {}): string {
  const lines: string[] = [];
  const to = plan.destination
    ? `, results to ${plan.destination.region ?? plan.destination.jurisdiction} (${plan.destination.jurisdiction})`
    : '';
  lines.push(`query ${plan.table}: ${plan.fragments.length} region${plan.fragments.length === 1 ? '' : 's'}${to}`);
  // Without the fragments when an explanation per region follows (formatExplanation says the same and more).
  if (options.fragments !== false) lines.push('fragments (run concurrently, one per region):');
  const width = Math.max(6, ...plan.fragments.map((f) => f.region.length));
  const idWidth = Math.max(9, ...plan.fragments.map((f) => f.component.length));
  for (const f of options.fragments === false ? [] : plan.fragments) {
    const pushed = [
      `columns=${f.columns ? f.columns.join(',') : '*'}`,
      `where=${f.where ? f.where.toString() : '-'}`,
      `limit=${f.limit ?? '-'}`,
    ];
    const classes = f.dataClasses.length > 0 ? `  data=${f.dataClasses.join(',')}` : '';
    lines.push(
      `  ${f.region.padEnd(width)}  ${f.component.padEnd(idWidth)}  ${f.uri}${f.uriSource === 'model' ? ' (from the model)' : ''}`,
    );
    lines.push(
      `  ${''.padEnd(width)}  ${pushed.join('  ')}${classes}${f.jurisdiction ? `  jurisdiction=${f.jurisdiction}` : ''}`,
    );
  }
  lines.push('central:');
  if (plan.aggregate) {
    const measures = plan.aggregate.measures.map((m) => `${m.fn}(${m.column ?? '*'}) as ${measureName(m)}`).join(', ');
    lines.push(
      `  partial aggregate per region: group by ${plan.aggregate.groupBy.join(', ') || '(all rows)'}: ${measures}`,
    );
    lines.push("  merge partials (count and sum add up, min and max of the regions')");
  } else {
    lines.push(
      `  union in arrival order, add _region${plan.limit !== undefined ? `, stop after ${plan.limit} rows and cancel the remaining scans` : ''}`,
    );
  }
  if (plan.join) {
    const j = plan.join;
    lines.push(
      `  ${j.kind} join ${j.left.table} with ${j.right.table} on ${j.keys.map((k) => `${j.left.ref}.${k.left} = ${j.right.ref}.${k.right}`).join(' and ')}${j.residual ? `, then where ${j.residual.toString()}` : ''}; broadcast side chosen by the Delta logs' sizes among: ${j.choices.map((c) => j[c.broadcast].table).join(', ')}`,
    );
  }
  for (const note of plan.notes) lines.push(note.startsWith('join: ') ? `  ${note}` : `residency: ${note}`);
  return `${lines.join('\n')}\n`;
}
