import { MeridianError, type MeridianIssue } from '../errors.ts';

// Running from src/ (workspace tests): `@meridian/topology` resolves to the sources through their export condition.
const runningFromSource = import.meta.url.endsWith('.ts');

/**
 * Runs the TypeScript compiler (strict, no emit) on a topology.ts and returns its errors in that file as issues
 * (`type-error`, with line and column). tsx strips types when it runs the file, so without this a wrong option type
 * loads silently. Errors in other files (libraries) are not reported.
 *
 * @example const issues = await typecheckTopology('examples/tv-voting/topology.ts');
 */
export async function typecheckTopology(file: string): Promise<MeridianIssue[]> {
  const ts = await typescriptCompiler();
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    types: ['node'],
    ...(runningFromSource ? { customConditions: ['@meridian/source'] } : {}),
  });
  const source = program.getSourceFile(file);
  if (!source) return [];
  const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
  return diagnostics.map((diagnostic): MeridianIssue => {
    const position =
      diagnostic.file && diagnostic.start !== undefined
        ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
        : undefined;
    return {
      code: 'type-error',
      message: ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '),
      path: [],
      found: `TS${diagnostic.code}`,
      hint: 'fix the type at this position; the file runs, but not as written',
      ...(position ? { location: { file, line: position.line + 1, column: position.character + 1 } } : {}),
    };
  });
}

/**
 * The TypeScript compiler, which ts-morph carries. It is large, so it is an optional peer dependency loaded only when
 * a type check is asked for; without it the check is refused, saying what to install.
 */
async function typescriptCompiler(): Promise<typeof import('ts-morph').ts> {
  try {
    return (await import('ts-morph')).ts;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new MeridianError('invalid-option', 'type checking a topology needs ts-morph, which is not installed', {
      hint: 'npm install --save-dev ts-morph (an optional peer dependency of @meridian/topology), or check without typecheckTopology',
      cause: error,
    });
  }
}
