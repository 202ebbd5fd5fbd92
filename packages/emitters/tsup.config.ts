import { defineConfig } from 'tsup';

export default defineConfig({
  // The cdk entry is a subpath of its own (`@meridian/emitters/cdk`): only it needs aws-cdk-lib. The report entry
  // (`@meridian/emitters/report`) too: only it loads Observable Plot and jsdom.
  entry: { index: 'src/index.ts', 'cdk/index': 'src/cdk/index.ts', 'report/index': 'src/report/index.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node22',
});
