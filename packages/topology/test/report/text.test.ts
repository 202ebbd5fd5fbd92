import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import type { Finding } from '../../src/check/finding.ts';
import { topology } from '../../src/dsl/topology.ts';
import { formatExplanation } from '../../src/report/explain.ts';
import { formatFindings } from '../../src/report/text.ts';

const source = ['line one', "  const db = eu.postgres('db');", 'line three'].join('\n');

describe('formatFindings', () => {
  it('prints file:line:col, severity, rule, message, a code frame with a caret and the hint', () => {
    const finding: Finding = {
      rule: 'spof',
      severity: 'error',
      message: 'eu-west-1/db is a single point of failure',
      hint: 'set multiAz: true',
      components: ['eu-west-1/db'],
      location: { file: '/repo/topology.ts', line: 2, column: 19 },
    };
    const text = formatFindings([finding], { displayPath: () => 'topology.ts', readSource: () => source });
    const lines = text.split('\n');
    expect(lines[0]).toBe('topology.ts:2:19  error  spof  eu-west-1/db is a single point of failure');
    expect(lines).toContain("> 2 |   const db = eu.postgres('db');");
    const caret = lines.find((l) => l.trim().endsWith('^')) ?? '';
    expect(caret.indexOf('^') - caret.indexOf('|')).toBe(2 + 18);
    expect(text).toContain('  hint: set multiAz: true');
  });

  it('names the checked file when a finding has no location', () => {
    const text = formatFindings([{ rule: 'naming', severity: 'warning', message: 'm', hint: 'h', components: [] }], {
      file: 'topology.yaml',
    });
    expect(text.startsWith('topology.yaml  warning  naming  m')).toBe(true);
  });
});

describe('formatExplanation', () => {
  it('shows the availability product, the budgets and the N-1 table', () => {
    const model = topology('explain', (t) => {
      t.sla({ availability: 99.9, rtoSeconds: 600, rpoSeconds: 60, peakRps: 1000 });
      const dns = t.dns('dns', { routing: 'failover' });
      t.flow(t.client('users', { clientKind: 'users' }), dns);
      const [us, eu] = [t.region('us-east-1'), t.region('eu-west-1')];
      const db = us.postgres('db', { multiAz: true });
      t.flow(db, eu.postgres('db', { role: 'replica', replicaOf: db }), { kind: 'replicate', maxLagSeconds: 5 });
      for (const [r, role] of [
        [us, 'primary'],
        [eu, 'secondary'],
      ] as const)
        t.flow(dns, r.apiGateway('api', { maxRps: 800 }), { routing: { failover: role } });
    });
    const text = formatExplanation(check(model).explain);
    expect(text).toContain('users: ');
    expect(text).toContain('parallel behind dns');
    expect(text).toMatch(/us-east-1\/db: 90 s \+ 60 s \+ 900 s = 1050 s \(target 600 s, OVER\)/);
    expect(text).toContain('us-east-1/db: 5 s (target 60 s)');
    expect(text).toMatch(/all regions up\s+1,600\s+1,000\s+ok/);
    expect(text).toMatch(/lose region us-east-1\s+800\s+1,000\s+SHORT\s+alternatives behind dns: eu-west-1\/api 800$/m);
  });
});
