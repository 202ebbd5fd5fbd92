import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/check/check.ts';
import { ruleDescriptors } from '../../src/check/rules/index.ts';
import { topology } from '../../src/dsl/topology.ts';
import { type SarifLog, toSarif } from '../../src/report/sarif.ts';

// The SARIF 2.1.0 schema GitHub code scanning validates uploads against (sarif-2.1.0-rtm.5, draft-04), as shipped
// by Microsoft's SARIF tooling; validated with ajv, not re-implemented.
const require = createRequire(import.meta.url);
const schemaPath = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
// rtm.5's run.language pattern has a stray ']' that only non-unicode regular expressions accept.
// Both are CommonJS with an `exports.default`, which is what Node's ESM interop exposes under `default`.
const ajv = new ajvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
ajvFormats.default(ajv);
const validate = ajv.compile(schema);

const flawed = topology('flawed', (t) => {
  t.sla({ availability: 99.99 });
  const users = t.client('users', { clientKind: 'users' });
  const eu = t.region('eu-west-1', { zones: 3 });
  const api = eu.kubernetesCluster('eks', { endpointAccess: 'public' }).deployment('api', { image: 'shop/api:latest' });
  t.flow(users, api);
  t.flow(api, eu.postgres('db'), { kind: 'write' });
  t.flow(api, api);
});

function sarifOf(findings = check(flawed).findings): SarifLog {
  return toSarif(findings, ruleDescriptors, {
    file: 'topology.ts',
    relativize: (file) => file.replace(/^.*\/packages\//, 'packages/'),
  });
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: {
    physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } };
  }[];
}

describe('toSarif', () => {
  it('writes a log the SARIF 2.1.0 schema accepts', () => {
    const log = sarifOf();
    const valid = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema is strict enough to reject a malformed log (the validator is real)', () => {
    const log = sarifOf() as unknown as { runs: { results: { level: string }[] }[] };
    const broken = structuredClone(log);
    (broken.runs[0]?.results[0] as { level: string }).level = 'fatal';
    expect(validate(broken)).toBe(false);
  });

  it('maps every finding to a result with its rule, level and a 1-based region (GitHub requires a location)', () => {
    const { findings } = check(flawed);
    const results = (sarifOf(findings).runs[0] as { results: SarifResult[] }).results;
    expect(results).toHaveLength(findings.length);
    const rules = (sarifOf(findings).runs[0] as { tool: { driver: { rules: { id: string }[] } } }).tool.driver.rules;
    results.forEach((result, i) => {
      const finding = findings[i];
      expect(result.ruleId).toBe(finding?.rule);
      expect(rules[result.ruleIndex]?.id).toBe(finding?.rule);
      expect(result.level).toBe(finding?.severity === 'info' ? 'note' : finding?.severity);
      expect(result.message.text).toContain(finding?.hint);
      const region = result.locations[0]?.physicalLocation.region;
      expect(region?.startLine).toBe(finding?.location?.line ?? 1);
      expect(result.locations[0]?.physicalLocation.artifactLocation.uri).toMatch(
        /^packages\/topology\/test\/report\/sarif\.test\.ts$|^topology\.ts$/,
      );
    });
    expect(results.map((r) => r.ruleId)).toEqual(expect.arrayContaining(['cycle', 'security', 'spof', 'sla']));
  });

  it('stays valid with no findings and with info findings', () => {
    expect(validate(sarifOf([]))).toBe(true);
    const info = check(flawed, { severities: { security: 'info', spof: 'info', cycle: 'info', sla: 'info' } }).findings;
    const log = sarifOf(info);
    expect(validate(log)).toBe(true);
    expect((log.runs[0] as { results: SarifResult[] }).results.some((r) => r.level === 'note')).toBe(true);
  });
});
