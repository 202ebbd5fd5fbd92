import { existsSync } from 'node:fs';
import { CliInputError } from '../command.ts';

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

/** Like findChromium, but a missing browser is an input error that says how to install one. */
export function requireChromium(env: NodeJS.ProcessEnv = process.env): string {
  const path = findChromium(env);
  if (path === undefined || !existsSync(path)) {
    throw new CliInputError(
      'no-chromium',
      path === undefined ? 'no Chromium found to render SVG' : `MERIDIAN_CHROMIUM=${path} does not exist`,
      "install Debian's chromium (apt-get install -y chromium) or point MERIDIAN_CHROMIUM at a Chrome/Chromium binary",
    );
  }
  return path;
}
