// Static mutants re-run by hand (bench/mutation/README.md, "Static mutants").
//
// A static mutant changes code that runs once, when its module is imported: a module-level constant, a table, a rule's
// description. Stryker's vitest runner switches a mutant on in a test hook, after the imports, when test files are
// named (`npm run mutation -- <package> <file> <tests>`): such a mutant is never live and is reported Survived
// whatever the tests do (stryker-js issues 6144 and 6209, open with Stryker 10.1). This puts each statically
// survived mutant into the source, runs the named tests, and puts the source back: a failing run kills it.
//
//   node scripts/mutation-static.ts <package> <test files...>     re-runs the static survivors of the last report
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface Position {
  readonly line: number;
  readonly column: number;
}
export interface ReportMutant {
  readonly id: string;
  readonly status: string;
  readonly static?: boolean;
  readonly replacement?: string;
  readonly mutatorName?: string;
  readonly location: { readonly start: Position; readonly end: Position };
}
export interface MutationReport {
  readonly files: Record<string, { readonly source: string; readonly mutants: ReportMutant[] }>;
}

/** The offset of a report position (lines and columns from 1) in `source`. */
function offsetOf(source: string, { line, column }: Position): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = source.indexOf('\n', offset);
    if (next < 0) throw new Error(`line ${line} is past the end of the source`);
    offset = next + 1;
  }
  return offset + column - 1;
}

/** `source` with the mutant's replacement in place of the code it mutates. */
export function applyMutant(source: string, mutant: ReportMutant): string {
  if (mutant.replacement === undefined) throw new Error(`mutant ${mutant.id} has no replacement in the report`);
  const start = offsetOf(source, mutant.location.start);
  const end = offsetOf(source, mutant.location.end);
  return source.slice(0, start) + mutant.replacement + source.slice(end);
}

/**
 * Re-runs each static mutant Stryker reported Survived: the mutant written into the file, the package's named tests
 * run, the file restored (also when the run throws). Files changed since the report are left out, named.
 * Returns the ids killed this way.
 */
export function recheckStatic(
  root: string,
  pkg: string,
  report: MutationReport,
  tests: readonly string[],
): Set<string> {
  const killed = new Set<string>();
  const packageDir = join(root, 'packages', pkg);
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    const suspects = mutants.filter((m) => m.static === true && m.status === 'Survived');
    if (suspects.length === 0) continue;
    const path = join(root, file);
    const current = readFileSync(path, 'utf8');
    if (current !== source) {
      console.error(`mutation: ${file} changed since the report; its ${suspects.length} static survivors not re-run`);
      continue;
    }
    try {
      for (const mutant of suspects) {
        writeFileSync(path, applyMutant(source, mutant));
        const run = spawnSync(
          'npx',
          ['vitest', 'run', ...tests.map((t) => relative(packageDir, join(root, t))), '--maxWorkers=1'],
          { cwd: packageDir, stdio: 'ignore', env: { ...process.env, MERIDIAN_MUTATION_PACKAGE: pkg } },
        );
        const line = mutant.location.start.line;
        if (run.status !== 0) killed.add(mutant.id);
        console.error(
          `mutation: static ${file}:${line} ${mutant.mutatorName ?? ''} -> ${run.status !== 0 ? 'killed' : 'survived'}`,
        );
      }
    } finally {
      writeFileSync(path, source);
    }
  }
  return killed;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [pkg, ...tests] = process.argv.slice(2);
  if (!pkg || tests.length === 0) {
    console.error('usage: node scripts/mutation-static.ts <package> <test files...>');
    process.exit(2);
  }
  const root = join(import.meta.dirname, '..');
  const reportFile = join(root, '.meridian', 'mutation', pkg, 'report.json');
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as MutationReport;
  const killed = recheckStatic(root, pkg, report, tests);
  console.log(`static survivors killed when put in by hand: ${killed.size}`);
}
