import { readFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { MeridianError } from '../errors.ts';
import { parseTopology } from '../model/parse.ts';
import type { Topology } from '../model/schema.ts';
import { defaultLoadTimeoutMs, importTopologyModule } from './typescript.ts';
import { type LocatedDocument, parseLocated } from './yaml.ts';

/** File extensions `loadTopology` understands. */
export const topologyExtensions = ['.ts', '.mts', '.yaml', '.yml', '.json'] as const;

/** Options of `loadTopology`. */
export interface LoadOptions {
  /** How long a .ts file may run, in milliseconds (default 30 000); YAML and JSON are not run. */
  readonly timeoutMs?: number | undefined;
}

/**
 * Loads a topology from a .ts (executed with tsx in a worker thread with a time limit; its default export),
 * .yaml/.yml or .json file and validates it with the topology schema. Throws a MeridianError: `invalid-topology`
 * (with every issue, each at its file:line) when the model is wrong, other codes (`file-not-found`, `not-a-file`,
 * `invalid-syntax`, `execution-failed`, `load-timeout`, ...) when the file cannot be read or run.
 *
 * @example const model = await loadTopology('examples/tv-voting/topology.ts', { timeoutMs: 60_000 });
 */
export async function loadTopology(path: string, options: LoadOptions = {}): Promise<Topology> {
  const file = resolve(path);
  const extension = extname(file).toLowerCase();
  if (!(topologyExtensions as readonly string[]).includes(extension)) {
    throw new MeridianError('unsupported-file', `cannot load ${path}: unknown extension '${extension}'`, {
      found: extension || '(none)',
      expected: topologyExtensions.join(', '),
      hint: 'write the topology as topology.ts (the DSL), .yaml or .json',
    });
  }
  const timeoutMs = options.timeoutMs ?? defaultLoadTimeoutMs;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new MeridianError('invalid-option', `timeoutMs must be a positive number of milliseconds`, {
      found: String(timeoutMs),
      hint: `leave it out for the default (${defaultLoadTimeoutMs} ms)`,
    });
  }
  let text: string;
  try {
    // A FIFO or a device would block the read (or never end it); a directory cannot be a topology.
    const info = await stat(file);
    if (!info.isFile()) {
      throw new MeridianError('not-a-file', `cannot load ${path}: it is not a regular file`, {
        found: info.isDirectory() ? 'a directory' : info.isFIFO() ? 'a FIFO' : 'a special file',
        hint: 'name the topology file itself (.ts, .yaml or .json)',
      });
    }
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof MeridianError) throw error;
    const code = (error as { code?: string }).code;
    throw new MeridianError('file-not-found', `cannot read ${path}${code ? ` (${code})` : ''}`, {
      hint: 'check the path; it is resolved from the current directory',
      cause: error,
    });
  }
  if (extension === '.ts' || extension === '.mts') {
    return parseTopology(await importTopologyModule(file, timeoutMs), { file });
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
