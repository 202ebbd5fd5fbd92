import { readFile, writeFile } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import type { ReviewDiagram } from '@meridian/emitters/report';
import { check, loadTopology, toReview, version } from '@meridian/topology';
import { ExitCode, type RegisterCommand } from '../command.ts';
import { topologyLoadOptions } from '../options/load-options.ts';
import { openMermaidRenderer } from '../render/svg.ts';

/** Options of {@link runReport}, as the command line gives them. */
export interface ReportCommandOptions {
  /** The page to write (default `review.html`). */
  readonly out?: string | undefined;
  readonly cwd?: string | undefined;
  /** The Chromium binary to render the diagrams with (default: findChromium). */
  readonly chromium?: string | undefined;
  /** Progress lines (stderr by default). */
  readonly progress?: ((line: string) => void) | undefined;
}

/** What {@link runReport} wrote. */
export interface ReportWritten {
  readonly path: string;
  readonly bytes: number;
  readonly views: number;
}

/**
 * `meridian report <file>`: checks the model, renders every view's diagram to SVG in Chromium (the `emit --svg`
 * renderer) and writes the design review as one self-contained HTML page (topology's toReview, emitters'
 * toReviewHtml; docs/decisions "review report").
 */
export async function runReport(file: string, options: ReportCommandOptions = {}): Promise<ReportWritten> {
  const cwd = options.cwd ?? process.cwd();
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const model = await loadTopology(resolve(cwd, file), topologyLoadOptions());
  const result = check(model, { explain: true });
  const display = (path: string) => (relative(cwd, path) || path).split(sep).join('/');
  const sources = new Map<string, string>();
  const files = new Set(
    [...model.components.map((c) => c.source?.file), ...result.findings.map((f) => f.location?.file)].filter(
      (f): f is string => f !== undefined,
    ),
  );
  for (const path of files) {
    // A location in a file that is gone (a generated model) still shows file:line, without its text.
    sources.set(path, await readFile(path, 'utf8').catch(() => ''));
  }
  // Loaded here, not at start-up: the page's charts bring Observable Plot and jsdom, which no other command needs.
  const { reviewDiagramSources, toReviewHtml } = await import('@meridian/emitters/report');
  const review = toReview(model, result, { file: resolve(cwd, file), version, sources, displayPath: display });
  const views = reviewDiagramSources(model, result.findings);
  progress(`report: rendering ${views.length} views in Chromium (about 3 s a view)`);
  const renderer = await openMermaidRenderer(options.chromium === undefined ? {} : { chromium: options.chromium });
  const diagrams: ReviewDiagram[] = [];
  try {
    for (const view of views)
      diagrams.push({ view: view.view, title: view.title, svg: await renderer.svg(view.mermaid) });
  } finally {
    await renderer.close();
  }
  const html = toReviewHtml(review, diagrams);
  const path = resolve(cwd, options.out ?? 'review.html');
  await writeFile(path, html);
  return { path, bytes: Buffer.byteLength(html), views: diagrams.length };
}

/** `meridian report <file> [--out review.html]`. */
export const registerReport: RegisterCommand = (cli) => {
  cli
    .command('report <file>', 'Write the design review as one self-contained HTML page (diagrams, findings, charts)')
    .option('--out <file>', 'The page to write (default review.html)')
    .option('--json', 'Print {path, bytes, views} as JSON')
    .example('meridian report examples/tv-voting/topology.ts --out review.html')
    .action(async (file: string, options: { out?: string; json?: boolean }) => {
      const written = await runReport(file, { out: options.out });
      // The page is the result: its path on stdout, so `open $(meridian report ...)` works. A report is written
      // whatever the findings are (it shows them): exit 0; `meridian check` is the gate.
      process.stdout.write(options.json ? `${JSON.stringify(written)}\n` : `${written.path}\n`);
      process.exitCode = ExitCode.ok;
    });
};
