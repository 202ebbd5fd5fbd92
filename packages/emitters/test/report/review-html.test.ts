import { createHash } from 'node:crypto';
import { check, topology, toReview, version } from '@meridian/topology';
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { mermaidViews } from '../../src/index.ts';
import { availabilityChart, availabilityRows, rpoChart, rtoChart } from '../../src/report/charts.ts';
import { reviewDiagramSources, toReviewHtml } from '../../src/report/index.ts';

const model = topology('review-page', (t) => {
  t.sla({ availability: 99.99, rtoSeconds: 60, rpoSeconds: 5 });
  const dns = t.dns('route53', { routing: 'failover' });
  const eu = t.region('eu-west-1', { role: 'primary' });
  const us = t.region('us-east-1');
  const euApi = eu.kubernetesCluster('eks').deployment('api', { image: 'api:1', replicas: 3 });
  const usApi = us.kubernetesCluster('eks').deployment('api', { image: 'api:1', replicas: 3 });
  const db = eu.postgres('db', { multiAz: true });
  const replica = us.postgres('db', { replicaOf: db, role: 'replica' });
  t.flow(t.client('users', { clientKind: 'users' }), dns)
    .flow(dns, euApi)
    .flow(dns, usApi)
    .flow(euApi, db, { kind: 'write' })
    .flow(usApi, db, { kind: 'write' });
  void replica;
});

const result = check(model);
const review = toReview(model, result, { file: '/repo/topology.ts', version });

describe('the review page without a browser', () => {
  it('is self-contained: a CSP that forbids network, and the one script it allows is the page script', () => {
    const html = toReviewHtml(review, []);
    const dom = new JSDOM(html);
    const doc = dom.window.document;
    const csp = doc.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'none'");
    const scripts = [...doc.querySelectorAll('script:not([type])')];
    expect(scripts).toHaveLength(1);
    const hash = createHash('sha256')
      .update(scripts[0]?.textContent ?? '')
      .digest('base64');
    expect(csp).toContain(`'sha256-${hash}'`);
    // Nothing to fetch: no src or href that leaves the page.
    for (const e of doc.querySelectorAll('[src], [href]')) {
      const url = e.getAttribute('src') ?? e.getAttribute('href') ?? '';
      expect(url.startsWith('#') || url.startsWith('data:')).toBe(true);
    }
  });

  it('holds the header, every finding group with its findings, and the embedded review data', () => {
    const doc = new JSDOM(toReviewHtml(review, [])).window.document;
    expect(doc.querySelector('h1')?.textContent).toContain('review-page');
    expect(doc.querySelector('[data-testid="model-hash"]')?.textContent).toBe(
      `sha256:${review.header.hash.slice(0, 16)}`,
    );
    expect(doc.querySelector('[data-testid="meridian-version"]')?.textContent).toBe(version);
    expect(doc.querySelectorAll('button.finding')).toHaveLength(review.findings.length);
    expect(doc.querySelectorAll('.group')).toHaveLength(review.groups.length);
    const embedded = JSON.parse(doc.getElementById('review-data')?.textContent ?? '{}');
    expect(embedded).toEqual(JSON.parse(JSON.stringify(review)));
    const shown = [...doc.querySelectorAll('[data-testid="availability-percent"]')].map((e) => e.textContent);
    expect(shown).toEqual(review.availability.map((a) => `${a.percent}%`));
    expect(doc.querySelectorAll('#components tbody tr')).toHaveLength(model.components.length);
  });

  it('escapes what the model says: a description cannot become markup', () => {
    const hostile = { ...review, header: { ...review.header, name: '<img src=x onerror=alert(1)>' } };
    const doc = new JSDOM(toReviewHtml(hostile, [])).window.document;
    expect(doc.querySelector('img')).toBeNull();
    expect(doc.querySelector('h1')?.textContent).toContain('<img src=x onerror=alert(1)>');
  });

  it('offers one diagram source per view, with the findings overlaid', () => {
    const sources = reviewDiagramSources(model, result.findings);
    expect(sources.map((s) => s.view)).toEqual(mermaidViews(model));
    expect(sources.map((s) => s.view)).toEqual(
      expect.arrayContaining(['whole', 'region:eu-west-1', 'region:us-east-1', 'data']),
    );
    expect(sources[0]?.view).toBe('whole');
    expect(sources.at(-1)?.view).toBe('data');
    if (result.findings.some((f) => f.severity !== 'info'))
      expect(sources[0]?.mermaid).toMatch(/finding(Error|Warning)/);
  });
});

describe('the review charts (Observable Plot in jsdom)', () => {
  it('draw the availability tree with the weakest factor marked and the target line', () => {
    const [entry] = review.availability;
    if (!entry) throw new Error('the model has an entry point');
    const svg = availabilityChart(entry);
    const doc = new JSDOM(svg).window.document;
    expect(doc.querySelector('svg')?.getAttribute('aria-label')).toContain(`${entry.percent}%`);
    const rows = availabilityRows(entry);
    expect(rows[0]?.percent).toBe(entry.percent);
    expect(rows.filter((r) => r.weakest).map((r) => r.percent)).toEqual(
      entry.weakest && rows.some((r) => r.weakest) ? [entry.weakest.percent] : [],
    );
    expect(svg).toContain(`target ${entry.targetPercent}%`);
    // One bar per row.
    expect(doc.querySelectorAll('g[aria-label="bar"] rect')).toHaveLength(rows.length);
  });

  it('stack the RTO parts against the RTO and label unbounded RPO windows in words', () => {
    const rto = rtoChart(review.rto);
    expect(rto).toContain('RTO 60 s');
    const bars = new JSDOM(rto).window.document.querySelectorAll('g[aria-label="bar"] rect');
    expect(bars).toHaveLength(review.rto.length * 3);
    const rpo = rpoChart([
      { store: 'a', window: 'everything', how: '', copies: [], targetSeconds: 5, meetsTarget: false },
      { store: 'b', window: 2, how: '', copies: [], targetSeconds: 5, meetsTarget: true },
    ]);
    expect(rpo).toContain('everything lost');
    expect(rpo).toContain('RPO 5 s');
  });
});
