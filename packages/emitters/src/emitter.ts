import type { Finding, Topology } from '@meridian/topology';
import type { z } from 'zod';
import { EmitError } from './errors.ts';

/** One file an emitter produces: a path relative to the output folder, its text and its media type. */
export interface EmittedFile {
  /** Relative, '/'-separated, never absolute and never with a `..` segment, e.g. `eu-west-1/eks/kustomization.yaml`. */
  readonly path: string;
  readonly contents: string;
  /** e.g. `text/vnd.mermaid`, `application/yaml`, `application/json`, `text/typescript`. */
  readonly mediaType: string;
}

/** A command-line flag an emitter accepts, mapped onto one key of its options. */
export interface EmitterFlag {
  /** Flag name without dashes, kebab-case: `view` is `--view`, `single-file` is `--single-file`. */
  readonly name: string;
  /** The options key it fills (`views` for `--view`). */
  readonly key: string;
  readonly description: string;
  /** A string value, given once (`value`), repeatable (`values`), or a switch (`boolean`). */
  readonly type: 'value' | 'values' | 'boolean';
}

/**
 * The contract every target implements, like the `Rule` contract of check: a pure, deterministic function from
 * the model (and options given as plain data) to files. Writing, comparing with committed files and rendering
 * are the caller's (the CLI's `meridian emit`), so every emitter gets `--out`, `--check` and `--list` alike.
 */
export interface Emitter<Options extends object = object> {
  /** The target's id on the command line: `meridian emit <id>`. */
  readonly id: string;
  readonly description: string;
  /** Validates options given as plain data (CLI flags, JSON): unknown keys are refused. */
  readonly options: z.ZodType<Options>;
  /** The flags `meridian emit <id>` accepts, each filling one options key. */
  readonly flags: readonly EmitterFlag[];
  /** True when the target can show checker findings (`--findings`, `--with-check`) as options key `findings`. */
  readonly showsFindings: boolean;
  /** The files for `model`: the same model and options give the same files, byte for byte, in the same order. */
  emit(model: Topology, options: Options): EmittedFile[];
}

/** A checker finding as an emitter overlays it (the fields of `meridian check --format json` it reads). */
export type EmitterFinding = Pick<Finding, 'rule' | 'severity' | 'components'>;

/**
 * Validates `options` against the emitter's schema, runs it and checks what it returns: every path relative and
 * confined, no two files at one path. Throws EmitError for bad options (naming the option and the fix).
 */
export function runEmitter(emitter: Emitter, model: Topology, options: unknown): EmittedFile[] {
  const parsed = emitter.options.safeParse(options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.map(String).join('.') ?? '';
    const flag = emitter.flags.find((f) => f.key === issue?.path[0]);
    throw new EmitError(
      'invalid-emitter-options',
      `${emitter.id}: ${flag ? `--${flag.name}` : key || 'options'}: ${issue?.message ?? 'invalid options'}`,
      {
        path: ['options', ...(issue?.path ?? []).map((p) => (typeof p === 'symbol' ? String(p) : p))],
        hint: emitter.flags.length
          ? `${emitter.id} takes ${emitter.flags.map((f) => `--${f.name}`).join(', ')}`
          : `${emitter.id} takes no options`,
      },
    );
  }
  const files = emitter.emit(model, parsed.data);
  const seen = new Set<string>();
  for (const file of files) {
    const problem = unsafePath(file.path);
    if (problem) throw new Error(`emitter ${emitter.id} produced ${JSON.stringify(file.path)}: ${problem}`);
    if (seen.has(file.path)) throw new Error(`emitter ${emitter.id} produced ${file.path} twice`);
    seen.add(file.path);
  }
  return files;
}

/** Why a relative output path is unsafe, or undefined when it stays inside the output folder. */
export function unsafePath(path: string): string | undefined {
  if (path.length === 0) return 'empty path';
  if (path.includes('\0')) return 'NUL in path';
  if (path.includes('\\')) return "'\\' in path (use '/')";
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'absolute path';
  const segments = path.split('/');
  if (segments.some((s) => s === '..' || s === '.' || s === '')) return "'..', '.' or empty segment";
  return undefined;
}
