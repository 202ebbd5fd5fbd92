import { createHash } from 'node:crypto';
import type { Review, ReviewAvailability, ReviewLocation, Topology } from '@meridian/topology';
import { mermaidIds } from '../mermaid/ids.ts';
import { type MermaidFinding, toMermaid } from '../mermaid/to-mermaid.ts';
import { type MermaidView, mermaidViews } from '../mermaid/views.ts';
import { availabilityChart, rpoChart, rtoChart } from './charts.ts';
import { reviewScript } from './page-script.ts';
import { reviewStyle } from './page-style.ts';

/** One view of the review: its name, a title for people, and its Mermaid source (to render to SVG). */
export interface ReviewDiagramSource {
  readonly view: MermaidView;
  readonly title: string;
  readonly mermaid: string;
}

/** A view rendered: the source's view and title with the SVG Mermaid made of it. */
export interface ReviewDiagram {
  readonly view: MermaidView;
  readonly title: string;
  readonly svg: string;
}

/** Every view of the model (whole, each region, each tier in use, data) as Mermaid with the findings overlaid. */
export function reviewDiagramSources(model: Topology, findings: readonly MermaidFinding[]): ReviewDiagramSource[] {
  return mermaidViews(model).map((view) => ({
    view,
    title: viewTitle(view),
    mermaid: toMermaid(model, { view, findings }),
  }));
}

function viewTitle(view: MermaidView): string {
  if (view === 'whole') return 'Whole system';
  if (view === 'data') return 'Data flows and stores';
  const [kind, name] = view.split(':');
  return `${kind === 'region' ? 'Region' : 'Tier'} ${name}`;
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => escapes[c] as string);
}

/**
 * The design review as one self-contained HTML page: no request leaves it (everything inlined, a CSP that forbids
 * network and any script but its own), diagrams of every view with the findings overlaid and linked, findings by
 * severity and rule, the availability, RTO and RPO charts, the N-1 table, assumptions and every component.
 * Pure: the same review and diagrams give the same page.
 */
