import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CheckResult, check, ruleIds, type Topology } from '@meridian/topology';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadExample } from './load-example.ts';

const examplesDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Issue 3 keeps the seed documents beside the repository (../shared/seeds); a clone elsewhere may not have them.
const seedsDir = resolve(examplesDir, '..', '..', 'shared', 'seeds');
// Without them the seed test skips saying why (scripts/test-summary.mjs prints the reason); under CI=true, where
// every input must be there, it runs and fails saying why instead.
const seedsMissing = !existsSync(seedsDir);
const skipsWithoutSeeds = seedsMissing && !process.env.CI;

// Issue 3: which seed document each example models.
const seeds: Record<string, string> = {
  'orasi-telemetry': '000_0b271dba82e06f22.txt',
  'hld-global': '001_ea8d89130af0363c.txt',
  'tv-voting': '002_4f56bb0df3c03db7.txt',
  aragora: '003_2c249b927a349c3e.txt',
  nexora: '004_07dee92c2eb1047c.txt',
};
const examples = [...Object.keys(seeds), 'reference'];

// Findings a document deserves that the checker does not produce yet. Each runs as an expected failure, so the
// day the checker finds it the test fails and the entry must go.
const knownMisses = new Set<string>();

interface Expected {
  readonly rule: string;
  readonly severity: string;
}

/** The lines of one `## heading` section of a README. */
function section(readme: string, heading: string): string[] {
  const lines = readme.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  if (start < 0) return [];
  const end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** `- \`rule\` (severity): why` items of "Flaws the checker should find". */
function expectedFindings(readme: string): Expected[] {
  return section(readme, 'Flaws the checker should find')
    .map((line) => /^- `([a-z0-9-]+)` \((error|warning|info)\): \S/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({ rule: match[1] as string, severity: match[2] as string }));
}

/** `- \`rule\`: why` items of "Rules that must stay quiet". */
function quietRules(readme: string): string[] {
  return section(readme, 'Rules that must stay quiet')
    .map((line) => /^- `([a-z0-9-]+)`: \S/.exec(line)?.[1])
    .filter((rule) => rule !== undefined);
}

const readmeOf = (name: string) => readFileSync(join(examplesDir, name, 'README.md'), 'utf8');

describe.each(examples)('examples/%s', (name) => {
  const file = join(examplesDir, name, 'topology.ts');
  let model: Topology;
  beforeAll(async () => {
    model = await loadExample(file);
  });

  it('loads through loadTopology and is a validated model of the example', () => {
    expect(model.name).toBe(name);
    expect(model.regions.length).toBeGreaterThanOrEqual(2);
    expect(model.components.length).toBeGreaterThan(10);
    expect(model.flows.length).toBeGreaterThan(10);
    const ids = new Set(model.components.map((component) => component.id));
    for (const flow of model.flows) {
      expect(ids.has(flow.from), `${flow.id}: from`).toBe(true);
      expect(ids.has(flow.to), `${flow.id}: to`).toBe(true);
    }
  });

  it('remembers where each component and flow was declared in topology.ts', () => {
    const lines = readFileSync(file, 'utf8').split('\n').length;
    for (const element of [...model.components, ...model.flows]) {
      expect(element.source?.file, element.id).toBe(file);
      expect(element.source?.line, element.id).toBeGreaterThan(0);
      expect(element.source?.line, element.id).toBeLessThanOrEqual(lines);
    }
  });

  it('has a README with the model gaps section and well-formed rule lists', () => {
    const readme = readmeOf(name);
    expect(readme.startsWith(`# ${name}\n`)).toBe(true);
    expect(section(readme, 'What the model cannot express').join('\n').trim()).not.toBe('');
    for (const { rule } of expectedFindings(readme)) expect(ruleIds, rule).toContain(rule);
    for (const rule of quietRules(readme)) expect(ruleIds, rule).toContain(rule);
  });
});

describe.each(Object.entries(seeds))('examples/%s models seed %s', (name, seed) => {
  const readme = readmeOf(name);

  it('names its seed document', () => {
    expect(readme).toContain(`Seed: \`/work/shared/seeds/${seed}\``);
  });

  const title = 'names a seed document that exists';
  it.skipIf(skipsWithoutSeeds)(
    skipsWithoutSeeds ? `${title} [SKIPPED: the seed documents not found at ${seedsDir}]` : title,
    () => {
      if (seedsMissing) throw new Error(`the seed documents not found at ${seedsDir}; CI=true, so this test fails`);
      expect(existsSync(join(seedsDir, seed)), join(seedsDir, seed)).toBe(true);
    },
  );

  it('lists the flaws the checker should find, with at least one error, and no rule both expected and quiet', () => {
    const expected = expectedFindings(readme);
    expect(expected.filter((e) => e.severity === 'error').length).toBeGreaterThan(0);
    const quiet = new Set(quietRules(readme));
    for (const { rule } of expected) expect(quiet.has(rule), rule).toBe(false);
    // Every list item of the section parsed: a malformed line would silently drop an expectation.
    const items = section(readme, 'Flaws the checker should find').filter((line) => line.startsWith('- '));
    expect(items.length).toBe(expected.length);
  });
});

/** One expectation per rule: an error when any README line for it says error. */
function expectationsOf(readme: string): Expected[] {
  const byRule = new Map<string, string>();
  for (const { rule, severity } of expectedFindings(readme)) {
    if (byRule.get(rule) !== 'error') byRule.set(rule, severity);
  }
  return [...byRule].map(([rule, severity]) => ({ rule, severity }));
}

describe.each(Object.keys(seeds))('meridian check on examples/%s', (name) => {
  const readme = readmeOf(name);
  let result: CheckResult;
  beforeAll(async () => {
    result = check(await loadExample(join(examplesDir, name, 'topology.ts')));
  });

  for (const { rule, severity } of expectationsOf(readme)) {
    const test = knownMisses.has(`${name}:${rule}`) ? it.fails : it;
    test(`finds ${rule} (${severity}), as the README lists`, () => {
      const found = result.findings.filter((finding) => finding.rule === rule);
      // A README warning may come out as an error (the checker is stricter); a README error may not soften.
      const matching = severity === 'error' ? found.filter((finding) => finding.severity === 'error') : found;
      expect(matching.map((finding) => finding.message)).not.toEqual([]);
    });
  }

  it('points every finding at a line of the topology.ts that declared the culprit', () => {
    const file = join(examplesDir, name, 'topology.ts');
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(result.findings.length).toBeGreaterThan(0);
    for (const finding of result.findings) {
      expect(finding.location?.file, finding.message).toBe(file);
      const line = lines[(finding.location?.line ?? 0) - 1];
      expect(line?.trim(), finding.message).toBeTruthy();
    }
  });

  it.each(quietRules(readme))('stays quiet on %s', (rule) => {
    expect(result.findings.filter((finding) => finding.rule === rule).map((finding) => finding.message)).toEqual([]);
  });
});

describe('meridian check on examples/reference', () => {
  it('finds no error and no warning in the sound design', async () => {
    const result = check(await loadExample(join(examplesDir, 'reference', 'topology.ts')));
    const serious = result.findings.filter((finding) => finding.severity !== 'info');
    expect(serious.map((finding) => `${finding.rule}: ${finding.message}`)).toEqual([]);
    expect(result.summary.error + result.summary.warning).toBe(0);
  });
});
