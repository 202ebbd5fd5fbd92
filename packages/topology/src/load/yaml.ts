import { type Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
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
  // The parser reports its own stack overflow as an error at the position it reached; it is depth, not syntax.
  if (first && /call stack/i.test(first.message)) throw tooDeep(file);
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
  checkExpansion(doc, file, at);
  let data: unknown;
  try {
    // Aliases are bounded by checkExpansion (by the size they expand to), not by the library's count of them.
    data = doc.toJS({ maxAliasCount: -1 });
  } catch (error) {
    if (error instanceof RangeError) throw tooDeep(file);
    throw error;
  }
  return { data, locate };
}

/** Nesting deeper than this is refused: a topology nests a dozen levels; the parsers recurse per level. */
const maxYamlDepth = 512;
/** Values a document may expand to through its aliases (a topology of 1,000 components holds about 50,000). */
const maxYamlExpandedValues = 500_000;

function tooDeep(file: string): MeridianError {
  return new MeridianError('too-deep', `cannot read ${file}: it nests more than ${maxYamlDepth} levels deep`, {
    found: `more than ${maxYamlDepth} levels`,
    hint: 'a topology nests a dozen levels at most; the file is damaged or not a topology',
  });
}

/**
 * Counts the values the document expands to, aliases included, without expanding it: each node's count is computed
 * once (an anchored node reached again through an alias adds its count again), iteratively, so neither a deep
 * document nor a long chain of aliases can overflow the stack. Refuses a "billion laughs" document by the size it
 * would take, however few aliases it uses, and an alias of its own ancestor (a cycle).
 */
function checkExpansion(doc: Document, file: string, at: (offset: number) => SourceLocation): void {
  const root = doc.contents as Node | null;
  if (!root) return;
  const counts = new Map<Node, number>();
  const open = new Set<Node>();
  const stack: { node: Node; depth: number; isOpened: boolean }[] = [{ node: root, depth: 1, isOpened: false }];
  const childrenOf = (node: Node): Node[] => {
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) {
        throw new MeridianError(
          'invalid-syntax',
          `cannot parse ${file}: alias *${node.source} names no anchor set before it`,
          {
            ...(node.range ? { location: at(node.range[0]) } : {}),
            hint: `set the anchor (&${node.source}) on a value above this alias, or remove the *`,
          },
        );
      }
      return [target as Node];
    }
    if (isMap(node) || isSeq(node)) {
      const out: Node[] = [];
      for (const item of node.items as unknown[]) {
        if (isPair(item)) {
          if (item.key && typeof item.key === 'object') out.push(item.key as Node);
          if (item.value && typeof item.value === 'object') out.push(item.value as Node);
        } else if (item && typeof item === 'object') out.push(item as Node);
      }
      return out;
    }
    return [];
  };
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as (typeof stack)[number];
    if (counts.has(top.node)) {
      stack.pop();
      continue;
    }
    const children = childrenOf(top.node);
    if (!top.isOpened) {
      if (top.depth > maxYamlDepth) throw tooDeep(file);
      top.isOpened = true;
      open.add(top.node);
      for (const child of children) {
        if (open.has(child)) {
          throw new MeridianError(
            'yaml-alias-cycle',
            `cannot read ${file}: an alias refers to a value that contains it`,
            {
              hint: 'replace the alias by a copy of the value; a topology cannot contain itself',
            },
          );
        }
        if (!counts.has(child)) stack.push({ node: child, depth: top.depth + 1, isOpened: false });
      }
      continue;
    }
    let count = 1;
    for (const child of children) count += counts.get(child) ?? 0;
    if (count > maxYamlExpandedValues) {
      throw new MeridianError(
        'yaml-too-large',
        `cannot read ${file}: its aliases expand it to more than ${maxYamlExpandedValues} values`,
        {
          found: `more than ${maxYamlExpandedValues} values`,
          hint: 'an anchor may be reused, but not nested into an exponential expansion (a "billion laughs" document)',
        },
      );
    }
    counts.set(top.node, count);
    open.delete(top.node);
    stack.pop();
  }
}
