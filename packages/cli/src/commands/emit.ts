import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type EmittedFile,
  type Emitter,
  type EmitterFlag,
  emitters,
  findEmitter,
  runEmitter,
} from '@meridian/emitters';
import { check, loadTopology, OverlayFindingSchema } from '@meridian/topology';
import type { CAC } from 'cac';
import { CliInputError, ExitCode, isInputError, type RegisterCommand } from '../command.ts';
import { compareOutput, type OutputDrift, writeOutput } from '../emit/output.ts';
import { topologyLoadOptions } from '../options/load-options.ts';
import { type MermaidRenderer, openMermaidRenderer } from '../render/svg.ts';

/** Options of {@link runEmit}: where to write, and the target's own options as plain data. */
export interface EmitCommandOptions {
  /** Folder the files go to (created if missing); nothing is ever written outside it. */
  readonly out: string;
  /** Compare `out` with what the model gives instead of writing (for CI): see {@link EmitResult.drift}. */
  readonly check?: boolean | undefined;
  /** The target's options, keyed as its schema names them (e.g. `{ views: ['whole'] }` for mermaid). */
  readonly options?: Readonly<Record<string, unknown>> | undefined;
  /** A `meridian check --format json` output (or a bare findings array) to overlay, for targets that show findings. */
  readonly findings?: string | undefined;
  /** Run `check` on the model and overlay its findings, for targets that show findings. */
  readonly withCheck?: boolean | undefined;
  /** Also render every Mermaid file to SVG beside it, in Chromium through the Mermaid CLI. */
  readonly svg?: boolean | undefined;
}

/** One file of an emit run. */
export interface EmitResultFile {
  /** Relative to `out`. */
  readonly path: string;
  readonly mediaType: string;
  /** Absolute path written (absent under `check`). */
  readonly written?: string | undefined;
  readonly svg?: string | undefined;
  /** Milliseconds the SVG took to render. */
  readonly svgMs?: number | undefined;
}

/** What {@link runEmit} did. */
export interface EmitResult {
  readonly target: string;
  readonly out: string;
  readonly files: readonly EmitResultFile[];
  /** With `check`: how `out` differs from the model's output; everything empty means current. */
  readonly drift?: OutputDrift | undefined;
}

function requireEmitter(target: string): Emitter {
  const emitter = findEmitter(target);
  if (emitter) return emitter;
  throw new CliInputError(
    'unknown-target',
    `unknown emit target '${target}'`,
    `use one of ${emitters.map((e) => e.id).join(', ')} (meridian emit --list)`,
  );
}

/** True when nothing in the drift is stale, missing or extra. */
export function isCurrent(drift: OutputDrift): boolean {
  return drift.stale.length === 0 && drift.missing.length === 0 && drift.extra.length === 0;
}

/**
 * Emits the topology in `file` with the emitter `target` into `options.out` (or, with `check`, compares `out` with
 * what the model gives). Every file is made, and every path checked, before the first one is written.
 */
export async function runEmit(target: string, file: string, options: EmitCommandOptions): Promise<EmitResult> {
  const emitter = requireEmitter(target);
  if (options.check && options.svg) {
    throw new CliInputError(
      'bad-options',
      '--svg and --check do not go together',
      'check the .mmd files, render apart',
    );
  }
  const overlay = options.findings !== undefined || options.withCheck === true;
  if (overlay && !emitter.showsFindings) {
    throw new CliInputError('bad-options', `${target} does not show findings`, 'drop --findings and --with-check');
  }
  const model = await loadTopology(file, topologyLoadOptions());
  const findings = overlay
    ? [
        ...(options.findings === undefined ? [] : await readFindings(options.findings)),
        ...(options.withCheck ? check(model, { explain: false }).findings : []),
      ]
    : undefined;
  const files = runEmitter(emitter, model, { ...options.options, ...(findings ? { findings } : {}) });
  const out = resolve(options.out);
  if (options.check) {
    const drift = await compareOutput(out, files);
    return { target, out, files: files.map((f) => ({ path: f.path, mediaType: f.mediaType })), drift };
  }
  const written = await writeOutput(out, files);
  const rendered = options.svg ? await renderSvgs(out, files) : new Map<string, RenderedSvg>();
  // Written only once every diagram has rendered (each file atomically, as the .mmd files): a browser that fails
  // half-way leaves no partial set of SVGs beside the diagrams.
  const svgPaths = await writeOutput(
    out,
    [...rendered.values()].map((r) => r.file),
  );
  const svgOf = new Map([...rendered.keys()].map((path, i) => [path, svgPaths[i] as string]));
  const results = files.map((f, i): EmitResultFile => {
    const svg = rendered.get(f.path);
    return {
      path: f.path,
      mediaType: f.mediaType,
      written: written[i] as string,
      ...(svg ? { svg: svgOf.get(f.path), svgMs: svg.ms } : {}),
    };
  });
  return { target, out, files: results };
}

