import { defaultLoadTimeoutMs, type LoadOptions } from '@meridian/topology';
import { CliInputError } from '../command.ts';

/*
 * The global `--timeout <seconds>` option: how long a topology.ts may run when a command loads it (issue 16, item 5).
 * It is read once by cli.ts, before the command runs, and every command's loadTopology call takes it from here.
 */
let timeoutMs: number = defaultLoadTimeoutMs;

/** Sets the time limit from the raw `--timeout` value (seconds); undefined keeps the default. */
export function setLoadTimeout(raw: unknown): void {
  if (raw === undefined) return;
  const seconds = typeof raw === 'number' ? raw : Number(raw);
  if (typeof raw === 'boolean' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new CliInputError(
      'bad-timeout',
      `--timeout must be a positive number of seconds, not '${String(raw)}'`,
      `e.g. --timeout 60 (the default is ${defaultLoadTimeoutMs / 1000})`,
    );
  }
  timeoutMs = seconds * 1000;
}

/** The options every command passes to loadTopology. */
export function topologyLoadOptions(): LoadOptions {
  return { timeoutMs };
}
