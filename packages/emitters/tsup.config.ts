import { defineConfig } from 'tsup';

export default defineConfig({
  // The cdk entry is a subpath of its own (`@meridian/emitters/cdk`): only it needs aws-cdk-lib.
  entry: { index: 'src/index.ts', 'cdk/index': 'src/cdk/index.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node22',
});