/** One diagram rendered to SVG in memory, not yet written. */
interface RenderedSvg {
  readonly file: EmittedFile;
  readonly ms: number;
}

/** Renders every Mermaid file of `files` to SVG in one browser, keyed by the .mmd file's path. */
async function renderSvgs(out: string, files: readonly EmittedFile[]): Promise<Map<string, RenderedSvg>> {
  const diagrams = files.filter((f) => f.mediaType === 'text/vnd.mermaid');
  const rendered = new Map<string, RenderedSvg>();
  if (diagrams.length === 0) return rendered;
  let renderer: MermaidRenderer;
  try {
    renderer = await openMermaidRenderer();
  } catch (error) {
    if (!isInputError(error)) throw error;
    // The .mmd files are written by now and usable without a browser: say so beside what is missing.
    throw new CliInputError(
      error.code,
      `${error.message}; wrote the ${diagrams.length} .mmd files to ${out}, no SVG`,
      error.hint,
    );
  }
  try {
    for (const f of diagrams) {
      const started = performance.now();
      const contents = await renderer.svg(f.contents);
      const ms = Math.round(performance.now() - started);
      process.stderr.write(`rendered ${f.path} in ${ms} ms\n`);
      const path = `${f.path.replace(/\.mmd$/, '')}.svg`;
      rendered.set(f.path, { file: { path, mediaType: 'image/svg+xml', contents }, ms });
    }
  } finally {
    await renderer.close();
  }
  return rendered;
}

/** Reads a `meridian check --format json` report (or a bare findings array) through the report's schema. */
async function readFindings(path: string) {
  if (!existsSync(path))
    throw new CliInputError(
      'file-not-found',
      `${path} does not exist`,
      'meridian check topology.ts --format json > findings.json',
    );
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    throw new CliInputError(
      'invalid-findings',
      `${path} is not JSON`,
      'pass the output of meridian check --format json',
    );
  }
  const list = Array.isArray(data) ? data : (data as { findings?: unknown } | null)?.findings;
  if (!Array.isArray(list))
    throw new CliInputError(
      'invalid-findings',
      `${path} has no findings array`,
      'pass the output of meridian check --format json',
    );
  return list.map((item: unknown, i) => {
    const parsed = OverlayFindingSchema.safeParse(item);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new CliInputError(
      'invalid-findings',
      `${path}: findings[${i}]${issue?.path.length ? `.${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid'} (a finding needs rule, severity error|warning|info and components[])`,
      'pass the output of meridian check --format json',
    );
  });
}

/** cac's name for a flag's value: `single-file` is `singleFile`. */
function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The target's options from the parsed command line; a flag of another target is refused by name. */
function targetOptions(emitter: Emitter, given: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  const own = new Set(emitter.flags.map((f) => f.name));
  for (const other of emitters.flatMap((e) => e.flags)) {
    if (!own.has(other.name) && given[camel(other.name)] !== undefined) {
      const owners = emitters.filter((e) => e.flags.some((f) => f.name === other.name)).map((e) => e.id);
      throw new CliInputError(
        'bad-options',
        `--${other.name} is an option of ${owners.join(', ')}, not of ${emitter.id}`,
        `meridian emit ${emitter.id} --help`,
      );
    }
  }
  for (const flag of emitter.flags) {
    const value = given[camel(flag.name)];
    if (value === undefined) continue;
    options[flag.key] = flagValue(flag, value);
  }
  return options;
}

function flagValue(flag: EmitterFlag, value: unknown): unknown {
  if (flag.type === 'boolean') return value === true || value === 'true';
  const values = ([] as unknown[]).concat(value).map(String);
  if (flag.type === 'values') return values;
  if (values.length > 1) throw new CliInputError('bad-options', `--${flag.name} is given more than once`);
  return values[0];
}

