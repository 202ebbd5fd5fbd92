/**
 * Mermaid node and subgraph ids made from model ids.
 *
 * A model id (`eu-west-1/eks/vote`) becomes `<prefix>_eu_west_1_eks_vote`: readable in the .mmd file, made
 * only of [A-Za-z0-9_] so no Mermaid keyword (`end`, `graph`, `class`) or operator can appear as an id, and
 * the same for the same model id whatever else the model holds. Two model ids that read the same once
 * sanitised (`a-b`, `a_b`) both get a hash of their own id appended, so neither depends on the other's order.
 */
export function mermaidIds(prefix: string, modelIds: Iterable<string>): Map<string, string> {
  const byBase = new Map<string, string[]>();
  for (const id of new Set(modelIds)) {
    const base = `${prefix}_${id.replace(/[^A-Za-z0-9]/g, '_')}`;
    const group = byBase.get(base);
    if (group) group.push(id);
    else byBase.set(base, [id]);
  }
  const ids = new Map<string, string>();
  for (const [base, group] of byBase) {
    for (const id of group) ids.set(id, group.length === 1 ? base : `${base}_${fnv1a(id)}`);
  }
  return ids;
}

// FNV-1a 32-bit (http://www.isthe.com/chongo/tech/comp/fnv/): a stable, dependency-free string hash.
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (const ch of text) {
    hash ^= ch.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}
