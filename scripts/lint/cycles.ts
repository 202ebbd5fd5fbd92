// Import cycles between files of a package (STYLE.md "Dependency direction": no cycles between folders inside one).
// dpdm parses every src/ file of every package twice: with type-only imports dropped (a runtime cycle, which
// fails: module initialisation order then decides whether a binding is defined) and with them (type-only cycles:
// erased at build time, but they still tie two concepts together). A type-only cycle fails in the packages whose
// folders are layered (scripts/lint/layers.ts) and is a note elsewhere until those packages are layered too.
// Usage: node scripts/lint/cycles.ts   (exit 1 on a runtime cycle, or a type-only cycle in a layered package)
import { resolve } from 'node:path';
import { globFiles, parseCircular, parseDependencyTree } from 'dpdm';
import { layers } from './layers.ts';

/** Cycles among the src/ files of `root`/packages/*, each a list of paths relative to `root`. */
export async function findCycles(root: string, transform: boolean): Promise<string[][]> {
  const files = await globFiles('packages/*/src/**/*.ts', root);
  // A glob that matched nothing would pass every time.
  if (files.length === 0) throw new Error(`cycles: no packages/*/src/**/*.ts under ${root}`);
  const tree = await parseDependencyTree(files, {
    context: root,
    cwd: root,
    transform,
    exclude: /node_modules/,
    extensions: ['.ts', '.mts', '.js', '.mjs', '.json'],
  });
  // With a context, dpdm gives paths relative to it already.
  return parseCircular(tree);
}

// Run as a script (not imported): import.meta.main needs Node 24.2, the repo supports 22.
if (process.argv[1] === import.meta.filename) {
  const root = resolve(import.meta.dirname, '..', '..');
  const runtime = await findCycles(root, true);
  const all = await findCycles(root, false);
  const key = (c: string[]): string => [...c].sort().join(' ');
  const runtimeKeys = new Set(runtime.map(key));
  const layered = (c: string[]): boolean => Object.keys(layers).some((pkg) => c[0]?.startsWith(`packages/${pkg}/`));
  const typeOnly = all.filter((c) => !runtimeKeys.has(key(c)));
  const failing = typeOnly.filter(layered);
  for (const c of typeOnly.filter((c) => !layered(c)))
    console.error(`note: type-only cycle  ${[...c, c[0]].join(' -> ')}`);
  for (const c of failing) console.error(`error: type-only import cycle  ${[...c, c[0]].join(' -> ')}`);
  for (const c of runtime) console.error(`error: import cycle  ${[...c, c[0]].join(' -> ')}`);
  const errors = runtime.length + failing.length;
  console.error(
    errors === 0
      ? 'cycles: no runtime import cycle, no type-only cycle in a layered package'
      : `cycles: ${runtime.length} runtime cycle(s), ${failing.length} type-only cycle(s) in layered packages`,
  );
  process.exit(errors === 0 ? 0 : 1);
}
