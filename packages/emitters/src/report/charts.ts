import type { ReviewAvailability, ReviewRpo, ReviewRto } from '@meridian/topology';
import * as Plot from '@observablehq/plot';
import { JSDOM } from 'jsdom';

// Observable Plot draws with a DOM; jsdom gives it one in Node, so each chart leaves here as an SVG string that the
// page inlines (no script, no network). docs/decisions "review report" says why Plot.

const minutesPerYear = 365 * 24 * 60;
// Colours with at least 4.5:1 against white for text and 3:1 for marks (WCAG 1.4.3 / 1.4.11).
const colors = {
  total: '#37474f',
  series: '#1565c0',
  parallel: '#2e7d32',
  branch: '#6a8caf',
  weakest: '#b3261e',
  target: '#000000',
  detection: '#1565c0',
  ttl: '#ef6c00',
  promotion: '#6a1b9a',
  ok: '#2e7d32',
  over: '#b3261e',
} as const;

function newDocument(): Document {
  return new JSDOM('<!doctype html><html><body></body></html>').window.document;
}

/** The dashed line of a target at `target` on the x axis, labelled; nothing when there is no target. */
function targetLine(target: number | undefined, label: string): Plot.Markish[] {
  if (target === undefined) return [];
  return [
    Plot.ruleX([target], { stroke: colors.target, strokeDasharray: '4 3', strokeWidth: 2 }),
    Plot.text([target], {
      x: (d: number) => d,
      frameAnchor: 'top',
      text: () => label,
      textAnchor: 'start',
      dx: 4,
      dy: -2,
    }),
  ];
}

function svgOf(figure: Element): string {
  // Plot returns a bare <svg> when there is no legend, a <figure> around svgs and legend otherwise.
  return figure.outerHTML;
}

/** A row of the availability chart: one factor of the tree, its allowed downtime a year and where it sits. */
interface AvailabilityRow {
  readonly label: string;
  readonly percent: number;
  readonly minutes: number;
  readonly role: 'total' | 'series' | 'parallel' | 'branch';
  readonly weakest: boolean;
}

/** The rows of an availability tree, composed total first, then series factors, then each parallel group and its branches. */
export function availabilityRows(entry: ReviewAvailability): AvailabilityRow[] {
  const downtime = (percent: number) => ((100 - percent) / 100) * minutesPerYear;
  const weakest = entry.weakest?.name;
  const rows: AvailabilityRow[] = [
    {
      label: `= ${entry.entry} (composed)`,
      percent: entry.percent,
      minutes: downtime(entry.percent),
      role: 'total',
      weakest: false,
    },
  ];
  for (const f of entry.series)
    rows.push({
      label: f.component,
      percent: f.percent,
      minutes: downtime(f.percent),
      role: 'series',
      weakest: f.component === weakest,
    });
  for (const p of entry.parallel) {
    const name = `alternatives behind ${p.via}`;
    rows.push({
      label: `‖ ${name}`,
      percent: p.percent,
      minutes: downtime(p.percent),
      role: 'parallel',
      weakest: name === weakest,
    });
    for (const b of p.branches)
      rows.push({
        label: `  ↳ via ${b.first}`,
        percent: b.percent,
        minutes: downtime(b.percent),
        role: 'branch',
        weakest: false,
      });
  }
  return rows;
}

/**
 * The availability of one entry point as allowed downtime a year per factor (a percentage near 100 hides the
 * differences that downtime shows): the composed total, each series factor, each parallel group and its branches;
 * the weakest factor in red, the target's downtime as a vertical line (a factor past it breaks the target alone).
 */
export function availabilityChart(entry: ReviewAvailability): string {
  const rows = availabilityRows(entry);
  const target = entry.targetPercent === undefined ? undefined : ((100 - entry.targetPercent) / 100) * minutesPerYear;
  const fill = (row: AvailabilityRow) => (row.weakest ? colors.weakest : colors[row.role]);
  const plot = Plot.plot({
    document: newDocument(),
    ariaLabel: `Availability of ${entry.entry}: ${entry.percent}%${entry.targetPercent === undefined ? '' : ` against a target of ${entry.targetPercent}%`}, as allowed downtime a year per factor`,
    ariaDescription: rows.map((r) => `${r.label.trim()}: ${r.percent}%`).join('; '),
    width: 760,
    height: 40 + rows.length * 26,
    marginLeft: 300,
    marginRight: 120,
    x: { label: 'allowed downtime a year (minutes) →', grid: true, nice: true },
    y: { label: null, domain: rows.map((r) => r.label) },
    marks: [
      Plot.barX(rows, {
        y: 'label',
        x: 'minutes',
        fill,
        title: (r: AvailabilityRow) => `${r.label.trim()}: ${r.percent}%`,
      }),
      Plot.text(rows, {
        y: 'label',
        x: 'minutes',
        text: (r: AvailabilityRow) => `${r.percent}%${r.weakest ? '  weakest' : ''}`,
        textAnchor: 'start',
        dx: 4,
        fill: (r: AvailabilityRow) => (r.weakest ? colors.weakest : '#1b1b1b'),
      }),
      ...targetLine(target, `target ${entry.targetPercent}%`),
      Plot.ruleX([0]),
    ],
  });
  return svgOf(plot);
}

