import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { MeridianError, type ModelPath } from '../errors.ts';
import type { SourceLocation } from '../model/schema.ts';

/** A YAML or JSON document as plain data, and a way back from a model path to its line and column. */
export interface LocatedDocument {
  readonly data: unknown;
  readonly locate: (path: ModelPath) => SourceLocation | undefined;
}

/**
 * Parses YAML (and JSON, which is YAML 1.2) keeping positions, so a schema issue at `regions[1].code`
 * points at the line of that value. Syntax errors throw a MeridianError `invalid-syntax` at their position.
 */
export function parseLocated(text: string, file: string): LocatedDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const first = doc.errors[0];
  if (first) {
    throw new MeridianError(
      'invalid-syntax',
      `cannot parse ${file}: ${(first.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
      {
        location: at(first.pos[0]),
        hint: 'fix the syntax at this position (indentation, quotes, a missing colon or comma)',
      },
    );
  }
  const locate = (path: ModelPath): SourceLocation | undefined => {
    let node: unknown = doc.contents;
    let best: Node | undefined = doc.contents ?? undefined;
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === part);
        if (!pair) break;
        best = (pair.value as Node | null) ?? (pair.key as Node);
        node = pair.value;
      } else if (isSeq(node) && typeof part === 'number') {
        const item = node.items[part] as Node | undefined;
        if (!item) break;
        best = item;
        node = item;
      } else break;
    }
    return best?.range ? at(best.range[0]) : undefined;
  };
  return { data: doc.toJS(), locate };
}