export function toReviewHtml(review: Review, diagrams: readonly ReviewDiagram[]): string {
  const script = reviewScript;
  const scriptHash = createHash('sha256').update(script).digest('base64');
  const csp = [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    'img-src data:',
    'font-src data:',
    `script-src 'sha256-${scriptHash}'`,
    "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
  const { header, summary } = review;
  const data = JSON.stringify(review).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Meridian ${esc(header.version)}">
<title>${esc(header.name)}: design review</title>
<style>${reviewStyle}</style>
</head>
<body>
<a class="skip" href="#findings">Skip to the findings</a>
<header class="page">
<h1>${esc(header.name)}: design review</h1>
${header.description ? `<p>${esc(header.description)}</p>` : ''}
<dl>
<div><dt>Model</dt><dd><code>${esc(header.file)}</code></dd></div>
<div><dt>Model hash</dt><dd><span class="hash" title="sha256 of the model without source locations" data-testid="model-hash">sha256:${esc(header.hash.slice(0, 16))}</span></dd></div>
<div><dt>Meridian</dt><dd data-testid="meridian-version">${esc(header.version)}</dd></div>
<div><dt>Findings</dt><dd><span class="sev-error">${summary.error} errors</span>, <span class="sev-warning">${summary.warning} warnings</span>, <span class="sev-info">${summary.info} info</span>${review.suppressed.length ? `, ${review.suppressed.reduce((n, s) => n + s.count, 0)} suppressed` : ''}</dd></div>
</dl>
<nav class="toc" aria-label="Sections"><ul>
<li><a href="#findings">Findings</a></li><li><a href="#diagrams">Diagrams</a></li><li><a href="#availability">Availability</a></li>
<li><a href="#recovery">RTO and RPO</a></li><li><a href="#capacity">N-1 capacity</a></li><li><a href="#assumptions">Assumptions</a></li>
<li><a href="#components">Components</a></li>
</ul></nav>
</header>
<div class="layout">
<main>
${findingsSection(review)}
${diagramsSection(review, diagrams)}
${availabilitySection(review)}
${recoverySection(review)}
${capacitySection(review)}
${assumptionsSection(review)}
${componentsSection(review)}
</main>
<aside id="selection" aria-labelledby="selection-title" tabindex="-1">
<h2 id="selection-title">Selection</h2>
<div id="selection-body"><p>Choose a finding or a component (click, or Tab to it and press Enter). Escape clears.</p></div>
<p id="selection-status" class="where" role="status" aria-live="polite"></p>
</aside>
</div>
<script type="application/json" id="review-data">${data}</script>
<script>${script}</script>
</body>
</html>
`;
}

function at(location: ReviewLocation | undefined): string {
  return location ? `${location.file}:${location.line}:${location.column}` : '';
}

function findingsSection(review: Review): string {
  const byId = new Map(review.findings.map((f) => [f.id, f]));
  const groups = review.groups.map((group) => {
    const items = group.findings.map((id) => {
      const f = byId.get(id);
      if (!f) return '';
      const assumed = f.assumptions.length
        ? `<div class="assumed">assumes: ${f.assumptions.map(esc).join('; ')}</div>`
        : '';
      return `<li id="finding-${f.id}"><button type="button" class="finding" data-finding="${f.id}" aria-pressed="false">${esc(f.message)}</button>
<div class="hint">hint: ${esc(f.hint)}</div>${f.location ? `<div class="where">at <code>${esc(at(f.location))}</code></div>` : ''}${assumed}</li>`;
    });
    return `<div class="group" data-rule="${group.rule}" data-severity="${group.severity}">
<h3><span class="sev sev-${group.severity}">${group.severity}</span> ${esc(group.rule)} (${group.findings.length})</h3>
<p>${esc(group.explanation)}</p>
<ol class="findings">${items.join('\n')}</ol>
</div>`;
  });
  const suppressed = review.suppressed.length
    ? `<h3>Suppressed</h3>
<table><thead><tr><th scope="col">rule</th><th scope="col">findings</th><th scope="col">reason</th></tr></thead><tbody>
${review.suppressed.map((s) => `<tr><td>${esc(s.rule)}</td><td class="num">${s.count}</td><td>${esc(s.reason)}</td></tr>`).join('\n')}
</tbody></table>`
    : '<p>No finding is suppressed.</p>';
  return `<section id="findings" aria-labelledby="findings-h">
<h2 id="findings-h">Findings by severity and rule</h2>
${groups.length ? groups.join('\n') : '<p>No findings: the design meets its objectives.</p>'}
${suppressed}
</section>`;
}

function diagramsSection(review: Review, diagrams: readonly ReviewDiagram[]): string {
  const nodeIds = mermaidIds(
    'n',
    review.components.map((c) => c.id),
  );
  const componentOf = new Map([...nodeIds].map(([component, node]) => [node, component]));
  const byId = new Map(review.components.map((c) => [c.id, c]));
  const figures = diagrams.map((diagram, i) => {
    const prefix = `view-${i + 1}`;
    const drawn = new Set<string>();
    // mermaid-cli names every svg `my-svg` and prefixes its node, marker and style ids with it: one page holds many.
    const svg = diagram.svg
      .replace(/^<\?xml[^>]*>\s*/, '')
      .replaceAll('my-svg', prefix)
      .replace(/id="L_/g, `id="${prefix}-L_`)
      .replace(
        // A component is a node (`<prefix>-flowchart-n_x-3`), or a subgraph when it is a cluster with something
        // in it (`<prefix>-n_x`).
        new RegExp(
          `<g class="(?:node|cluster)[^"]*" id="${prefix}-(?:flowchart-(n_[A-Za-z0-9_]+)-\\d+|(n_[A-Za-z0-9_]+))"`,
          'g',
        ),
        (whole, asNode: string | undefined, asCluster: string | undefined) => {
          const component = componentOf.get(asNode ?? asCluster ?? '');
          if (component === undefined) return whole;
          drawn.add(component);
          const c = byId.get(component);
          const label = `${component} (${c?.kind ?? 'component'}): ${c?.findings.length ?? 0} findings`;
          return `${whole} data-component="${esc(component)}" tabindex="0" role="button" aria-label="${esc(label)}"`;
        },
      );
    const flagged = review.components.filter((c) => drawn.has(c.id) && c.findings.length > 0).length;
    return `<figure class="diagram-figure" id="${prefix}" data-view="${esc(diagram.view)}" data-title="${esc(diagram.title)}" aria-labelledby="${prefix}-caption">
<figcaption id="${prefix}-caption"><strong>${esc(diagram.title)}</strong>: ${drawn.size} components, ${flagged} with findings (red border: error, orange: warning). Every component is listed in the <a href="#components">components table</a>.</figcaption>
<div class="diagram">${svg}</div>
</figure>`;
  });
  return `<section id="diagrams" aria-labelledby="diagrams-h">
<h2 id="diagrams-h">Diagrams</h2>
<p>Select a component to see its findings and facts; select a finding to highlight its components in every view.</p>
${figures.join('\n')}
</section>`;
}

