#!/usr/bin/env node
import { formatError, isMeridianError } from '@meridian/topology';
import { cac } from 'cac';
import { ExitCode, isInputError, type RegisterCommand } from './command.ts';
import { registerCheck } from './commands/check.ts';
import { registerDelta } from './commands/delta.ts';
import { registerDemoData } from './commands/demo-data.ts';
import { registerDocs } from './commands/docs.ts';
import { registerEmit } from './commands/emit.ts';
import { registerInit } from './commands/init.ts';
import { registerQuery } from './commands/query.ts';
import { registerSchema } from './commands/schema.ts';
import { registerValidate } from './commands/validate.ts';

// One line per command; each command is a thin layer over a package function.
const commands: RegisterCommand[] = [
  registerValidate,
  registerSchema,
  registerDocs,
  registerEmit,
  registerDelta,
  registerCheck,
  registerQuery,
  registerDemoData,
  registerInit,
];

async function main(argv: string[]): Promise<void> {
  const cli = cac('meridian');
  for (const register of commands) register(cli);
  cli.help();
  cli.version('0.1.0');
  cli.parse(argv, { run: false });
  if (!cli.matchedCommand && cli.args.length > 0) {
    process.stderr.write(`meridian: unknown command '${cli.args[0]}'; run 'meridian --help' for the list\n`);
    process.exitCode = ExitCode.badInput;
    return;
  }
  if (!cli.matchedCommand && !cli.options.help && !cli.options.version) {
    cli.outputHelp();
    return;
  }
  await cli.runMatchedCommand();
}

// A reader that closes the pipe early (`meridian schema | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

main(process.argv).catch((error: unknown) => {
  if (isMeridianError(error)) {
    // Every issue with its file:line:col, expected/found and hint, like a compiler.
    process.stderr.write(`${formatError(error)}\n`);
    process.exitCode = ExitCode.badInput;
    return;
  }
  if (isInputError(error)) {
    const hint = error.hint ? `\n  hint: ${error.hint}` : '';
    process.stderr.write(`error ${error.code}: ${error.message}${hint}\n`);
    process.exitCode = ExitCode.badInput;
    return;
  }
  if (error instanceof Error && error.name === 'CACError') {
    process.stderr.write(`meridian: ${error.message}; run 'meridian --help'\n`);
    process.exitCode = ExitCode.badInput;
    return;
  }
  throw error;
});
