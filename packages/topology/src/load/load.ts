import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { MeridianError } from '../errors.ts';
import { parseTopology } from '../model/parse.ts';
import type { Topology } from '../model/schema.ts';
import { importTopologyModule } from './typescript.ts';
import { type LocatedDocument, parseLocated } from './yaml.ts';

/** File extensions `loadTopology` understands. */
export const topologyExtensions = ['.ts', '.mts', '.yaml', '.yml', '.json'] as const;

/**
 * Loads a topology from a .ts (executed with tsx; its default export), .yaml/.yml or .json file and validates it
 * with the topology schema. Throws a MeridianError: `invalid-topology` (with every issue, each at its file:line)
 * when the model is wrong, other codes (`file-not-found`, `invalid-syntax`, `execution-failed`, ...) when the file
 * cannot be read or run.
 *
 * @example const model = await loadTopology('examples/tv-voting/topology.ts');
 */
export async function loadTopology(path: string): Promise<Topology> {
  const file = resolve(path);
  const extension = extname(file).toLowerCase();
  if (!(topologyExtensions as readonly string[]).includes(extension)) {
    throw new MeridianError('unsupported-file', `cannot load ${path}: unknown extension '${extension}'`, {
      found: extension || '(none)',
      expected: topologyExtensions.join(', '),
      hint: 'write the topology as topology.ts (the DSL), .yaml or .json',
    });
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new MeridianError('file-not-found', `cannot read ${path}${code ? ` (${code})` : ''}`, {
      hint: 'check the path; it is resolved from the current directory',
      cause: error,
    });
  }
  if (extension === '.ts' || extension === '.mts') {
    return parseTopology(await importTopologyModule(file), { file });
  }
  const document = parseLocated(text, file);
  return parseTopology(withSourceLocations(document), { file, locate: document.locate });
}

/**
 * Gives each region, component and flow of a YAML/JSON document the position of its `id` (else of the element), as
 * the DSL records where each was declared: findings then point at the line, in SARIF too. A `source` the document
 * states itself (a model written out by meridian) is kept.
 */
function withSourceLocations(document: LocatedDocument): unknown {
  const { data, locate } = document;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const located: Record<string, unknown> = { ...data };
  for (const list of ['regions', 'components', 'flows'] as const) {
    const elements = located[list];
    if (!Array.isArray(elements)) continue;
    located[list] = elements.map((element: unknown, i) => {
      if (element === null || typeof element !== 'object' || Array.isArray(element) || 'source' in element)
        return element;
      const source = locate([list, i, 'id']) ?? locate([list, i]);
      return source === undefined ? element : { ...element, source };
    });
  }
  return located;
}
