import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatError, isMeridianError, loadTopology, type MeridianError } from '../src/index.ts';

// YAML's aliases and nesting (issue 16, items 10 and 11): a file that uses one anchor many times is legitimate; a
// file whose aliases expand exponentially (billion laughs) or that nests thousands deep is refused by a MeridianError
// that says so, never a ReferenceError or a stack overflow reported as a syntax error.
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meridian-yaml-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function loadError(path: string): Promise<MeridianError> {
  try {
    await loadTopology(path);
  } catch (error) {
    if (isMeridianError(error)) return error;
    throw error;
  }
  throw new Error(`expected ${path} to fail`);
}

describe('YAML aliases', () => {
  it('one anchor used 150 times loads', async () => {
    const lines = [
      'name: shop',
      'regions:',
      '  - { code: eu-west-1, role: primary, jurisdiction: EU }',
      'components:',
      '  - &client { id: users, kind: client, placement: global, clientKind: users }',
    ];
    const placement = '&global global';
    lines[4] = `  - { id: users, kind: client, placement: ${placement}, clientKind: users }`;
    for (let i = 0; i < 150; i++) lines.push(`  - { id: c${i}, kind: client, placement: *global, clientKind: users }`);
    lines.push('flows: []');
    const file = join(dir, 'many.yaml');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const model = await loadTopology(file);
    expect(model.components).toHaveLength(151);
  });

  it('aliases that expand exponentially are refused by expanded size', async () => {
    const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    lines.push('name: *a9');
    const file = join(dir, 'bomb.yaml');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const started = Date.now();
    const error = await loadError(file);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error.code).toBe('yaml-too-large');
    expect(error.message).toContain('alias');
  });

  it('an alias of an anchor never set is invalid-syntax at the alias (found by the fuzz suite)', async () => {
    const file = join(dir, 'unset.json');
    writeFileSync(file, '{*a"name":"shop"}\n');
    const error = await loadError(file);
    expect(error.code).toBe('invalid-syntax');
    expect(error.location).toMatchObject({ line: 1 });
    expect(error.message).toContain('names no anchor');
  });

  it('an alias of its own ancestor is refused', async () => {
    const file = join(dir, 'cycle.yaml');
    writeFileSync(file, 'name: &self [a, *self]\n');
    const error = await loadError(file);
    expect(error.code).toBe('yaml-alias-cycle');
  });
});

describe('deep nesting', () => {
  it.each(['deep.yaml', 'deep.json'])(
    '%s nested 100,000 deep is refused as too deep, without a 200 KB code frame',
    async (name) => {
      const file = join(dir, name);
      const body = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      writeFileSync(file, name.endsWith('.json') ? `{"name": ${body}}\n` : `name: ${body}\n`);
      const error = await loadError(file);
      expect(error.code).toBe('too-deep');
      expect(formatError(error).length).toBeLessThan(2_000);
    },
  );

  it('nesting of 2,000 levels is refused as too deep', async () => {
    const file = join(dir, 'nested.json');
    writeFileSync(file, `{"name": "x", "extra": ${'['.repeat(2_000)}${']'.repeat(2_000)}}\n`);
    const error = await loadError(file);
    expect(error.code).toBe('too-deep');
  });
});
