import type { KubernetesObject } from '@kubernetes/client-node';
import { Document } from 'yaml';
import type { Manifest } from './manifest.ts';

/**
 * @kubernetes/client-node's models name two fields of the kinds emitted here differently from the wire format
 * (a reserved word): `_from` (NetworkPolicyIngressRule.from) and `_default` (LimitRangeItem.default).
 */
const wireNames: Readonly<Record<string, string>> = { _from: 'from', _default: 'default' };

function toWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (inner === undefined) continue;
      out[wireNames[key] ?? key] = toWire(inner);
    }
    return out;
  }
  return value;
}

/** An object as the API reads it (JSON-shaped, wire field names): what the YAML holds and validators check. */
export function wireObject(object: KubernetesObject): Record<string, unknown> {
  return toWire(object) as Record<string, unknown>;
}

/** One YAML document per object, each preceded by a comment naming the model component it comes from. */
export function renderManifests(manifests: readonly Manifest[]): string {
  return manifests
    .map((manifest) => {
      const doc = new Document(wireObject(manifest.object));
      // On the object itself (not the document), so it stays attached when the file is parsed back.
      if (doc.contents)
        doc.contents.commentBefore = ` ${manifest.object.kind} ${manifest.object.metadata?.name ?? ''} from model component ${manifest.component}`;
      return doc.toString({ lineWidth: 0 });
    })
    .join('---\n');
}
