import { lstat, mkdir, readdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { type EmittedFile, unsafePath } from '@meridian/emitters';
import { CliInputError } from '../command.ts';

/** How the files in an output folder differ from what the model gives today. */
export interface OutputDrift {
  /** Emitted paths whose file differs from what the model gives. */
  readonly stale: readonly string[];
  /** Emitted paths with no file yet. */
  readonly missing: readonly string[];
  /** Files of the emitted kinds (same extensions) that the model no longer gives. */
  readonly extra: readonly string[];
}

/**
 * The absolute path of `file` inside `out`, refusing a path that leaves it, also through a symlink that already
 * exists inside `out` (an emitter's paths are checked too, but the folder is the user's).
 */
async function confined(out: string, path: string): Promise<string> {
  const problem = unsafePath(path);
  if (problem) throw new CliInputError('unsafe-output-path', `refusing to write ${JSON.stringify(path)}: ${problem}`);
  const root = resolve(out);
  const target = resolve(root, ...path.split('/'));
  const rel = relative(root, target);
  if (rel.startsWith('..') || rel === '' || resolve(root, rel) !== target) {
    throw new CliInputError('unsafe-output-path', `refusing to write ${path}: it is outside ${out}`);
  }
  // Walk the existing part of the path: every component must be a real directory (or the final file), no symlink.
  let at = root;
  const parts = rel.split(sep);
  for (const [i, part] of parts.entries()) {
    at = join(at, part);
    const stat = await lstat(at).catch(() => undefined);
    if (!stat) break;
    if (stat.isSymbolicLink()) {
      throw new CliInputError(
        'unsafe-output-path',
        `refusing to write ${path}: ${relative(root, at)} in ${out} is a symbolic link`,
        'remove the link, or choose another --out folder',
      );
    }
    if (i < parts.length - 1 && !stat.isDirectory()) {
      throw new CliInputError('unsafe-output-path', `cannot write ${path}: ${relative(root, at)} is not a folder`);
    }
  }
  return target;
}

/**
 * Writes every file under `out` (created if missing): all paths are checked first, then each file goes to a
 * temporary name beside it and is renamed into place, so a reader never sees half a file.
 */
export async function writeOutput(out: string, files: readonly EmittedFile[]): Promise<string[]> {
  const root = resolve(out);
  const outStat = await lstat(root).catch(() => undefined);
  if (outStat?.isSymbolicLink()) {
    // A symlinked --out is the user's choice; resolve it once and confine to where it points.
    return writeOutput(await realpath(root), files);
  }
  if (outStat && !outStat.isDirectory()) {
    throw new CliInputError('bad-out', `--out ${out} is not a folder`, 'give a folder path to --out');
  }
  const targets = await Promise.all(files.map((file) => confined(root, file.path)));
  const written: string[] = [];
  for (const [i, file] of files.entries()) {
    const target = targets[i] as string;
    await mkdir(dirname(target), { recursive: true });
    const temp = `${target}.meridian-tmp-${process.pid}`;
    try {
      await writeFile(temp, file.contents);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    written.push(target);
  }
  return written;
}

/** Compares `out` with what the model gives: the files that are stale, missing, or no longer generated. */
export async function compareOutput(out: string, files: readonly EmittedFile[]): Promise<OutputDrift> {
  const root = resolve(out);
  const stale: string[] = [];
  const missing: string[] = [];
  for (const file of files) {
    const target = await confined(root, file.path);
    const current = await readFile(target, 'utf8').catch(() => undefined);
    if (current === undefined) missing.push(file.path);
    else if (current !== file.contents) stale.push(file.path);
  }
  const expected = new Set(files.map((f) => f.path));
  const extensions = new Set(files.map((f) => extname(f.path)).filter((e) => e !== ''));
  const extra = (await listFiles(root)).filter((path) => !expected.has(path) && extensions.has(extname(path)));
  return { stale, missing, extra };
}

async function listFiles(root: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(join(root, prefix), { withFileTypes: true }).catch(() => []);
  const paths: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) paths.push(...(await listFiles(root, path)));
    else if (entry.isFile()) paths.push(path);
  }
  return paths;
}
