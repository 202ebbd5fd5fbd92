import { duckdbRunner } from './duckdb-runner.ts';
import type { RegionRunner } from './region-runner.ts';

let shared: RegionRunner | undefined;

/** The runner executeQuery uses when given none: one DuckDB runner per process (one in-memory instance). */
export function defaultRunner(): RegionRunner {
  shared ??= duckdbRunner();
  return shared;
}
