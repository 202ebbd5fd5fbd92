// Public API of @meridian/cli: every export is named here.
export { CliInputError, ExitCode, isInputError } from './command.ts';
export type { InputError, RegisterCommand } from './command.ts';
export { type CheckCommandOptions, type JsonFinding, runCheck } from './commands/check.ts';
export {
  type DocsBlockResult,
  type DocsFileResult,
  type DocsProblem,
  type DocsResult,
  updateDocs,
} from './commands/docs.ts';
export { type EmitMermaidOptions, type EmittedDiagram, emitMermaid } from './commands/emit.ts';
export { type InitResult, initProject } from './init/project.ts';
export { type MermaidRenderer, openMermaidRenderer } from './render/svg.ts';
