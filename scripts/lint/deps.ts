// Dependency direction (STYLE.md "Dependency direction"): topology and delta import nothing of ours, emitters
// imports topology, query-client imports topology and delta, the cli imports all. Checked twice, in each
// package.json (every dependency kind: a devDependency on a sibling is still a turbo `^build` edge) and in the
// import statements of src/ and test/. Also: a package reaches a sibling only through its entry `@meridian/<pkg>`
// (never a deep path or a relative path into the sibling's folder; a test may reuse a sibling's test/ set-up or the repo's scripts/), and every bare import in src/ is declared in
// dependencies, peerDependencies or optionalDependencies: a devDependency is absent where the package is installed.
// Usage: node scripts/lint/deps.ts   (exit 1 on findings, one `file:line  message` a line)
import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** Which siblings each package may import. */
export const allowed: Record<string, readonly string[]> = {
  topology: [],
  delta: [],
  emitters: ['topology'],
  'query-client': ['topology', 'delta'],
  cli: ['topology', 'emitters', 'delta', 'query-client'],
};

/** One import found in a source file. */
export interface ImportSite {
  specifier: string;
  line: number;
  typeOnly: boolean;
}

/** Every static import/export-from, dynamic `import('…')`, `import x = require('…')` and `import('…')` type in a file. */
export function importsOf(file: string, text: string): ImportSite[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: ImportSite[] = [];
  const add = (node: ts.Node, specifier: ts.Expression | undefined, typeOnly: boolean): void => {
    if (specifier && ts.isStringLiteralLike(specifier)) {
      const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      found.push({ specifier: specifier.text, line, typeOnly });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node, node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node)) {
      add(node, node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal as ts.Expression, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return entries
    .filter(
      (f) => /\.(m|c)?tsx?$/.test(f) && !f.split(sep).includes('node_modules') && !f.split(sep).includes('fixtures'),
    )
    .map((f) => join(dir, f));
}

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  exports?: Record<string, unknown>;
}

/** The subpaths a sibling publishes in its `exports` map (`@meridian/emitters/cdk`): public entries, not internals. */
function publicEntries(packagesDir: string): Set<string> {
  const entries = new Set<string>();
  for (const pkg of Object.keys(allowed)) {
    const manifest = JSON.parse(readFileSync(join(packagesDir, pkg, 'package.json'), 'utf8')) as PackageJson;
    for (const key of Object.keys(manifest.exports ?? {})) {
      if (key.startsWith('./') && key !== './package.json') entries.add(`${manifest.name}/${key.slice(2)}`);
    }
  }
  return entries;
}

/** Findings for the whole repo, each `path:line  message`, paths relative to `root`. */
export function checkDependencies(root: string): string[] {
  const findings: string[] = [];
  const packagesDir = join(root, 'packages');
  const entries = publicEntries(packagesDir);
  for (const [pkg, may] of Object.entries(allowed)) {
    const dir = join(packagesDir, pkg);
    const manifestPath = join(dir, 'package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as PackageJson;
    const rel = (file: string): string => relative(root, file);
    const mayNames = new Set(may.map((p) => `@meridian/${p}`));
    const runtime = new Set(
      Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies }),
    );
    const declared = new Set([...runtime, ...Object.keys(manifest.devDependencies ?? {})]);
    for (const kind of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const) {
      for (const name of Object.keys(manifest[kind] ?? {})) {
        if (name.startsWith('@meridian/') && !mayNames.has(name)) {
          findings.push(
            `${rel(manifestPath)}  ${kind} has ${name}: ${pkg} may depend on ${may.join(', ') || 'none of ours'}`,
          );
        }
      }
    }
    if (sourceFiles(join(dir, 'src')).length === 0) findings.push(`${rel(dir)}/src  holds no source file to check`);
    for (const area of ['src', 'test'] as const) {
      for (const file of sourceFiles(join(dir, area))) {
        for (const site of importsOf(file, readFileSync(file, 'utf8'))) {
          const at = `${rel(file)}:${site.line}`;
          const spec = site.specifier;
          if (spec.startsWith('.') || spec.startsWith('/')) {
            const target = resolve(dirname(file), spec);
            const inSiblingTests = /^[^/]+\/test\//.test(relative(packagesDir, target).split(sep).join('/'));
            const inRepoScripts = relative(root, target).split(sep)[0] === 'scripts';
            // A test may reuse a sibling's test set-up (one S3 server for all) or the repo's tooling in scripts/
            // (the packer of the tarballs): unpublished, so not an internal.
            if (area === 'test' && (inSiblingTests || inRepoScripts)) continue;
            if (relative(dir, target).startsWith('..')) {
              findings.push(
                `${at}  '${spec}' reaches outside ${pkg}/: import a sibling through its @meridian/<pkg> entry`,
              );
            }
            continue;
          }
          if (isBuiltin(spec)) continue;
          const name = packageNameOf(spec);
          if (name.startsWith('@meridian/')) {
            if (name === manifest.name) continue;
            if (!mayNames.has(name)) {
              findings.push(`${at}  imports ${name}: ${pkg} may import ${may.join(', ') || 'none of ours'}`);
            } else if (spec !== name && !entries.has(spec)) {
              findings.push(`${at}  imports ${spec}: use the package entry ${name}, not its internals`);
            }
            if (area === 'src' && !runtime.has(name)) {
              findings.push(`${at}  imports ${name}, which package.json dependencies do not list`);
            }
            continue;
          }
          if (area === 'src' && !runtime.has(name) && !(site.typeOnly && declared.has(name))) {
            const where = declared.has(name) ? 'only in devDependencies' : 'in no dependency list';
            findings.push(`${at}  imports ${name}, declared ${where}: installed users will not have it`);
          }
        }
      }
    }
  }
  return findings;
}

// Run as a script (not imported): import.meta.main needs Node 24.2, the repo supports 22.
if (process.argv[1] === import.meta.filename) {
  const root = resolve(import.meta.dirname, '..', '..');
  const findings = checkDependencies(root);
  for (const f of findings) console.error(f);
  console.error(findings.length === 0 ? 'deps: direction holds' : `deps: ${findings.length} finding(s)`);
  process.exit(findings.length === 0 ? 0 : 1);
}
