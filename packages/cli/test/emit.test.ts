import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mermaidViews, toMermaid } from '@meridian/emitters';
import { check, loadTopology } from '@meridian/topology';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliInputError } from '../src/command.ts';
import { emitMermaid } from '../src/commands/emit.ts';

const shop = new URL('./fixtures/docs/shop.yaml', import.meta.url).pathname;
let out: string;
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), 'meridian-emit-'));
});
afterEach(() => rmSync(out, { recursive: true, force: true }));

describe('emitMermaid', () => {
  it('writes one .mmd per view of the model, each the emitter output', async () => {
    const model = await loadTopology(shop);
    const written = await emitMermaid(shop, { out: join(out, 'nested') });
    expect(written.map((w) => w.view)).toEqual(mermaidViews(model));
    expect(readdirSync(join(out, 'nested')).sort()).toEqual(
      mermaidViews(model)
        .map((v) => `shop.${v.replace(':', '-')}.mmd`)
        .sort(),
    );
    for (const w of written) expect(readFileSync(w.mmd, 'utf8')).toBe(toMermaid(model, { view: w.view }));
  });

  it('overlays findings from meridian check --format json', async () => {
    const findings = join(out, 'findings.json');
    writeFileSync(
      findings,
      JSON.stringify({
        findings: [{ rule: 'spof', severity: 'error', components: ['eu-west-1/orders'], message: 'm', hint: 'h' }],
        summary: {},
      }),
    );
    const [written] = await emitMermaid(shop, { out, views: ['whole'], findings });
    expect(readFileSync(written?.mmd ?? '', 'utf8')).toContain('<b>error: spof</b>');
  });

  it('--check overlays the checker findings on the components they name', async () => {
    const model = await loadTopology(shop);
    const flagged = check(model, { explain: false }).findings.filter((f) => f.severity !== 'info');
    expect(flagged.length).toBeGreaterThan(0);
    const [written] = await emitMermaid(shop, { out, views: ['whole'], check: true });
    const text = readFileSync(written?.mmd ?? '', 'utf8');
    expect(text).toBe(toMermaid(model, { findings: check(model, { explain: false }).findings }));
    for (const f of flagged) expect(text).toContain(`${f.severity}: `);
  });

  it.each([
    ['{"findings": [{"rule": 1}]}', /findings\[0\] needs rule/],
    ['not json', /is not JSON/],
    ['{"other": []}', /no findings array/],
  ])('rejects a findings file %s as input', async (content, message) => {
    const findings = join(out, 'findings.json');
    writeFileSync(findings, content);
    await expect(emitMermaid(shop, { out, findings })).rejects.toThrow(message);
    await expect(emitMermaid(shop, { out, findings })).rejects.toBeInstanceOf(CliInputError);
  });

  it('checks every view before writing anything', async () => {
    await expect(emitMermaid(shop, { out, views: ['whole', 'tier:nope'] })).rejects.toMatchObject({
      name: 'EmitError',
      code: 'unknown-tier',
    });
    expect(readdirSync(out)).toEqual([]);
  });
});
