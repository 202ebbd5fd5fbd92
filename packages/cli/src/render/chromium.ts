import { existsSync } from 'node:fs';

// Debian/Ubuntu package paths first (the CI machine installs Debian's `chromium`), then common Chrome paths.
const candidates = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/**
 * Flags for a headless Chromium on a server or in a container: no sandbox (containers run as root), no GPU,
 * and none of the background traffic (component updates, sync, first-run pages) a build machine without
 * network must not wait for.
 */
export const chromiumArgs: readonly string[] = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The Chromium binary to render with: MERIDIAN_CHROMIUM, else the first installed of the usual paths, else undefined. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.MERIDIAN_CHROMIUM;
  if (fromEnv) return fromEnv;
  return candidates.find((path) => existsSync(path));
}

/** What is missing for SVG rendering, and the command that installs it. */
export interface MissingRenderPart {
  readonly code: 'no-chromium' | 'missing-mermaid-cli';
  readonly what: string;
  readonly install: string;
}

/** Why `path` (from findChromium or the caller) cannot be the browser to render with; undefined when it can. */
export function chromiumProblem(
  path: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): MissingRenderPart | undefined {
  if (path !== undefined && existsSync(path)) return undefined;
  return {
    code: 'no-chromium',
    what:
      path === undefined
        ? `no Chromium found (looked at MERIDIAN_CHROMIUM, ${candidates.join(', ')})`
        : `${env.MERIDIAN_CHROMIUM === path ? 'MERIDIAN_CHROMIUM=' : 'Chromium at '}${path} does not exist`,
    install:
      "install Debian's chromium (apt-get install -y chromium) or point MERIDIAN_CHROMIUM at a Chrome/Chromium binary",
  };
}