/** The RTO of each region loss: detection, DNS TTL and promotion stacked, against the RTO target. */
export function rtoChart(budgets: readonly ReviewRto[]): string {
  const parts = budgets.flatMap((b) => b.parts.map((p) => ({ loss: b.loss, part: p.part, seconds: p.seconds })));
  const target = budgets.find((b) => b.targetSeconds !== undefined)?.targetSeconds;
  const plot = Plot.plot({
    document: newDocument(),
    ariaLabel: `Recovery time of each region loss against ${target === undefined ? 'no RTO target' : `the RTO of ${target} s`}`,
    ariaDescription: budgets
      .map((b) => `${b.loss}: ${b.parts.map((p) => `${p.part} ${p.seconds} s`).join(' + ')} = ${b.totalSeconds} s`)
      .join('; '),
    width: 760,
    height: 70 + budgets.length * 34,
    marginLeft: 300,
    marginRight: 60,
    x: { label: 'seconds →', grid: true, nice: true },
    y: { label: null, domain: budgets.map((b) => b.loss) },
    color: {
      legend: true,
      domain: ['detection', 'DNS TTL', 'promotion'],
      range: [colors.detection, colors.ttl, colors.promotion],
    },
    marks: [
      Plot.barX(
        parts,
        Plot.stackX({
          y: 'loss',
          x: 'seconds',
          fill: 'part',
          title: (d: { part: string; seconds: number }) => `${d.part}: ${d.seconds} s`,
        }),
      ),
      Plot.text(budgets, {
        y: 'loss',
        x: 'totalSeconds',
        text: (b: ReviewRto) => `${b.totalSeconds} s${b.meetsTarget === false ? ' OVER' : ''}`,
        textAnchor: 'start',
        dx: 4,
        fill: (b: ReviewRto) => (b.meetsTarget === false ? colors.over : '#1b1b1b'),
      }),
      ...targetLine(target, `RTO ${target} s`),
      Plot.ruleX([0]),
    ],
  });
  return svgOf(plot);
}

/**
 * The RPO of each primary store against the target. A window without bound (no copy outside the region, or
 * replication lag without a bound) is drawn past the axis's end and labelled, never as a number it is not.
 */
export function rpoChart(budgets: readonly ReviewRpo[]): string {
  const target = budgets.find((b) => b.targetSeconds !== undefined)?.targetSeconds;
  const finite = budgets.map((b) => (typeof b.window === 'number' ? b.window : 0));
  // An axis of at least a minute, so a store with nothing but unbounded windows still gets a readable scale.
  const end = Math.max(60, target ?? 0, ...finite) * 1.25;
  const rows = budgets.map((b) => ({
    store: b.store,
    seconds: typeof b.window === 'number' ? b.window : end,
    label:
      typeof b.window === 'number' ? `${b.window} s` : b.window === 'everything' ? 'everything lost' : 'unbounded lag',
    fill: b.meetsTarget === false ? colors.over : colors.ok,
  }));
  const plot = Plot.plot({
    document: newDocument(),
    ariaLabel: `Writes lost with each primary store's region against ${target === undefined ? 'no RPO target' : `the RPO of ${target} s`}`,
    ariaDescription: rows.map((r) => `${r.store}: ${r.label}`).join('; '),
    width: 760,
    height: 60 + rows.length * 30,
    marginLeft: 300,
    marginRight: 120,
    x: { label: 'seconds of writes lost →', grid: true, domain: [0, end] },
    y: { label: null, domain: rows.map((r) => r.store) },
    marks: [
      Plot.barX(rows, {
        y: 'store',
        x: 'seconds',
        fill: 'fill',
        title: (r: { store: string; label: string }) => `${r.store}: ${r.label}`,
      }),
      Plot.text(rows, { y: 'store', x: 'seconds', text: 'label', textAnchor: 'start', dx: 4, fill: '#1b1b1b' }),
      ...targetLine(target, `RPO ${target} s`),
      Plot.ruleX([0]),
    ],
  });
  return svgOf(plot);
}
