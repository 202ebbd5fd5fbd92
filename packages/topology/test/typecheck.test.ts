import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { typecheckTopology } from '../src/index.ts';

// Type errors in a topology.ts run fine under tsx (types are stripped) and were never reported (issue 16, item 11):
// `meridian check --typecheck` runs the TypeScript compiler on the file first.
const dir = mkdtempSync(join(tmpdir(), 'meridian-typecheck-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('typecheckTopology', () => {
  it('reports a type error at its line and column with the compiler message', { timeout: 60_000 }, async () => {
    const file = join(dir, 'wrong.ts');
    writeFileSync(file, "const replicas: number = 'three';\nexport default { name: 'x', replicas };\n");
    const issues = await typecheckTopology(file);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'type-error', location: { file, line: 1, column: 7 } });
    expect(issues[0]?.message).toContain("'string' is not assignable to type 'number'");
  });

  it('a well-typed example has no issues', { timeout: 60_000 }, async () => {
    const example = fileURLToPath(new URL('./fixtures/load/shop.ts', import.meta.url));
    expect(await typecheckTopology(example)).toEqual([]);
  });
});
