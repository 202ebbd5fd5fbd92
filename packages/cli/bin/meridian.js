#!/usr/bin/env node
// The `meridian` command's entry. Plain JavaScript that any Node with ES modules parses, kept apart from dist/ on
// purpose: the CLI needs Node 22 (fs/promises glob, require(esm)), and on an older Node its imports fail with a
// stack trace before any of its code runs. So the version is checked here first, and dist/ is imported only after.
const version = process.versions.node;
if (!(Number(version.split('.')[0]) >= 22)) {
  process.stderr.write(
    `meridian: needs Node 22 or later, this is Node ${version} (${process.execPath}); install Node 22+ from https://nodejs.org and run it again\n`,
  );
  process.exit(2);
}
const cli = new URL('../dist/cli.js', import.meta.url);
import(cli.href).catch((error) => {
  // In the repo before a build (the workspace links this file before dist/ exists): say how to build, not a stack.
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(cli.pathname)) {
    process.stderr.write(`meridian: ${cli.pathname} is not built yet; run \`npx turbo run build\` in the repo\n`);
    process.exit(2);
  }
  throw error;
});
