import { constants, existsSync } from 'node:fs';
import { access, glob, lstat, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  type DiagramBlock,
  EmitError,
  findDiagramBlocks,
  regenerateDiagramBlocks,
  toMermaid,
} from '@meridian/emitters';
import { check, isMeridianError, loadTopology, type Topology } from '@meridian/topology';
import { CliInputError, ExitCode, type RegisterCommand } from '../command.ts';
import { topologyLoadOptions } from '../options/load-options.ts';

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
 * resolved against the Markdown file's folder first, then against the repository root (so
 * `src=examples/x/topology.ts` works from docs/). The root is `root`, else the nearest folder above the Markdown
 * file holding a .git or package.json, else `cwd`; a src outside it (absolute, `../`, or through a symlink) is
 * refused and never loaded, since loading a .ts src runs it. With `check`, nothing is written. Nothing is written
 * either when any block has a problem (bad marker, unknown src or view): those are reported with file:line. Files
 * are written all or none: each is written beside itself first, then all are renamed into place.
 */
export async function updateDocs(
  patterns: readonly string[],
  options: { check?: boolean; cwd?: string; root?: string } = {},
): Promise<DocsResult> {
  const cwd = options.cwd ?? process.cwd();
  const files = await expand(patterns, cwd);
  const fixedRoot = options.root === undefined ? undefined : await realpath(resolve(cwd, options.root));
  const models = new Map<string, Promise<Topology>>();
  const problems: DocsProblem[] = [];
  const planned: { file: string; text: string; blocks: DiagramBlock[]; diagrams: Map<number, string> }[] = [];

  for (const file of files) {
    const shown = display(file, cwd);
    await requireRegularFile(file, shown);
    const text = await readFile(file, 'utf8');
    const root = fixedRoot ?? (await repositoryRoot(file, cwd));
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
      const found = await confine(src, file, root);
      if (found.kind === 'outside') {
        problems.push({
          ...at,
          code: 'src-outside-root',
          message: `src '${src}' is outside the repository root ${root}${found.why ? ` (${found.why})` : ''}; it is not loaded`,
          hint: 'give a path inside the repository, relative to the Markdown file or the root, or pass --root',
        });
        continue;
      }
      if (found.kind === 'missing') {
        problems.push({
          ...at,
          code: 'unknown-src',
          message: `src '${src}' does not exist`,
          hint: `give the topology file's path relative to ${display(dirname(file), cwd)} or to ${root}`,
        });
        continue;
      }
      const path = found.path;
      let model: Topology;
      try {
        let loading = models.get(path);
        if (!loading) {
          loading = loadTopology(path, topologyLoadOptions());
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
  const writes: { file: string; markdown: string }[] = [];
  let stale = 0;
  for (const { file, text, diagrams } of planned) {
    const regenerated = regenerateDiagramBlocks(text, (block) => diagrams.get(block.line) ?? '');
    const staleHere = regenerated.blocks.filter((b) => b.isStale).length;
    stale += staleHere;
    const written = !options.check && staleHere > 0;
    if (written) writes.push({ file, markdown: regenerated.markdown });
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
  await writeAllOrNone(writes, cwd);
  return { files: results, problems, stale };
}

/** The nearest folder at or above the Markdown file's folder that holds a .git or package.json, else `cwd`. */
async function repositoryRoot(file: string, cwd: string): Promise<string> {
  let folder = dirname(file);
  for (;;) {
    if (existsSync(join(folder, '.git')) || existsSync(join(folder, 'package.json'))) return realpath(folder);
    const parent = dirname(folder);
    if (parent === folder) return realpath(cwd);
    folder = parent;
  }
}

function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

type Confined = { kind: 'file'; path: string } | { kind: 'missing' } | { kind: 'outside'; why?: string };

// Both the path as written and the file it finally names (symlinks resolved) must lie inside the root.
async function confine(src: string, markdown: string, root: string): Promise<Confined> {
  if (isAbsolute(src)) return { kind: 'outside', why: 'an absolute path' };
  const candidates = [resolve(dirname(markdown), src), resolve(root, src)];
  let outside: Confined | undefined;
  for (const candidate of candidates) {
    if (!isInside(candidate, root)) {
      outside ??= { kind: 'outside' };
      continue;
    }
    if (!existsSync(candidate)) continue;
    const real = await realpath(candidate);
    if (!isInside(real, root)) {
      outside ??= { kind: 'outside', why: `a symlink to ${real}` };
      continue;
    }
    return { kind: 'file', path: real };
  }
  return outside ?? { kind: 'missing' };
}

// A directory, FIFO or device given as Markdown is refused before reading (a FIFO would block the read for good).
async function requireRegularFile(file: string, shown: string): Promise<void> {
  const info = await stat(file);
  if (!info.isFile())
    throw new CliInputError(
      'not-a-file',
      `${shown} is not a regular file (${info.isDirectory() ? 'a directory' : 'a special file'})`,
      'name Markdown files or globs, e.g. docs/*.md',
    );
}

// Every file is written to a sibling temporary file first; only when all of them are written are they renamed
// into place, so a failure (a read-only file, a full disk) leaves every Markdown file as it was.
async function writeAllOrNone(writes: readonly { file: string; markdown: string }[], cwd: string): Promise<void> {
  const staged: { file: string; temporary: string }[] = [];
  try {
    for (const write of writes) {
      const shown = display(write.file, cwd);
      // A symlinked Markdown file is updated where it lives; the rename must not replace the link itself.
      const file = await realpath(write.file);
      const info = await lstat(file);
      if (!info.isFile()) throw new CliInputError('not-a-file', `${shown} is not a regular file`);
      try {
        await access(file, constants.W_OK);
      } catch {
        throw new CliInputError('not-writable', `${shown} is read-only; no file was written`, 'make it writable');
      }
      const temporary = join(dirname(file), `.${process.pid}-${staged.length}.meridian-docs-tmp`);
      staged.push({ file, temporary });
      try {
        await writeFile(temporary, write.markdown, { flag: 'wx', mode: info.mode & 0o777 });
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'unknown';
        throw new CliInputError('write-failed', `cannot write beside ${shown} (${code}); no file was written`);
      }
    }
  } catch (error) {
    await Promise.all(staged.map((s) => rm(s.temporary, { force: true })));
    throw error;
  }
  for (const { file, temporary } of staged) await rename(temporary, file);
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
function reportDocs(result: DocsResult, options: { check?: boolean; json?: boolean }): number {
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
    .option(
      '--root <folder>',
      'Repository root src must stay inside (default: nearest folder with .git or package.json)',
    )
    .example('meridian docs docs/*.md')
    .example('meridian docs --check "docs/**/*.md"')
    .action(async (files: string[], options: { check?: boolean; json?: boolean; root?: string }) => {
      if (files.length === 0)
        throw new CliInputError('no-files', 'name the Markdown files to update', 'meridian docs docs/*.md');
      process.exitCode = reportDocs(await updateDocs(files, options), options);
    });
};
