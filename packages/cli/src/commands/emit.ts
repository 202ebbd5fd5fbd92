import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type MermaidFinding, mermaidViews, toMermaid } from '@meridian/emitters';
import { check, loadTopology, type Topology } from '@meridian/topology';
import { CliInputError, ExitCode, type RegisterCommand } from '../command.ts';
import { topologyLoadOptions } from '../options/load-options.ts';
import { openMermaidRenderer } from '../render/svg.ts';

/** Options of `meridian emit mermaid`. */
export interface EmitMermaidOptions {
  /** Directory the files go to (created if missing). */
  readonly out: string;
  /** Views to write; default every view of the model (see mermaidViews). */
  readonly views?: readonly string[] | undefined;
  /** Also render each diagram to SVG in Chromium through the Mermaid CLI. */
  readonly svg?: boolean | undefined;
  /** A `meridian check --format json` output (or a bare findings array) to overlay. */
  readonly findings?: string | undefined;
  /** Run `check` on the model and overlay its findings. */
  readonly check?: boolean | undefined;
  readonly direction?: 'TB' | 'BT' | 'LR' | 'RL' | undefined;
}

/** One written diagram. */
export interface EmittedDiagram {
  readonly view: string;
  readonly mmd: string;
  readonly svg?: string | undefined;
  /** Milliseconds the SVG took to render. */
  readonly svgMs?: number | undefined;
}

/**
 * Writes `<name>.<view>.mmd` for each view of the topology in `file` (`region:eu-west-1` becomes
 * `region-eu-west-1`), and with `svg` the `.svg` beside it.
 */
export async function emitMermaid(file: string, options: EmitMermaidOptions): Promise<EmittedDiagram[]> {
  const model = await loadTopology(file, topologyLoadOptions());
  const findings = [
    ...(options.findings === undefined ? [] : await readFindings(options.findings)),
    ...(options.check ? check(model, { explain: false }).findings : []),
  ];
  const views = options.views?.length ? options.views : mermaidViews(model);
  // toMermaid checks each view against the model before anything is written.
  const diagrams = views.map((view) => ({
    view,
    text: toMermaid(model, { view, findings, direction: options.direction }),
  }));
  await mkdir(options.out, { recursive: true });
  const base = fileStem(model);
  const written: EmittedDiagram[] = [];
  const renderer = options.svg ? await openMermaidRenderer() : undefined;
  try {
    for (const { view, text } of diagrams) {
      const stem = join(options.out, `${base}.${view.replace(/[^A-Za-z0-9_.-]/g, '-')}`);
      await writeFile(`${stem}.mmd`, text);
      if (!renderer) {
        written.push({ view, mmd: `${stem}.mmd` });
        continue;
      }
      const started = performance.now();
      await writeFile(`${stem}.svg`, await renderer.svg(text));
      const svgMs = Math.round(performance.now() - started);
      process.stderr.write(`rendered ${stem}.svg in ${svgMs} ms\n`);
      written.push({ view, mmd: `${stem}.mmd`, svg: `${stem}.svg`, svgMs });
    }
  } finally {
    await renderer?.close();
  }
  return written;
}

function fileStem(model: Topology): string {
  return (
    model.name
      .toLowerCase()
      .replace(/[^a-z0-9_.-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'topology'
  );
}

const severities = new Set(['error', 'warning', 'info']);

async function readFindings(path: string): Promise<MermaidFinding[]> {
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
  return list.map((item: unknown, i): MermaidFinding => {
    const f = item as { rule?: unknown; severity?: unknown; components?: unknown };
    if (
      typeof f?.rule !== 'string' ||
      typeof f.severity !== 'string' ||
      !severities.has(f.severity) ||
      !Array.isArray(f.components) ||
      !f.components.every((c) => typeof c === 'string')
    ) {
      throw new CliInputError(
        'invalid-findings',
        `${path}: findings[${i}] needs rule, severity (error|warning|info) and components[]`,
        'pass the output of meridian check --format json',
      );
    }
    return { rule: f.rule, severity: f.severity as MermaidFinding['severity'], components: f.components as string[] };
  });
}

const formats = ['mermaid'] as const;

/** `meridian emit <format> <file> --out <dir>`. */
export const registerEmit: RegisterCommand = (cli) => {
  cli
    .command('emit <format> <file>', `Write artifacts generated from a topology (formats: ${formats.join(', ')})`)
    .option('--out <dir>', 'Directory to write to')
    .option(
      '--view <view>',
      'mermaid: whole, data, region:<id> or tier:<tier>; repeat for several (default: every view)',
    )
    .option('--svg', 'mermaid: also render SVG with the Mermaid CLI on the machine Chromium')
    .option('--findings <json>', 'mermaid: overlay findings from meridian check --format json')
    .option('--check', 'mermaid: run meridian check and overlay its errors and warnings')
    .option('--direction <dir>', 'mermaid: flowchart direction TB, BT, LR or RL')
    .option('--json', 'Print what was written as JSON')
    .example('meridian emit mermaid examples/tv-voting/topology.ts --out build/diagrams')
    .example('meridian emit mermaid topology.ts --out out --view region:eu-west-1 --svg --check')
    .action(
      async (
        format: string,
        file: string,
        options: {
          out?: string;
          view?: string | string[];
          svg?: boolean;
          findings?: string;
          check?: boolean;
          direction?: string;
          json?: boolean;
        },
      ) => {
        if (format !== 'mermaid')
          throw new CliInputError('unknown-format', `unknown format '${format}'`, `use one of ${formats.join(', ')}`);
        if (!options.out)
          throw new CliInputError(
            'missing-out',
            'emit needs --out <dir>',
            `meridian emit ${format} ${file} --out build/${format}`,
          );
        const direction = options.direction;
        if (direction !== undefined && !['TB', 'BT', 'LR', 'RL'].includes(direction)) {
          throw new CliInputError(
            'bad-direction',
            `direction '${direction}' is not a flowchart direction`,
            'use TB, BT, LR or RL',
          );
        }
        const views = options.view === undefined ? undefined : ([] as string[]).concat(options.view).map(String);
        const written = await emitMermaid(file, {
          out: options.out,
          views,
          svg: options.svg,
          findings: options.findings,
          check: options.check,
          direction: direction as EmitMermaidOptions['direction'],
        });
        if (options.json) process.stdout.write(`${JSON.stringify({ written }, null, 2)}\n`);
        else for (const d of written) process.stdout.write(`${d.mmd}${d.svg ? `\n${d.svg}` : ''}\n`);
        process.exitCode = ExitCode.ok;
      },
    );
};
