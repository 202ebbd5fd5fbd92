import { capacityScenarios } from '../capacity.ts';
import type { Rule, RuleFinding } from '../rule.ts';

/**
 * `capacity-n1`: with the largest region lost, and separately with one zone lost, can what is left carry the peak?
 * Capacity along a route is the minimum of its components' limits (capacity.maxRps, an API gateway's throttle);
 * regions behind failover routing add up.
 */
export const capacityN1: Rule = {
  id: 'capacity-n1',
  description:
    'Remaining capacity with the largest region lost, and with one zone lost (minimum of component limits along each route), below the peak load.',
  defaultSeverity: 'error',
  check(context) {
    const peak = context.model.sla?.peakRps;
    if (peak === undefined) return [];
    const rows = capacityScenarios(context);
    const findings: RuleFinding[] = [];
    const worst = (kind: 'zone') =>
      rows.filter((row) => row.lost?.[kind] !== undefined).sort((a, b) => a.capacityRps - b.capacityRps)[0];
    const baseline = rows[0];
    // Short even with everything up: that is the finding, N-1 adds nothing.
    if (baseline && baseline.capacityRps < peak) return [finding(context, baseline, peak, 'even with everything up')];
    // Every region whose loss leaves too little (the largest is among them when any is), and the worst zone.
    for (const row of rows) {
      if (row.lost?.region === undefined || row.lost.zone !== undefined || row.capacityRps >= peak) continue;
      findings.push(finding(context, row, peak, `with region ${row.lost.region} lost`));
    }
    const zone = worst('zone');
    if (zone && zone.capacityRps < peak)
      findings.push(finding(context, zone, peak, `with ${zone.scenario.replace(/^lose /, '')} lost`));
    return findings;
  },
};

function finding(
  context: Parameters<typeof capacityN1.check>[0],
  row: ReturnType<typeof capacityScenarios>[number],
  peak: number,
  when: string,
): RuleFinding {
  const surviving = (row.branches ?? []).filter((b) => b.capacityRps > 0);
  const limits = surviving.map((b) => b.bottleneck).filter((id): id is string => id !== undefined);
  const culprit = row.branches ? limits[0] : row.bottleneck;
  const where = row.branches
    ? `the regions behind ${row.bottleneck?.slice('alternatives behind '.length)} add up to ${format(row.capacityRps)} rps (${surviving.map((b) => `${b.bottleneck ?? b.first} ${format(b.capacityRps)}`).join(' + ') || 'none left'})`
    : `${row.entry ?? 'the entry point'} can take ${format(row.capacityRps)} rps (bottleneck: ${row.bottleneck ?? 'none'})`;
  // Nothing left: the culprit went down with the zone or region (a limit is never 0), so no higher limit helps.
  const lostWith = row.capacityRps === 0 && row.lost ? (row.lost.zone === undefined ? 'region' : 'zone') : undefined;
  return {
    message: `${when}, ${where}, below the ${format(peak)} rps peak.`,
    hint: lostWith
      ? `run ${culprit ?? 'the route'} in more than one ${lostWith} (or add a region that serves ${row.entry ?? 'the entry point'}), so that losing one still leaves ${format(peak)} rps`
      : `raise the limit of ${limits.length > 0 ? limits.join(', ') : (culprit ?? 'the bottleneck')} (capacity.maxRps, throttle) or add a region, so that what is left still carries ${format(peak)} rps`,
    components: [culprit, ...limits, row.entry].filter(
      (id, i, all): id is string => id !== undefined && all.indexOf(id) === i,
    ),
    location: culprit === undefined ? undefined : context.locate(culprit),
    details: { scenario: row },
  };
}

/** 250000 -> 250,000 */
function format(rps: number): string {
  return Number.isFinite(rps) ? Math.round(rps).toLocaleString('en-US') : 'unlimited';
}
