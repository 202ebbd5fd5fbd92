import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { CliInputError } from '../command.ts';
import { topologyTemplate } from './topology-template.ts';

/** What `initProject` did to each file, in the order written. */
export interface InitResult {
  readonly dir: string;
  readonly name: string;
  readonly files: readonly { readonly file: string; readonly action: 'written' | 'updated' | 'kept' }[];
  /** False when @meridian/topology does not resolve from `dir` yet: the packages still have to be installed. */
  readonly installed: boolean;
}

// The TypeScript this repo builds with (root package.json): the template is type-checked with it in the tests.
const typescriptRange = '~6.0.3';

// All @meridian packages share one version (they are released together): the CLI's own.
function meridianVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('@meridian/cli/package.json') as { version: string }).version;
}

/** A package name npm accepts, from a folder name: lower case, letters, digits and dashes. */
function packageName(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
  return name || 'my-platform';
}

interface Manifest {
  name?: string;
  private?: boolean;
  type?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * Adds what the project needs to a package.json, keeping every entry it has: a dependency already there (a
 * `file:` tarball, a version) stays as it is, so an install from tarballs is never replaced by a registry range.
 */
function withMeridian(manifest: Manifest, name: string, version: string): Manifest {
  const has = (dep: string) =>
    manifest.dependencies?.[dep] !== undefined || manifest.devDependencies?.[dep] !== undefined;
  const add = (into: Record<string, string> | undefined, entries: Record<string, string>) => {
    const merged = { ...into };
    for (const [dep, range] of Object.entries(entries)) if (!has(dep)) merged[dep] = range;
    return merged;
  };
  return {
    name: manifest.name ?? name,
    private: manifest.private ?? true,
    // topology.ts is an ES module (it imports @meridian/topology and exports the model).
    type: manifest.type ?? 'module',
    ...manifest,
    scripts: {
      check: 'meridian check topology.ts',
      diagrams: 'meridian emit mermaid topology.ts --out diagrams',
      typecheck: 'tsc --noEmit',
      ...manifest.scripts,
    },
    dependencies: add(manifest.dependencies, { '@meridian/topology': `^${version}` }),
    devDependencies: add(manifest.devDependencies, { '@meridian/cli': `^${version}`, typescript: typescriptRange }),
  };
}

const tsconfig = {
  compilerOptions: {
    target: 'es2023',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  },
  include: ['topology.ts'],
};

const readme = (name: string) =>
  `# ${name}\n\nThe platform's model is topology.ts: \`npm run check\` finds what cannot meet its objectives, \`npm run diagrams\` draws it.\n`;

/**
 * `meridian init [dir]`: a project to start from, like `cdk init`: package.json (dependencies and scripts,
 * merged into one that exists), tsconfig.json, a commented topology.ts that checks clean and a README of two lines.
 * Never overwrites a file: one that exists is kept (package.json is added to, never changed).
 */
export function initProject(dir: string, options: { name?: string } = {}): InitResult {
  const root = resolve(dir);
  if (existsSync(root) && !statSync(root).isDirectory()) {
    throw new CliInputError('init-not-a-directory', `${dir} is not a directory`, 'give a new or existing folder');
  }
  mkdirSync(root, { recursive: true });
  const name = options.name ?? packageName(root);
  const files: { file: string; action: 'written' | 'updated' | 'kept' }[] = [];

  const manifestPath = join(root, 'package.json');
  let manifest: Manifest = {};
  if (existsSync(manifestPath)) {
    try {
      manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    } catch (error) {
      throw new CliInputError(
        'init-bad-package-json',
        `${manifestPath} is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
        'fix it or remove it, then run meridian init again',
      );
    }
  }
  const updated = `${JSON.stringify(withMeridian(manifest, name, meridianVersion()), null, 2)}\n`;
  const before = existsSync(manifestPath) ? readFileSync(manifestPath, 'utf8') : undefined;
  if (before !== updated) writeFileSync(manifestPath, updated);
  files.push({
    file: 'package.json',
    action: before === undefined ? 'written' : before === updated ? 'kept' : 'updated',
  });

  const fresh: [string, string][] = [
    ['tsconfig.json', `${JSON.stringify(tsconfig, null, 2)}\n`],
    ['topology.ts', topologyTemplate(name)],
    ['README.md', readme(name)],
  ];
  for (const [file, text] of fresh) {
    const path = join(root, file);
    if (existsSync(path)) {
      files.push({ file, action: 'kept' });
    } else {
      writeFileSync(path, text);
      files.push({ file, action: 'written' });
    }
  }

  let installed = true;
  try {
    createRequire(manifestPath).resolve('@meridian/topology');
  } catch {
    installed = false;
  }
  return { dir: root, name, files, installed };
}