function pct(value: number | undefined): string {
  return value === undefined ? 'none' : `${value}%`;
}

function availabilityTree(entry: ReviewAvailability): string {
  const weakest = entry.weakest?.name;
  const mark = (name: string) => (name === weakest ? ' <span class="weakest">weakest</span>' : '');
  const series = entry.series.map(
    (f) =>
      `<li><button type="button" class="component" data-component="${esc(f.component)}" aria-pressed="false">${esc(f.component)}</button> ${f.percent}% <span class="where">(${esc(f.source)})</span>${mark(f.component)}</li>`,
  );
  const parallel = entry.parallel.map((p) => {
    const branches = p.branches.map(
      (b) =>
        `<li>via ${esc(b.first)}: ${b.percent}%${b.factors.length ? ` = ${b.factors.map((f) => `${esc(f.component)} ${f.percent}%`).join(' × ')}` : ''}</li>`,
    );
    return `<li>in parallel behind ${esc(p.via)}: ${p.percent}%${mark(`alternatives behind ${p.via}`)}${p.failover ? ` <span class="where">(${esc(p.failover)})</span>` : ''}<ul class="tree">${branches.join('')}</ul></li>`;
  });
  return `<ul class="tree"><li>${esc(entry.entry)}: <strong data-testid="availability-percent" data-entry="${esc(entry.entry)}">${entry.percent}%</strong>, in series:<ul class="tree">${[...series, ...parallel].join('')}</ul></li></ul>`;
}

function availabilitySection(review: Review): string {
  const entries = review.availability.map((entry, i) => {
    const verdict =
      entry.meetsTarget === undefined
        ? 'no availability target'
        : entry.meetsTarget
          ? `<span class="good">meets the target of ${entry.targetPercent}%</span>`
          : `<span class="bad">below the target of ${entry.targetPercent}%</span>`;
    return `<figure class="chart" id="availability-${i + 1}" aria-labelledby="availability-${i + 1}-caption">
<figcaption id="availability-${i + 1}-caption"><strong>${esc(entry.entry)}</strong>: ${entry.percent}% (${verdict}); weakest factor ${esc(entry.weakest?.name ?? 'none')} at ${pct(entry.weakest?.percent)}. <code>${esc(entry.formula)}</code></figcaption>
${availabilityChart(entry)}
${availabilityTree(entry)}
</figure>`;
  });
  return `<section id="availability" aria-labelledby="availability-h">
<h2 id="availability-h">Availability</h2>
<p>Published SLAs composed in series (multiplied) and in parallel (behind failover routing), as the sla rule computes them; the chart shows each factor as the downtime a year it allows, the target as a dashed line.</p>
${entries.length ? entries.join('\n') : '<p>No entry points: no client and no flow to start from.</p>'}
</section>`;
}

