import { fileURLToPath } from 'node:url';
import { loadTopology, type Topology } from '../../src/index.ts';

/** The shop fixture (test/fixtures/load/shop.yaml), loaded and validated. */
export function loadTopologyFixture(): Promise<Topology> {
  return loadTopology(fileURLToPath(new URL('../fixtures/load/shop.yaml', import.meta.url)));
}
