import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check } from '@meridian/topology';
import { describe, expect, it } from 'vitest';
import { loadExample } from './load-example.ts';

// Issue 13: a seed modelled a second time, by someone else, in another style (YAML instead of the DSL, other helper
// structure, unstated facts left out), must get the same verdicts. "The same findings up to component ids": the same
// set of (rule, severity) pairs, since ids and the number of findings per rule follow how the model is cut (one
// finding per component that shares a flaw).
const examplesDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const alternates = readdirSync(examplesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((entry) =>
    readdirSync(join(examplesDir, entry.name))
      .filter((file) => /^alternate(-[a-z0-9-]+)?\.(ts|yaml)$/.test(file))
      .sort()
      .map((file) => [entry.name, file] as const),
  );

async function verdicts(file: string): Promise<string[]> {
  const result = check(await loadExample(file));
  return [...new Set(result.findings.map((finding) => `${finding.rule} (${finding.severity})`))].sort();
}

describe.each(alternates)('examples/%s/%s', (name, file) => {
  it('gets the same findings as topology.ts, up to component ids', async () => {
    const original = await verdicts(join(examplesDir, name, 'topology.ts'));
    const alternate = await verdicts(join(examplesDir, name, file));
    expect(alternate).toEqual(original);
  });

  it('points every finding at a line of the alternate model', async () => {
    const path = join(examplesDir, name, file);
    const result = check(await loadExample(path));
    for (const finding of result.findings) {
      expect(finding.location?.file, finding.message).toBe(path);
      expect(finding.location?.line, finding.message).toBeGreaterThan(0);
    }
  });
});