function recoverySection(review: Review): string {
  const rtoRows = review.rto.map(
    (b) =>
      `<tr${b.meetsTarget === false ? ' class="short"' : ''}><th scope="row">${esc(b.loss)}</th>${b.parts.map((p) => `<td class="num">${p.seconds} s</td>`).join('')}<td class="num">${b.totalSeconds} s</td><td>${b.targetSeconds === undefined ? 'no target' : b.meetsTarget ? `<span class="good">within ${b.targetSeconds} s</span>` : `<span class="bad">over ${b.targetSeconds} s</span>`}</td><td>${b.parts.map((p) => `${esc(p.part)}: ${esc(p.how)}`).join('<br>')}</td></tr>`,
  );
  const rpoRows = review.rpo.map(
    (b) =>
      `<tr${b.meetsTarget === false ? ' class="short"' : ''}><th scope="row">${esc(b.store)}</th><td class="num">${typeof b.window === 'number' ? `${b.window} s` : esc(b.window)}</td><td>${b.targetSeconds === undefined ? 'no target' : b.meetsTarget ? `<span class="good">within ${b.targetSeconds} s</span>` : `<span class="bad">over ${b.targetSeconds} s</span>`}</td><td>${esc(b.how)}${b.copies.length ? `<br>copies: ${b.copies.map(esc).join('; ')}` : ''}</td></tr>`,
  );
  return `<section id="recovery" aria-labelledby="recovery-h">
<h2 id="recovery-h">RTO and RPO</h2>
<h3>Recovery time of each region loss</h3>
${
  review.rto.length
    ? `<figure class="chart" aria-labelledby="rto-caption"><figcaption id="rto-caption">Detection, DNS TTL and promotion stacked against the RTO (dashed line).</figcaption>${rtoChart(review.rto)}</figure>
<table><caption class="where">The same numbers</caption><thead><tr><th scope="col">loss</th><th scope="col">detection</th><th scope="col">DNS TTL</th><th scope="col">promotion</th><th scope="col">total</th><th scope="col">RTO</th><th scope="col">how</th></tr></thead><tbody>${rtoRows.join('\n')}</tbody></table>`
    : '<p>Nothing to fail over.</p>'
}
<h3>Writes lost per primary store</h3>
${
  review.rpo.length
    ? `<figure class="chart" aria-labelledby="rpo-caption"><figcaption id="rpo-caption">The data-loss window of each primary store when its region is lost, against the RPO (dashed line); red is over it.</figcaption>${rpoChart(review.rpo)}</figure>
<table><caption class="where">The same numbers</caption><thead><tr><th scope="col">store</th><th scope="col">window</th><th scope="col">RPO</th><th scope="col">how</th></tr></thead><tbody>${rpoRows.join('\n')}</tbody></table>`
    : '<p>No primary database.</p>'
}
</section>`;
}

function capacitySection(review: Review): string {
  const rows = review.n1.map(
    (row) =>
      `<tr${row.short ? ' class="short" data-short="true"' : ''}><th scope="row">${esc(row.scenario)}</th><td class="num">${typeof row.capacityRps === 'number' ? Math.round(row.capacityRps).toLocaleString('en-US') : 'unlimited'}</td><td class="num">${row.peakRps === undefined ? '-' : Math.round(row.peakRps).toLocaleString('en-US')}</td><td>${row.peakRps === undefined ? '' : row.short ? '<span class="bad">SHORT</span>' : '<span class="good">ok</span>'}</td><td>${esc(row.bottleneck ?? '-')}</td></tr>`,
  );
  return `<section id="capacity" aria-labelledby="capacity-h">
<h2 id="capacity-h">N-1 capacity</h2>
${
  rows.length
    ? `<table><caption class="where">Requests per second the weakest entry point can take in each failure scenario; rows short of the peak are marked.</caption>
<thead><tr><th scope="col">scenario</th><th scope="col">capacity (rps)</th><th scope="col">peak (rps)</th><th scope="col">verdict</th><th scope="col">bottleneck</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`
    : '<p>No entry points.</p>'
}
</section>`;
}

function assumptionsSection(review: Review): string {
  return `<section id="assumptions" aria-labelledby="assumptions-h">
<h2 id="assumptions-h">Assumptions of the checker</h2>
${
  review.assumptions.length
    ? `<p>Facts the model leaves unstated, and what the checker used instead.</p><ul>${review.assumptions.map((a) => `<li>${esc(a.text)} <span class="where">(read by ${a.rules.map(esc).join(', ')})</span></li>`).join('')}</ul>`
    : '<p>None: every fact the rules read is stated.</p>'
}
</section>`;
}

function componentsSection(review: Review): string {
  const rows = review.components.map(
    (c) =>
      `<tr><th scope="row"><button type="button" class="component" data-component="${esc(c.id)}" aria-pressed="false">${esc(c.id)}</button></th><td>${esc(c.kind)}</td><td>${esc(c.tier)}</td><td class="num">${c.findings.length}</td><td class="num">${c.assumed.length}</td><td>${c.source ? `<code>${esc(at(c.source))}</code>` : ''}</td></tr>`,
  );
  return `<section id="components" aria-labelledby="components-h">
<h2 id="components-h">Components</h2>
<table><thead><tr><th scope="col">component</th><th scope="col">kind</th><th scope="col">tier</th><th scope="col">findings</th><th scope="col">assumed facts</th><th scope="col">declared at</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
</section>`;
}
