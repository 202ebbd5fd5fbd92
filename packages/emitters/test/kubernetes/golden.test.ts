import { describe, expect, it } from 'vitest';
import { emitAndParse, examples, loadExample } from './support/examples.ts';
import { schemaErrors } from './support/validate.ts';

// What `meridian emit k8s --skip-refused` writes for every example, kept in test/kubernetes/golden/ (`vitest run
// -u` rewrites them). Every object of every file is validated against the Kubernetes 1.36 schemas with unknown
// fields rejected, so a golden file cannot hold an object the API server's schema validation would refuse.
describe.each(examples)('k8s golden files: %s', (example) => {
  it('are what the emitter writes, and every object validates strictly', async () => {
    const model = await loadExample(example);
    const { files, clusters } = emitAndParse(model);
    for (const file of files) await expect(file.contents).toMatchFileSnapshot(`./golden/${example}/${file.path}`);
    const ids = new Set(model.components.map((c) => c.id));
    for (const [cluster, objects] of clusters) {
      const kustomization = objects.find((o) => o.object.kind === 'Kustomization');
      expect(kustomization, cluster).toBeDefined();
      const listed = ((kustomization?.object.resources ?? []) as string[]).map((r) => `${cluster}/${r}`).sort();
      expect(listed).toEqual(
        [...new Set(objects.filter((o) => o.object.kind !== 'Kustomization').map((o) => o.file))].sort(),
      );
      for (const { file, comment, object } of objects) {
        if (object.kind === 'Kustomization') continue;
        expect(schemaErrors(object), `${file}: ${object.kind} ${object.metadata.name}`).toEqual([]);
        // Every object names the model component it comes from, and that component exists.
        const named = / from model component (\S+)$/.exec(comment)?.[1];
        expect(named && ids.has(named), `${file}: ${object.kind} ${object.metadata.name}: ${comment}`).toBe(true);
      }
    }
  });
});
