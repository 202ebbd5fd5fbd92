import type { CheckExplanation } from '../check/check.ts';
import { recoveryClass } from '../check/recovery.ts';

/**
 * The numbers behind the sla, rto, rpo and capacity-n1 rules as text (`meridian check --explain`): the availability
 * product per entry point, the RTO and RPO budgets, and the N-1 capacity table.
 */
export function formatExplanation(explain: CheckExplanation): string {
  const out: string[] = [];
  out.push(
    'Availability (published SLAs, series x parallel; DNS failover counted with its detection, TTL and promotion):',
  );
  if (explain.availability.length === 0) out.push('  no entry points (no client and no flow to start from)');
  for (const entry of explain.availability) {
    const target = entry.targetPercent === undefined ? 'no target' : `target ${entry.targetPercent}%`;
    const verdict =
      entry.targetPercent === undefined ? '' : entry.percent >= entry.targetPercent ? '  ok' : '  BELOW TARGET';
    out.push(`  ${entry.entry}: ${entry.percent}% (${target})${verdict}`);
    out.push(`    = ${entry.formula}`);
    for (const factor of entry.series)
      out.push(`    ${pad(`${factor.percent}%`, 10)} ${factor.component}  [${factor.source}]`);
    for (const group of entry.parallel) {
      out.push(`    parallel behind ${group.via}: ${group.percent}%`);
      if (group.failover) {
        const model = group.failover;
        out.push(
          `      ${model.mode}${model.primary ? ` (primary via ${model.primary})` : ''}; failover ${model.failover}`,
          `      incident model: ${model.model}`,
        );
      }
      for (const branch of group.branches) {
        const shown = branch.factors.slice(0, 8).map((f) => `${f.component} ${f.percent}%`);
        const more = branch.factors.length > shown.length ? `, +${branch.factors.length - shown.length} more` : '';
        out.push(
          `      ${pad(`${branch.percent}%`, 10)} via ${branch.first}: ${shown.join(' × ') || 'nothing below 100%'}${more}`,
        );
      }
    }
  }
  out.push('', 'RTO budget (detection + DNS TTL + promotion, + start-up by recovery posture):');
  if (explain.budgets.rto.length === 0) out.push('  nothing to fail over');
  for (const budget of explain.budgets.rto) {
    const target =
      budget.targetSeconds === undefined
        ? 'no target'
        : `target ${budget.targetSeconds} s${budget.totalSeconds <= budget.targetSeconds ? ', ok' : ', OVER'}`;
    const start = budget.startSeconds === undefined ? '' : ` + ${budget.startSeconds} s`;
    const who = budget.region
      ? `${budget.region} takes over (${budget.posture}, ${budget.failover} failover)`
      : (budget.store ?? 'primary region');
    out.push(
      `  ${who}: ${budget.detectionSeconds} s + ${budget.ttlSeconds} s + ${budget.promotionSeconds} s${start} = ${budget.totalSeconds} s (${target}); class: ${recoveryClass(budget.totalSeconds)}`,
    );
    out.push(
      `    detection: ${budget.detection}`,
      `    TTL: ${budget.ttlSeconds} s`,
      `    promotion: ${budget.promotion}`,
    );
    if (budget.start !== undefined) out.push(`    start: ${budget.start}`);
  }
  out.push('', 'RPO budget (writes lost with the region):');
  if (explain.budgets.rpo.length === 0) out.push('  no primary database');
  for (const budget of explain.budgets.rpo) {
    const window =
      budget.windowSeconds === undefined
        ? 'unbounded'
        : Number.isFinite(budget.windowSeconds)
          ? `${budget.windowSeconds} s`
          : 'everything';
    const target = budget.targetSeconds === undefined ? 'no target' : `target ${budget.targetSeconds} s`;
    const rpoClass = budget.windowSeconds === undefined ? '' : `; class: ${recoveryClass(budget.windowSeconds)}`;
    out.push(`  ${budget.store}: ${window} (${target})${rpoClass}`, `    ${budget.window}`);
    for (const copy of budget.copies) out.push(`    copy: ${copy}`);
  }
  out.push('', 'N-1 capacity (requests per second the weakest entry point can take):');
  if (explain.n1.length === 0) out.push('  no entry points');
  const rows = explain.n1.map((row) => [
    row.scenario,
    rps(row.capacityRps),
    row.peakRps === undefined ? '-' : rps(row.peakRps),
    row.peakRps === undefined ? '' : row.capacityRps >= row.peakRps ? 'ok' : 'SHORT',
    row.branches
      ? `${row.bottleneck}: ${
          row.branches
            .filter((b) => b.capacityRps > 0)
            .map((b) => `${b.bottleneck ?? b.first} ${rps(b.capacityRps)}`)
            .join(' + ') || 'none left'
        }`
      : (row.bottleneck ?? '-'),
  ]);
  const header = ['scenario', 'capacity', 'peak', '', 'bottleneck'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  if (rows.length > 0)
    for (const row of [header, ...rows])
      out.push(`  ${row.map((cell, i) => pad(cell, widths[i] as number)).join('  ')}`.trimEnd());
  out.push('', 'Assumptions (facts the model leaves unstated, and what the checker used instead):');
  if (explain.assumptions.length === 0) out.push('  none: every fact the rules read is stated');
  for (const assumption of explain.assumptions) out.push(`  ${assumption.text}`);
  return `${out.join('\n')}\n`;
}

function pad(text: string, width: number): string {
  return text.padEnd(width);
}

function rps(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'unlimited';
}
