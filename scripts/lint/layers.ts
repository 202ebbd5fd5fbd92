// Layers inside a package (STYLE.md "Dependency direction": no cycles between folders inside one): each folder of
// packages/delta/src has a rank, and a file may import only its own folder or a folder of lower rank, so every
// import arrow points down (packages/delta/README.md "Layout"). Type-only imports count: they tie concepts too.
// Usage: node scripts/lint/layers.ts   (exit 1 on findings, one `file:line  message` a line)
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { importsOf } from './deps.ts';

/** Folders of each layered package's src/, lowest first; files at the root of src/ (errors.ts, index.ts) are outside. */
export const layers: Record<string, readonly (readonly string[])[]> = {
  delta: [
    ['storage', 'schema'],
    ['parquet'],
    ['arrow'],
    ['log'],
    ['deletion-vectors', 'protocol'],
    ['scan'],
    ['snapshot'],
    ['write'],
  ],
};

/** `file:line  message` for every import in a layered package that points up or sideways, or into an unranked folder. */
export function checkLayers(root: string): string[] {
  const findings: string[] = [];
  for (const [pkg, order] of Object.entries(layers)) {
    const src = join(root, 'packages', pkg, 'src');
    const rank = new Map(order.flatMap((folders, i) => folders.map((f) => [f, i] as const)));
    const folderOf = (file: string): string | undefined => {
      const parts = relative(src, file).split(/[\\/]/);
      return parts.length > 1 ? parts[0] : undefined;
    };
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    if (files.length === 0) findings.push(`packages/${pkg}/src  holds no source file to check`);
    for (const name of files) {
      const file = join(src, name);
      const from = folderOf(file);
      if (from === undefined) continue;
      const at = (line: number): string => `${relative(root, file)}:${line}`;
      if (!rank.has(from)) {
        findings.push(`${at(1)}  folder ${from}/ has no layer: add it to scripts/lint/layers.ts`);
        continue;
      }
      for (const site of importsOf(file, readFileSync(file, 'utf8'))) {
        if (!site.specifier.startsWith('.')) continue;
        const to = folderOf(resolve(dirname(file), site.specifier));
        if (to === undefined || to === from) continue;
        const mine = rank.get(from) as number;
        const theirs = rank.get(to);
        if (theirs === undefined || theirs >= mine) {
          findings.push(
            `${at(site.line)}  ${from}/ imports ${to}/ (${site.specifier}): imports must point down the layers`,
          );
        }
      }
    }
  }
  return findings;
}

// Run as a script (not imported): import.meta.main needs Node 24.2, the repo supports 22.
if (process.argv[1] === import.meta.filename) {
  const findings = checkLayers(resolve(import.meta.dirname, '..', '..'));
  for (const f of findings) console.error(f);
  console.error(findings.length === 0 ? 'layers: every import points down' : `layers: ${findings.length} finding(s)`);
  process.exit(findings.length === 0 ? 0 : 1);
}
