import { CliInputError } from '../command.ts';
import { chromiumArgs, requireChromium } from './chromium.ts';

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

/**
 * Starts Chromium (see requireChromium) with the Mermaid CLI's renderer. The Mermaid CLI and puppeteer are
 * optional peer dependencies: SVG is the only feature that needs a browser, so they load only here.
 */
export async function openMermaidRenderer(options: { chromium?: string } = {}): Promise<MermaidRenderer> {
  const executablePath = options.chromium ?? requireChromium();
  const [mermaidCli, puppeteer] = await Promise.all([
    importOptional<MermaidCli>('@mermaid-js/mermaid-cli'),
    importOptional<{ default: Puppeteer['default'] }>('puppeteer'),
  ]);
  const browser = await puppeteer.default.launch({ executablePath, headless: true, args: [...chromiumArgs] });
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

async function importOptional<T>(name: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') {
      throw new CliInputError(
        'missing-mermaid-cli',
        `${name} is not installed; it renders Mermaid to SVG`,
        `PUPPETEER_SKIP_DOWNLOAD=1 npm install -D @mermaid-js/mermaid-cli`,
      );
    }
    throw error;
  }
}
