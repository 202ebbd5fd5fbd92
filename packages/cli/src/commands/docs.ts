import { existsSync } from 'node:fs';
import { glob, readFile, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import {
  type DiagramBlock,
  EmitError,
  findDiagramBlocks,
  regenerateDiagramBlocks,
  toMermaid,
} from '@meridian/emitters';
import { check, isMeridianError, loadTopology, type Topology } from '@meridian/topology';
import { CliInputError, ExitCode, type RegisterCommand } from '../command.ts';

/** One diagram block of a Markdown file and whether it was out of date. */
export interface DocsBlockResult {
  readonly line: number;
  readonly src: string;
  readonly view: string;
  readonly isStale: boolean;
}

/** What `meridian docs` found in one file. */
export interface DocsFileResult {
  readonly file: string;
  readonly blocks: readonly DocsBlockResult[];
  /** True when the file was rewritten (never in check mode). */
  readonly written: boolean;
}

/** A marker or source that cannot be used, at `file:line`. */
export interface DocsProblem {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  readonly message: string;
  readonly hint?: string | undefined;
}

/** The machine-readable result of `meridian docs --json`. */
export interface DocsResult {
  readonly files: readonly DocsFileResult[];
  readonly problems: readonly DocsProblem[];
  /** How many blocks were stale (rewritten, or in check mode, to be rewritten). */
  readonly stale: number;
}

const directions = new Set(['TB', 'TD', 'BT', 'LR', 'RL']);

/**
 * Regenerates the diagram blocks of the Markdown files `patterns` name (paths or globs). A block's `src` is
 * resolved against the Markdown file's folder first, then against `cwd` (so `src=examples/x/topology.ts` works
 * from docs/ in a repository run from its root). With `check`, nothing is written. Nothing is written either
 * when any block has a problem (bad marker, unknown src or view): those are reported with file:line.
 */
export async function updateDocs(
  patterns: readonly string[],
  options: { check?: boolean; cwd?: string } = {},
): Promise<DocsResult> {
  const cwd = options.cwd ?? process.cwd();
  const files = await expand(patterns, cwd);
  const models = new Map<string, Promise<Topology>>();
  const problems: DocsProblem[] = [];
  const planned: { file: string; text: string; blocks: DiagramBlock[]; diagrams: Map<number, string> }[] = [];

  for (const file of files) {
    const shown = display(file, cwd);
    const text = await readFile(file, 'utf8');
    let blocks: DiagramBlock[];
    try {
      blocks = findDiagramBlocks(text, shown);
    } catch (error) {
      if (!(error instanceof EmitError)) throw error;
      problems.push({
        file: shown,
        line: error.location?.line ?? 1,
        code: error.code,
        message: error.message,
        hint: error.hint,
      });
      continue;
    }
    const diagrams = new Map<number, string>();
    for (const block of blocks) {
      const at = { file: shown, line: block.line };
      const { src, view, direction, findings } = block.attributes;
      if (direction !== undefined && !directions.has(direction)) {
        problems.push({
          ...at,
          code: 'bad-direction',
          message: `direction '${direction}' is not a flowchart direction`,
          hint: 'use TB, BT, LR or RL',
        });
        continue;
      }
      const path = [resolve(dirname(file), src), resolve(cwd, src)].find((p) => existsSync(p));
      if (path === undefined) {
        problems.push({
          ...at,
          code: 'unknown-src',
          message: `src '${src}' does not exist`,
          hint: `give the topology file's path relative to ${display(dirname(file), cwd)} or to ${cwd}`,
        });
        continue;
      }
      let model: Topology;
      try {
        let loading = models.get(path);
        if (!loading) {
          loading = loadTopology(path);
          models.set(path, loading);
        }
        model = await loading;
      } catch (error) {
        if (!isMeridianError(error)) throw error;
        problems.push({
          ...at,
          code: error.code,
          message: `src '${src}' cannot be loaded: ${error.message}`,
          hint: `run meridian validate ${relative(cwd, path)}`,
        });
        continue;
      }
      try {
        const dir = direction === 'TD' ? 'TB' : (direction as 'TB' | 'BT' | 'LR' | 'RL' | undefined);
        const overlay = findings === 'check' ? check(model, { explain: false }).findings : undefined;
        diagrams.set(block.line, toMermaid(model, { view, direction: dir, findings: overlay }));
      } catch (error) {
        if (!(error instanceof EmitError)) throw error;
        problems.push({ ...at, code: error.code, message: error.message, hint: error.hint });
      }
    }
    planned.push({ file, text, blocks, diagrams });
  }

  if (problems.length > 0) return { files: [], problems, stale: 0 };
  const results: DocsFileResult[] = [];
  let stale = 0;
  for (const { file, text, diagrams } of planned) {
    const regenerated = regenerateDiagramBlocks(text, (block) => diagrams.get(block.line) ?? '');
    const staleHere = regenerated.blocks.filter((b) => b.isStale).length;
    stale += staleHere;
    const written = !options.check && staleHere > 0;
    if (written) await writeFile(file, regenerated.markdown);
    results.push({
      file: display(file, cwd),
      written,
      blocks: regenerated.blocks.map((b) => ({
        line: b.line,
        src: b.attributes.src,
        view: b.attributes.view,
        isStale: b.isStale,
      })),
    });
  }
  return { files: results, problems, stale };
}

// Paths under cwd are shown relative to it (what the user typed), others absolute.
function display(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}

async function expand(patterns: readonly string[], cwd: string): Promise<string[]> {
  const files = new Set<string>();
  for (const pattern of patterns) {
    if (/[*?[{]/.test(pattern)) {
      let matched = false;
      for await (const path of glob(pattern, { cwd })) {
        if (path.endsWith('.md') || path.endsWith('.markdown')) {
          files.add(resolve(cwd, path));
          matched = true;
        }
      }
      if (!matched)
        throw new CliInputError('no-files', `no Markdown file matches '${pattern}'`, 'check the glob, e.g. docs/*.md');
    } else {
      const path = resolve(cwd, pattern);
      if (!existsSync(path))
        throw new CliInputError(
          'file-not-found',
          `${pattern} does not exist`,
          'name Markdown files or globs, e.g. docs/*.md',
        );
      files.add(path);
    }
  }
  return [...files].sort();
}

/** Prints a docs result like a formatter: problems and stale blocks as file:line lines. Returns the exit code. */
export function reportDocs(result: DocsResult, options: { check?: boolean; json?: boolean }): number {
  const exitCode =
    result.problems.length > 0
      ? ExitCode.badInput
      : options.check && result.stale > 0
        ? ExitCode.findings
        : ExitCode.ok;
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return exitCode;
  }
  for (const p of result.problems) {
    process.stderr.write(`${p.file}:${p.line}  error  ${p.code}  ${p.message}${p.hint ? `\n  hint: ${p.hint}` : ''}\n`);
  }
  if (result.problems.length > 0) {
    process.stderr.write(
      `meridian docs: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}, nothing written\n`,
    );
    return exitCode;
  }
  const blocks = result.files.reduce((n, f) => n + f.blocks.length, 0);
  for (const file of result.files) {
    for (const block of file.blocks.filter((b) => b.isStale)) {
      const what = options.check ? 'stale' : 'updated';
      process.stdout.write(`${file.file}:${block.line}  ${what}  src=${block.src} view=${block.view}\n`);
    }
  }
  const summary = options.check
    ? result.stale > 0
      ? `${result.stale} of ${blocks} diagram blocks are stale; run meridian docs without --check to regenerate them\n`
      : `${blocks} diagram blocks are current\n`
    : `${result.stale} of ${blocks} diagram blocks regenerated\n`;
  process.stdout.write(summary);
  return exitCode;
}

/** `meridian docs <files or globs...> [--check] [--json]`. */
export const registerDocs: RegisterCommand = (cli) => {
  cli
    .command(
      'docs [...files]',
      'Regenerate the Mermaid diagrams between <!-- meridian:diagram --> markers in Markdown files',
    )
    .option('--check', 'Write nothing; exit 1 when a diagram is stale (for CI)')
    .option('--json', 'Print the result as JSON')
    .example('meridian docs docs/*.md')
    .example('meridian docs --check "docs/**/*.md"')
    .action(async (files: string[], options: { check?: boolean; json?: boolean }) => {
      if (files.length === 0)
        throw new CliInputError('no-files', 'name the Markdown files to update', 'meridian docs docs/*.md');
      process.exitCode = reportDocs(await updateDocs(files, options), options);
    });
};
