// Public API of @meridian/cli: every export is named here.
export { CliInputError, ExitCode, isInputError } from './command.ts';
export type { InputError, RegisterCommand } from './command.ts';
