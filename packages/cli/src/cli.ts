#!/usr/bin/env node
import { defaultLoadTimeoutMs, formatIssue, isMeridianError } from '@meridian/topology';
import { cac } from 'cac';
import { ExitCode, isInputError, type RegisterCommand } from './command.ts';
import { registerCheck } from './commands/check.ts';
import { registerDelta } from './commands/delta.ts';
import { registerDemoData } from './commands/demo-data.ts';
import { registerDocs } from './commands/docs.ts';
import { registerEmit } from './commands/emit.ts';
import { registerInit } from './commands/init.ts';
import { registerLake } from './commands/lake.ts';
import { registerQuery } from './commands/query.ts';
import { registerReport } from './commands/report.ts';
import { registerSchema } from './commands/schema.ts';
import { registerServeQuery } from './commands/serve-query.ts';
import { registerValidate } from './commands/validate.ts';
import { setLoadTimeout } from './options/load-options.ts';
import { cliHint, cliIssues } from './render/cli-hint.ts';

// One line per command; each command is a thin layer over a package function.
const commands: RegisterCommand[] = [
  registerValidate,
  registerSchema,
  registerDocs,
  registerEmit,
  registerDelta,
  registerCheck,
  registerReport,
  registerQuery,
  registerServeQuery,
  registerDemoData,
  registerLake,
  registerInit,
];

async function main(argv: string[]): Promise<void> {
  const cli = cac('meridian');
  for (const register of commands) register(cli);
  cli.option('--timeout <seconds>', `Time limit for running a .ts topology (default ${defaultLoadTimeoutMs / 1000})`);
  cli.help();
  // cac prints the help itself while parsing and then forgets the command it matched, so the sub-command of
  // `meridian delta info --help` was left over as an unknown command (issue 17, item 9). The help is printed here
  // instead, once the command is known.
  cli.showHelpOnExit = false;
  cli.version('0.1.0');
  cli.parse(argv, { run: false });
  setLoadTimeout(cli.options.timeout);
  if (!cli.matchedCommand && cli.args.length > 0) {
    process.stderr.write(`meridian: unknown command '${cli.args[0]}'; run 'meridian --help' for the list\n`);
    process.exitCode = ExitCode.badInput;
    return;
  }
  if (cli.options.help || (!cli.matchedCommand && !cli.options.version)) {
    cli.outputHelp();
    return;
  }
  await cli.runMatchedCommand();
}

// A command ends only through `finished` below. If the process exits first (code it ran, e.g. a topology.ts, called
// process.exit(0), or left a promise that never settles so the event loop drained), the command's work was not
// done: exiting 0 then would pass a CI gate on a check that never ran (issue 16, item 6).
let isFinished = false;
process.on('exit', (code) => {
  if (isFinished) return;
  const command = process.argv.slice(2).join(' ');
  process.stderr.write(
    `meridian: '${command}' stopped before it finished (exit code ${code}): code it ran called process.exit or ` +
      'left a promise that never settles\n',
  );
  process.exitCode = ExitCode.badInput;
});

// A reader that closes the pipe early (`meridian schema | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') {
    isFinished = true;
    process.exit(process.exitCode ?? 0);
  }
  throw error;
});

const finished = main(process.argv).catch((error: unknown) => {
  if (isMeridianError(error)) {
    // Every issue with its file:line:col, expected/found and hint, like a compiler.
    // Like formatError, with the hints in the flags' words (render/cli-hint.ts).
    process.stderr.write(
      `${cliIssues(error.issues)
        .map((issue) => formatIssue(issue))
        .join('\n')}\n`,
    );
    process.exitCode = ExitCode.badInput;
    return;
  }
  if (isInputError(error)) {
    // The hint in the flags' words: the packages write their API's option names (render/cli-hint.ts).
    const hint = error.hint ? `\n  hint: ${cliHint(error.hint)}` : '';
    // The file or object the error is about (DeltaError.path), unless the message names it already.
    const path = typeof error.path === 'string' && !error.message.includes(error.path) && /[/.]/.test(error.path);
    process.stderr.write(`error ${error.code}: ${error.message}${path ? `\n  path: ${error.path}` : ''}${hint}\n`);
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
finished.then(
  () => {
    isFinished = true;
  },
  (error: unknown) => {
    isFinished = true;
    throw error;
  },
);
