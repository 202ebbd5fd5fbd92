import { createRequire } from 'node:module';
import { compileFunction } from 'node:vm';
import type { Topology } from '@meridian/topology';
import type { App, Stack } from 'aws-cdk-lib';
import type * as TsMorph from 'ts-morph';
import { EmitError } from '../errors.ts';
import { toCdkApp } from './emitter.ts';

const require = createRequire(import.meta.url);

// A package the generated code imports, from where this package is installed. The kubectl layer of an EKS cluster's
// version is the one the user may not have: its absence is said with the package to install.
function peer(specifier: string): unknown {
  try {
    return require(specifier);
  } catch (error) {
    if (
      !specifier.startsWith('@aws-cdk/lambda-layer-kubectl-') ||
      (error as { code?: string }).code !== 'MODULE_NOT_FOUND'
    )
      throw error;
    throw new EmitError('cdk-missing-package', `the model's EKS clusters need ${specifier}, which is not installed`, {
      path: ['components'],
      hint: `npm install ${specifier} (the kubectl layer that applies the Kubernetes objects through the cluster)`,
    });
  }
}

/**
 * Adds the stacks of `model` to a CDK app in this process, for teams that synthesize straight from the model instead
 * of keeping the generated code: the very code `meridian emit cdk` writes (lib/app.ts and a stack per region),
 * compiled in memory and run against the aws-cdk-lib, constructs and cdk-nag this process has installed (optional
 * peer dependencies of @meridian/emitters) and, for EKS clusters with Kubernetes objects, the kubectl layer package of
 * their version (`@aws-cdk/lambda-layer-kubectl-v<minor>`, refused with EmitError 'cdk-missing-package' if absent). Returns the stacks by region, as the generated `addStacks` does; cdk-nag's
 * AwsSolutions checks run at `app.synth()`.
 *
 * @example
 * const app = new App();
 * addModelStacks(app, await loadTopology('topology.ts'));
 * app.synth();
 */
export function addModelStacks(app: App, model: Topology): Record<string, Stack> {
  const sources = new Map(
    toCdkApp(model)
      .filter((f) => f.path.startsWith('lib/'))
      .map((f) => [f.path, f.contents]),
  );
  const { ts } = require('ts-morph') as typeof TsMorph;
  const loaded = new Map<string, Record<string, unknown>>();
  const load = (path: string): Record<string, unknown> => {
    const cached = loaded.get(path);
    if (cached) return cached;
    const source = sources.get(path);
    if (source === undefined) throw new Error(`the generated app has no ${path}`);
    const { outputText } = ts.transpileModule(source, {
      fileName: path,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    const module = { exports: {} as Record<string, unknown> };
    loaded.set(path, module.exports);
    // The generated modules import each other as './<name>.js' (NodeNext) and aws-cdk-lib, constructs and cdk-nag
    // by name, resolved from this package's place, where the user's copies are (peer dependencies).
    const local = (specifier: string): unknown =>
      specifier.startsWith('./') ? load(`lib/${specifier.slice(2).replace(/\.js$/, '.ts')}`) : peer(specifier);
    compileFunction(outputText, ['exports', 'require', 'module'], { filename: `meridian-cdk:${model.name}/${path}` })(
      module.exports,
      local,
      module,
    );
    loaded.set(path, module.exports);
    return module.exports;
  };
  const { addStacks } = load('lib/app.ts') as { addStacks: (app: App) => Record<string, Stack> };
  return addStacks(app);
}
