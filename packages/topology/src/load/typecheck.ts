import type { MeridianIssue } from '../errors.ts';

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
  // The compiler is large: loaded only when a type check is asked for (ts-morph carries it).
  const { ts } = await import('ts-morph');
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
