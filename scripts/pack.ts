// The tarballs of every published package, as `npm pack` makes them: what a user installs outside the repo.
// Used by the install smoke test (scripts/lint/packages.ts), the `meridian init` end-to-end test
// (packages/cli/test/init-installed.test.ts) and by hand: `npm run tarballs -- <dir>` (README, "Use it in your project").
// Needs built dist/ (`npx turbo run build`).
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');

/** Every package users install, in dependency order. */
export const publishedPackages = ['topology', 'emitters', 'delta', 'query-client', 'cli'] as const;

export interface Packed {
  readonly pkg: (typeof publishedPackages)[number];
  readonly name: string;
  readonly tarball: string;
}

/** One `npm pack` of every published package into `dest`; the tarballs' paths by package. */
export async function packTarballs(dest: string, env: NodeJS.ProcessEnv = process.env): Promise<Packed[]> {
  mkdirSync(dest, { recursive: true });
  const workspaces = publishedPackages.flatMap((p) => ['-w', `packages/${p}`]);
  const { stdout } = await run(
    'npm',
    ['pack', ...workspaces, '--pack-destination', dest, '--json', '--ignore-scripts', '--loglevel=error'],
    { cwd: root, env, maxBuffer: 64 << 20 },
  );
  const entries = JSON.parse(stdout) as { name: string; filename: string }[];
  return publishedPackages.map((pkg) => {
    const entry = entries.find((e) => e.name === `@meridian/${pkg}`);
    if (!entry) throw new Error(`npm pack gave no tarball for @meridian/${pkg}`);
    return { pkg, name: entry.name, tarball: join(resolve(dest), entry.filename) };
  });
}

// Run as a script (not imported): import.meta.main needs Node 24.2, the repo supports 22.
if (process.argv[1] === import.meta.filename) {
  const dest = process.argv[2];
  if (!dest) {
    console.error('usage: npm run tarballs -- <dir>   (npm pack of every package into <dir>)');
    process.exit(2);
  }
  for (const p of await packTarballs(dest)) console.log(p.tarball);
}
