import { readdirSync } from 'node:fs';
import { loadTopology, type Topology } from '@meridian/topology';
import { parseAllDocuments } from 'yaml';
import { runEmitter } from '../../../src/emitter.ts';
import { kubernetesEmitter } from '../../../src/kubernetes/emitter.ts';

const examplesDir = new URL('../../../../../examples/', import.meta.url);

/** Every example folder with a topology.ts. */
export const examples = readdirSync(examplesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && readdirSync(new URL(`${d.name}/`, examplesDir)).includes('topology.ts'))
  .map((d) => d.name)
  .sort();

/** The example's model. */
export function loadExample(name: string): Promise<Topology> {
  return loadTopology(new URL(`${name}/topology.ts`, examplesDir).pathname);
}

/** One object of the output, parsed back from the YAML the emitter wrote, with its file and leading comment. */
export interface WrittenObject {
  readonly file: string;
  readonly comment: string;
  readonly object: Record<string, unknown> & {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string> };
    spec?: Record<string, unknown>;
  };
}

/** What `meridian emit k8s --skip-refused` writes for a model, parsed back: every object of every cluster. */
export function emitAndParse(model: Topology): {
  files: ReturnType<typeof runEmitter>;
  clusters: Map<string, WrittenObject[]>;
} {
  const files = runEmitter(kubernetesEmitter, model, { skipRefused: true });
  const clusters = new Map<string, WrittenObject[]>();
  for (const file of files) {
    const [region, name] = file.path.split('/') as [string, string];
    const key = `${region}/${name}`;
    const objects = clusters.get(key) ?? [];
    // The comment line right above each object (the parser attaches the first document's to a different node).
    const comments = file.contents.split(/^---$/m).map((chunk) => /^# (.*)$/m.exec(chunk)?.[1] ?? '');
    parseAllDocuments(file.contents).forEach((doc, i) => {
      if (!('errors' in doc) || doc.errors.length) throw new Error(`${file.path}: YAML does not parse`);
      const object = doc.toJS() as WrittenObject['object'];
      objects.push({ file: file.path, comment: comments[i] ?? '', object });
    });
    clusters.set(key, objects);
  }
  return { files, clusters };
}