function registerFlags(command: ReturnType<CAC['command']>): void {
  const seen = new Map<string, { flag: EmitterFlag; targets: string[] }>();
  for (const emitter of emitters) {
    for (const flag of emitter.flags) {
      const entry = seen.get(flag.name) ?? { flag, targets: [] };
      entry.targets.push(emitter.id);
      seen.set(flag.name, entry);
    }
  }
  for (const { flag, targets } of seen.values()) {
    const name = flag.type === 'boolean' ? `--${flag.name}` : `--${flag.name} <${flag.name}>`;
    command.option(name, `${targets.join(', ')}: ${flag.description}`);
  }
}

/** `meridian emit <target> <file> --out <dir> [--check]`, `meridian emit --list`. */
export const registerEmit: RegisterCommand = (cli) => {
  const command = cli
    .command(
      'emit [target] [file]',
      `Write artifacts generated from a topology (targets: ${emitters.map((e) => e.id).join(', ')})`,
    )
    .option('--out <dir>', 'Folder to write to (nothing is written outside it)')
    .option('--check', 'Write nothing; exit 1 naming each file in --out that is stale, missing or no longer generated')
    .option('--list', 'List the targets')
    .option('--findings <json>', 'Overlay findings from meridian check --format json (targets that show findings)')
    .option('--with-check', 'Run meridian check and overlay its errors and warnings (targets that show findings)')
    .option('--svg', 'mermaid: also render SVG with the Mermaid CLI on the machine Chromium')
    .option('--json', 'Print what was written (or the drift, with --check) as JSON');
  registerFlags(command);
  command
    .example('meridian emit --list')
    .example('meridian emit mermaid examples/tv-voting/topology.ts --out build/diagrams')
    .example('meridian emit mermaid topology.ts --out docs/diagrams --check')
    .example('meridian emit mermaid topology.ts --out out --view region:eu-west-1 --svg --with-check')
    .action(async (target: string | undefined, file: string | undefined, given: Record<string, unknown>) => {
      if (given.list) {
        if (given.json) {
          const list = emitters.map((e) => ({
            id: e.id,
            description: e.description,
            flags: e.flags.map((f) => f.name),
          }));
          process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        } else {
          const width = Math.max(...emitters.map((e) => e.id.length));
          for (const e of emitters) process.stdout.write(`${e.id.padEnd(width)}  ${e.description}\n`);
        }
        process.exitCode = ExitCode.ok;
        return;
      }
      if (target === undefined || file === undefined) {
        throw new CliInputError(
          'missing-argument',
          'emit needs a target and a topology file',
          `meridian emit ${target ?? emitters[0]?.id ?? 'mermaid'} topology.ts --out build (targets: meridian emit --list)`,
        );
      }
      const emitter = requireEmitter(target);
      if (typeof given.out !== 'string') {
        throw new CliInputError(
          'missing-out',
          'emit needs --out <dir>',
          `meridian emit ${target} ${file} --out build/${target}`,
        );
      }
      const result = await runEmit(target, file, {
        out: given.out,
        check: given.check === true,
        options: targetOptions(emitter, given),
        findings: typeof given.findings === 'string' ? given.findings : undefined,
        withCheck: given.withCheck === true,
        svg: given.svg === true,
      });
      if (result.drift) {
        const current = isCurrent(result.drift);
        if (given.json) process.stdout.write(`${JSON.stringify({ ...result, current }, null, 2)}\n`);
        else {
          for (const path of result.drift.stale) process.stdout.write(`stale    ${join(given.out, path)}\n`);
          for (const path of result.drift.missing) process.stdout.write(`missing  ${join(given.out, path)}\n`);
          for (const path of result.drift.extra)
            process.stdout.write(`extra    ${join(given.out, path)} (no longer generated)\n`);
          process.stdout.write(
            current
              ? `${result.files.length} ${target} files in ${given.out} are current\n`
              : `${given.out} is not what the model gives: run meridian emit ${target} ${file} --out ${given.out}\n`,
          );
        }
        process.exitCode = current ? ExitCode.ok : ExitCode.findings;
        return;
      }
      if (given.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else for (const f of result.files) process.stdout.write(`${f.written}${f.svg ? `\n${f.svg}` : ''}\n`);
      process.exitCode = ExitCode.ok;
    });
};
