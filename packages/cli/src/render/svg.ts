import { CliInputError } from '../command.ts';
import { chromiumArgs, chromiumProblem, findChromium, type MissingRenderPart } from './chromium.ts';

/** Renders Mermaid diagrams in one headless Chromium, reused across diagrams; close it when done. */
export interface MermaidRenderer {
  /** The SVG document of `diagram`. */
  svg(diagram: string): Promise<string>;
  /** A PNG of `diagram` (for looking at a diagram, or for docs that cannot show SVG), `width` CSS pixels wide at most. */
  png(diagram: string, options?: { width?: number }): Promise<Uint8Array>;
  close(): Promise<void>;
}

type MermaidCli = typeof import('@mermaid-js/mermaid-cli');
type Puppeteer = typeof import('puppeteer');
type Browser = import('puppeteer').Browser;

/**
 * Starts Chromium (MERIDIAN_CHROMIUM or a usual path, see findChromium) with the Mermaid CLI's renderer. The Mermaid
 * CLI and puppeteer are optional peer dependencies: SVG is the only feature that needs a browser, so they load only
 * here. Everything missing is named at once, with how to install it, so one attempt tells the whole set-up.
 */
export async function openMermaidRenderer(options: { chromium?: string } = {}): Promise<MermaidRenderer> {
  const executablePath = options.chromium ?? findChromium();
  const missing: MissingRenderPart[] = [];
  const noChromium = chromiumProblem(executablePath);
  if (noChromium) missing.push(noChromium);
  const [mermaidCli, puppeteer] = await Promise.all([
    importOptional<MermaidCli>('@mermaid-js/mermaid-cli', missing),
    importOptional<{ default: Puppeteer['default'] }>('puppeteer', missing),
  ]);
  const [first] = missing;
  if (first || !mermaidCli || !puppeteer || executablePath === undefined) {
    const installs = [...new Set(missing.map((m) => m.install))];
    throw new CliInputError(
      first?.code ?? 'missing-mermaid-cli',
      `cannot render SVG: ${missing.map((m) => m.what).join('; ')}`,
      installs.join('; and '),
    );
  }
  const browser = await launchChromium(puppeteer.default, executablePath);
  const render = async (diagram: string, format: 'svg' | 'png', width?: number) => {
    const { data } = await mermaidCli.renderMermaid(browser, diagram, format, {
      ...(width === undefined ? {} : { viewport: { width, height: 800, deviceScaleFactor: 1 } }),
      backgroundColor: 'white',
      mermaidConfig: { theme: 'default', flowchart: { htmlLabels: true, curve: 'basis' } },
    });
    return data;
  };
  return {
    svg: async (diagram) => new TextDecoder().decode(await render(diagram, 'svg')),
    png: (diagram, options = {}) => render(diagram, 'png', options.width),
    close: () => browser.close(),
  };
}

/**
 * Starts the browser headless with {@link chromiumArgs}; one that exists but does not start (not a browser, missing
 * libraries) is bad set-up, not a bug. The review page's browser tests open their pages with it too.
 */
export async function launchChromium(puppeteer: Puppeteer['default'], executablePath: string): Promise<Browser> {
  try {
    return await puppeteer.launch({ executablePath, headless: true, args: [...chromiumArgs] });
  } catch (error) {
    const said = String((error as Error).message)
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && line !== 'stderr:' && !line.startsWith('TROUBLESHOOTING'))
      .slice(0, 3)
      .join(' ');
    throw new CliInputError(
      'chromium-failed',
      `cannot render SVG: the browser at ${executablePath} did not start (${said})`,
      `check that it runs (${executablePath} --headless --version), or point MERIDIAN_CHROMIUM at a Chrome/Chromium binary`,
    );
  }
}

async function importOptional<T>(name: string, missing: MissingRenderPart[]): Promise<T | undefined> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    missing.push({
      code: 'missing-mermaid-cli',
      what: `${name} is not installed (it renders Mermaid to SVG)`,
      // The Mermaid CLI brings puppeteer; the skip keeps puppeteer from downloading a browser of its own.
      install: 'PUPPETEER_SKIP_DOWNLOAD=1 npm install -D @mermaid-js/mermaid-cli',
    });
    return undefined;
  }
}
