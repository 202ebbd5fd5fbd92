// Public API of @meridian/cli: every export is named here.
export { CliInputError, ExitCode, isInputError } from './command.ts';
export type { InputError, RegisterCommand } from './command.ts';
export { type CheckCommandOptions, runCheck } from './commands/check.ts';
export {
  type DocsBlockResult,
  type DocsFileResult,
  type DocsProblem,
  type DocsResult,
  updateDocs,
} from './commands/docs.ts';
export {
  type EmitCommandOptions,
  type EmitResult,
  type EmitResultFile,
  isCurrent,
  runEmit,
} from './commands/emit.ts';
export type { OutputDrift } from './emit/output.ts';
export { type MermaidRenderer, openMermaidRenderer } from './render/svg.ts';
