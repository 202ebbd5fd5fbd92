import { type Action, fileKey } from './actions.ts';

/**
 * Whether the actions of a log compaction file are reconciled, as PROTOCOL.md "Log Compaction
 * Files" says they are: at most one protocol and one metaData, each logical file added at most
 * once, and never both added and removed. A file that breaks this was written wrongly; since
 * compaction files are only an optimisation, the reader then replays the commits instead.
 */
export function isReconciled(actions: readonly Action[], canonical: (path: string) => string): boolean {
  const added = new Set<string>();
  const removed = new Set<string>();
  let protocols = 0;
  let metadata = 0;
  for (const a of actions) {
    if (a.type === 'protocol') protocols++;
    else if (a.type === 'metaData') metadata++;
    else if (a.type === 'add') {
      const path = canonical(a.add.path);
      if (added.has(path)) return false;
      added.add(path);
      if (removed.has(fileKey(path, a.add.deletionVector))) return false;
    } else if (a.type === 'remove') {
      const k = fileKey(canonical(a.remove.path), a.remove.deletionVector);
      if (removed.has(k)) return false;
      removed.add(k);
    }
  }
  if (protocols > 1 || metadata > 1) return false;
  for (const a of actions) {
    if (a.type === 'add' && removed.has(fileKey(canonical(a.add.path), a.add.deletionVector))) return false;
  }
  return true;
}
