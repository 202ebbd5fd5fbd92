// Import cycles between files of a package (STYLE.md "Dependency direction": no cycles between folders inside one).
// dpdm parses every src/ file of every package twice: with type-only imports dropped (a runtime cycle, which
// fails: module initialisation order then decides whether a binding is defined) and with them (type-only cycles,
// printed as notes: erased at build time, but they still tie two concepts together).
// Usage: node scripts/lint/cycles.ts   (exit 1 on a runtime cycle)
import { resolve } from 'node:path';
import { globFiles, parseCircular, parseDependencyTree, shortenTree } from 'dpdm';

const root = resolve(import.meta.dirname, '..', '..');

/** Cycles among the src/ files of packages/*, each a list of repo-relative paths. */
export async function findCycles(transform: boolean): Promise<string[][]> {
  const files = await globFiles('packages/*/src/**/*.ts', root);
  const tree = await parseDependencyTree(files, {
    context: root,
    cwd: root,
    transform,
    exclude: /node_modules/,
    extensions: ['.ts', '.mts', '.js', '.mjs', '.json'],
  });
  return parseCircular(shortenTree(root, tree));
}

// Run as a script (not imported): import.meta.main needs Node 24.2, the repo supports 22.
if (process.argv[1] === import.meta.filename) {
  const runtime = await findCycles(true);
  const all = await findCycles(false);
  const key = (c: string[]): string => [...c].sort().join(' ');
  const runtimeKeys = new Set(runtime.map(key));
  for (const c of all.filter((c) => !runtimeKeys.has(key(c)))) {
    console.error(`note: type-only cycle  ${[...c, c[0]].join(' -> ')}`);
  }
  for (const c of runtime) console.error(`error: import cycle  ${[...c, c[0]].join(' -> ')}`);
  console.error(
    runtime.length === 0 ? 'cycles: no runtime import cycle' : `cycles: ${runtime.length} runtime cycle(s)`,
  );
  process.exit(runtime.length === 0 ? 0 : 1);
}
