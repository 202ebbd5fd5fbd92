import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMeridianError, parseTopology } from '../src/index.ts';
import { loadTopologyFixture } from './support/shop.ts';

/** Every path to a value inside `value` (objects and arrays walked). */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, v]) => paths(v, [...prefix, key]))];
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const part of path.slice(0, -1)) node = node[part] as Record<string | number, unknown>;
  node[path.at(-1) as string | number] = value;
  return copy;
}

describe('parseTopology on damaged input', () => {
  it('returns a model or throws a MeridianError listing issues, never anything else', async () => {
    const model = await loadTopologyFixture();
    const all = paths(model);
    fc.assert(
      fc.property(fc.constantFrom(...all), fc.oneof(fc.jsonValue(), fc.constant(undefined)), (path, value) => {
        try {
          parseTopology(setAt(model, path, value));
        } catch (error) {
          expect(isMeridianError(error)).toBe(true);
          if (isMeridianError(error)) expect(error.issues.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});
