import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { formatError, isMeridianError, loadTopology } from '../src/index.ts';

// Fuzzing the YAML and JSON loaders (issue 16, "Done means"): whatever the bytes, loadTopology returns a model or
// throws a MeridianError whose formatted text is bounded, never another error, never a hang. Bounded by time
// (about 15 s) as well as runs, so CI stays fast; seeds are printed by fast-check on failure.
const dir = mkdtempSync(join(tmpdir(), 'meridian-fuzz-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const shopYaml = readFileSync(fileURLToPath(new URL('./fixtures/load/shop.yaml', import.meta.url)), 'utf8');
const shopJson = JSON.stringify(
  // A JSON twin of the fixture, through the loader itself, so mutations start from a valid document.
  await loadTopology(fileURLToPath(new URL('./fixtures/load/shop.yaml', import.meta.url))),
);

let counter = 0;
async function loadText(text: string, extension: '.yaml' | '.json'): Promise<void> {
  const file = join(dir, `case-${counter++}${extension}`);
  writeFileSync(file, text);
  try {
    await loadTopology(file);
  } catch (error) {
    if (!isMeridianError(error)) throw error;
    expect(error.issues.length).toBeGreaterThan(0);
    // One line of source at most is quoted; a huge file does not make a huge message.
    expect(formatError(error).length).toBeLessThan(20_000);
  } finally {
    rmSync(file, { force: true });
  }
}

/** Edits of a valid document: cut, insert a fragment, duplicate a slice, or replace a character. */
const mutation = (base: string) =>
  fc
    .tuple(
      fc.nat({ max: base.length }),
      fc.nat({ max: 200 }),
      fc.constantFrom(
        '',
        ':',
        '- ',
        '&a ',
        '*a',
        '<<: *a',
        '{',
        '[',
        ']',
        '}',
        '"',
        "'",
        '\t',
        '\n  ',
        '!!binary ',
        '!!js/function ',
        '? ',
        '|',
        '>',
        '%YAML 1.1\n',
        '---\n',
        '...\n',
        '__proto__: ',
        'constructor: ',
        '\u0000',
        '\uFEFF',
        '1e309',
        '-0',
        '0x1F',
        'null',
        '~',
      ),
      fc.constantFrom('cut', 'insert', 'duplicate'),
    )
    .map(([at, length, fragment, kind]) => {
      if (kind === 'cut') return base.slice(0, at) + base.slice(at + length);
      if (kind === 'duplicate')
        return base.slice(0, at + length) + base.slice(at, at + length) + base.slice(at + length);
      return base.slice(0, at) + fragment + base.slice(at);
    });

const settings = { numRuns: 400, interruptAfterTimeLimit: 6_000, markInterruptAsFailure: false } as const;

describe('loadTopology on fuzzed input', () => {
  it('mutations of a valid YAML topology: a model or a MeridianError', { timeout: 30_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation(shopYaml), { minLength: 1, maxLength: 1 }), async ([text]) => {
        await loadText(text as string, '.yaml');
      }),
      settings,
    );
  });

  it('mutations of a valid JSON topology: a model or a MeridianError', { timeout: 30_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(mutation(shopJson), async (text) => {
        await loadText(text, '.json');
      }),
      settings,
    );
  });

  it('arbitrary strings and JSON values: a MeridianError (or, rarely, a model)', { timeout: 30_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 400 }),
          fc.json({ depthSize: 'medium' }),
          fc.jsonValue().map((v) => JSON.stringify({ name: 'x', regions: v, components: v, flows: v })),
        ),
        fc.constantFrom('.yaml' as const, '.json' as const),
        async (text, extension) => {
          await loadText(text, extension);
        },
      ),
      settings,
    );
  });
});
