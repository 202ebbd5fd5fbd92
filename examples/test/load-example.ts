import { loadTopology, type Topology } from '@meridian/topology';

/**
 * Loads an example's topology with more time than the command's 30 s default: these tests are about the models, and
 * on a loaded two-core CI machine compiling a TypeScript topology in its worker has taken longer than 30 s. The limit
 * itself is tested in packages/topology.
 */
export function loadExample(file: string): Promise<Topology> {
  return loadTopology(file, { timeoutMs: 110_000 });
}
