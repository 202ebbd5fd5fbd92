import { DeltaError } from '../errors.ts';
import { type ComparisonOperator, type Literal, Predicate, type PredicateNode } from './predicate.ts';

/*
 * The text form of a predicate, as the CLI's `--where` takes it: a small SQL boolean expression.
 *   expr    := or
 *   or      := and ('or' and)*
 *   and     := unary ('and' unary)*
 *   unary   := 'not' unary | primary
 *   primary := '(' expr ')' | 'true' | 'false'
 *            | column ('=' | '==' | '!=' | '<>' | '<' | '<=' | '>' | '>=') literal
 *            | literal op column
 *            | column 'is' ['not'] 'null'
 *            | column ['not'] 'in' '(' literal (',' literal)* ')'
 *            | column ['not'] 'between' literal 'and' literal
 *   column  := name ('.' name)*      name := identifier | `quoted`
 *   literal := 'string' | number | true | false | null | date 'YYYY-MM-DD' | timestamp '...'
 * Keywords are case-insensitive. Positions in errors are 1-based character offsets.
 */

type Token =
  | { kind: 'ident'; text: string; quoted: boolean; pos: number }
  | { kind: 'string'; text: string; pos: number }
  | { kind: 'number'; text: string; pos: number }
  | { kind: 'punct'; text: string; pos: number }
  | { kind: 'end'; text: ''; pos: number };

const operators: Record<string, ComparisonOperator> = {
  '=': 'eq',
  '==': 'eq',
  '!=': 'neq',
  '<>': 'neq',
  '<': 'lt',
  '<=': 'lte',
  '>': 'gt',
  '>=': 'gte',
};

const flipped: Record<ComparisonOperator, ComparisonOperator> = {
  eq: 'eq',
  neq: 'neq',
  lt: 'gt',
  lte: 'gte',
  gt: 'lt',
  gte: 'lte',
};

/** Parentheses and `not`s nested deeper than this are refused: the parser and every pass over the tree recurse. */
const maxPredicateDepth = 200;
// Characters of the predicate quoted on each side of an error's position.
const QUOTE_AROUND = 60;

function fail(text: string, pos: number, message: string, hint?: string): never {
  const from = Math.max(0, pos - QUOTE_AROUND);
  const to = Math.min(text.length, pos + QUOTE_AROUND);
  const shown = `${from > 0 ? '...' : ''}${text.slice(from, to)}${to < text.length ? '...' : ''}`;
  const pointer = `${shown}\n${' '.repeat(pos - from + (from > 0 ? 3 : 0))}^`;
  throw new DeltaError('invalid-predicate', `${message} at position ${pos + 1} of the predicate\n${pointer}`, {
    path: 'where',
    hint:
      hint ??
      "write comparisons joined by and/or/not, e.g. region = 'eu-west-1' and ts >= '2024-01-01'; quote strings with single quotes",
  });
}

/**
 * Reads the quoted text opening at `start` (its quote character closes it, doubled it stands for itself):
 * the unquoted value and the index after the closing quote.
 */
function quoted(text: string, start: number, unterminated: () => never): [string, number] {
  const quote = text[start] as string;
  let value = '';
  let i = start + 1;
  for (;;) {
    if (i >= text.length) unterminated();
    if (text[i] === quote) {
      if (text[i + 1] === quote) {
        value += quote;
        i += 2;
        continue;
      }
      return [value, i + 1];
    }
    value += text[i];
    i++;
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === "'") {
      const [value, end] = quoted(text, start, () =>
        fail(
          text,
          start,
          'unterminated string',
          "close the string with a single quote; write '' for a quote inside it",
        ),
      );
      i = end;
      tokens.push({ kind: 'string', text: value, pos: start });
      continue;
    }
    if (ch === '`' || ch === '"') {
      const [value, end] = quoted(text, start, () => fail(text, start, 'unterminated quoted column name'));
      i = end;
      tokens.push({ kind: 'ident', text: value, quoted: true, pos: start });
      continue;
    }
    const number = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(text.slice(i));
    if (number && (ch !== '-' && ch !== '+' ? true : !isOperand(tokens.at(-1)))) {
      tokens.push({ kind: 'number', text: number[0], pos: start });
      i += number[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i));
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0], quoted: false, pos: start });
      i += ident[0].length;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two in operators) {
      tokens.push({ kind: 'punct', text: two, pos: start });
      i += 2;
      continue;
    }
    if ('=<>(),.'.includes(ch)) {
      tokens.push({ kind: 'punct', text: ch, pos: start });
      i++;
      continue;
    }
    fail(text, start, `unexpected character '${ch}'`);
  }
  tokens.push({ kind: 'end', text: '', pos: text.length });
  return tokens;
}

function isOperand(token: Token | undefined): boolean {
  return (
    token !== undefined &&
    (token.kind === 'ident' || token.kind === 'number' || token.kind === 'string' || token.text === ')')
  );
}

/**
 * Parses the text form of a predicate (the CLI's `--where`), e.g.
 * `region = 'eu-west-1' and ts >= '2024-01-01'`. Throws DeltaError 'invalid-predicate' naming the position.
 */
export function parsePredicate(text: string): Predicate {
  const tokens = tokenize(text);
  let index = 0;
  const peek = (): Token => tokens[index] as Token;
  const next = (): Token => tokens[index++] as Token;
  const isKeyword = (token: Token, word: string): boolean =>
    token.kind === 'ident' && !token.quoted && token.text.toLowerCase() === word;
  const describe = (token: Token): string =>
    token.kind === 'end' ? 'the end' : `'${token.kind === 'string' ? `'${token.text}'` : token.text}'`;
  const expectPunct = (p: string): void => {
    const token = next();
    if (token.kind !== 'punct' || token.text !== p)
      fail(text, token.pos, `expected '${p}' but found ${describe(token)}`);
  };

  const reserved = new Set(['and', 'or', 'not', 'is', 'in', 'between', 'null', 'true', 'false']);

  const parseLiteral = (): Literal => {
    const token = next();
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number') {
      if (/^[-+]?\d+$/.test(token.text)) {
        const value = BigInt(token.text);
        return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
          ? Number(value)
          : value;
      }
      return Number(token.text);
    }
    if (token.kind === 'ident' && !token.quoted) {
      const word = token.text.toLowerCase();
      if (word === 'null') return null;
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'date' || word === 'timestamp' || word === 'timestamp_ntz') {
        const value = next();
        if (value.kind !== 'string') fail(text, value.pos, `expected a quoted value after ${word}`);
        return value.text;
      }
    }
    return fail(
      text,
      token.pos,
      `expected a value (a 'string', a number, true, false or null) but found ${describe(token)}`,
    );
  };

  const startsColumn = (token: Token): boolean =>
    token.kind === 'ident' && (token.quoted || !reserved.has(token.text.toLowerCase())) && !isTypedLiteralStart(token);
  const isTypedLiteralStart = (token: Token): boolean =>
    token.kind === 'ident' &&
    !token.quoted &&
    ['date', 'timestamp', 'timestamp_ntz'].includes(token.text.toLowerCase()) &&
    tokens[tokens.indexOf(token) + 1]?.kind === 'string';

  const parseColumn = (): string[] => {
    const first = next();
    if (!startsColumn(first)) fail(text, first.pos, `expected a column name but found ${describe(first)}`);
    const path = [first.text];
    while (peek().kind === 'punct' && peek().text === '.') {
      next();
      const part = next();
      if (part.kind !== 'ident') fail(text, part.pos, `expected a field name after '.' but found ${describe(part)}`);
      path.push(part.text);
    }
    return path;
  };

  const parseOperator = (): ComparisonOperator => {
    const token = next();
    const op = token.kind === 'punct' ? operators[token.text] : undefined;
    if (!op)
      fail(
        text,
        token.pos,
        `expected a comparison (=, <>, <, <=, >, >=, is, in, between) but found ${describe(token)}`,
      );
    return op;
  };

  let depth = 0;
  const deeper = (token: Token): void => {
    if (++depth > maxPredicateDepth)
      fail(
        text,
        token.pos,
        `the predicate nests deeper than ${maxPredicateDepth} levels of parentheses and not`,
        'write the condition without that much nesting (not not x is x)',
      );
  };

  const parsePrimary = (): PredicateNode => {
    const token = peek();
    if (token.kind === 'punct' && token.text === '(') {
      deeper(next());
      const inner = parseOr();
      expectPunct(')');
      depth--;
      return inner;
    }
    if (isKeyword(token, 'true') || isKeyword(token, 'false')) {
      const after = tokens[index + 1] as Token;
      if (!(after.kind === 'punct' && after.text in operators)) {
        next();
        return { kind: 'constant', value: token.text.toLowerCase() === 'true' };
      }
    }
    if (!startsColumn(token)) {
      // literal op column, e.g. 10 < latency_ms
      if (token.kind === 'string' || token.kind === 'number' || token.kind === 'ident') {
        const value = parseLiteral();
        const op = parseOperator();
        return { kind: 'compare', op: flipped[op], column: parseColumn(), value };
      }
      fail(text, token.pos, `expected a column name or '(' but found ${describe(token)}`);
    }
    const column = parseColumn();
    const after = peek();
    if (isKeyword(after, 'is')) {
      next();
      const negated = isKeyword(peek(), 'not');
      if (negated) next();
      const nul = next();
      if (!isKeyword(nul, 'null')) fail(text, nul.pos, `expected null after 'is' but found ${describe(nul)}`);
      const node: PredicateNode = { kind: 'is-null', column };
      return negated ? { kind: 'not', child: node } : node;
    }
    let negated = false;
    if (isKeyword(after, 'not')) {
      next();
      negated = true;
    }
    if (isKeyword(peek(), 'in')) {
      next();
      expectPunct('(');
      const values: Literal[] = [parseLiteral()];
      while (peek().kind === 'punct' && peek().text === ',') {
        next();
        values.push(parseLiteral());
      }
      expectPunct(')');
      const node: PredicateNode = { kind: 'in', column, values };
      return negated ? { kind: 'not', child: node } : node;
    }
    if (isKeyword(peek(), 'between')) {
      next();
      const low = parseLiteral();
      const andToken = next();
      if (!isKeyword(andToken, 'and'))
        fail(text, andToken.pos, `expected 'and' in between ... and ... but found ${describe(andToken)}`);
      const high = parseLiteral();
      const node: PredicateNode = {
        kind: 'and',
        children: [
          { kind: 'compare', op: 'gte', column, value: low },
          { kind: 'compare', op: 'lte', column, value: high },
        ],
      };
      return negated ? { kind: 'not', child: node } : node;
    }
    if (negated) fail(text, peek().pos, `expected 'in' or 'between' after 'not' but found ${describe(peek())}`);
    const op = parseOperator();
    return { kind: 'compare', op, column, value: parseLiteral() };
  };

  const parseUnary = (): PredicateNode => {
    if (isKeyword(peek(), 'not')) {
      deeper(next());
      const child = parseUnary();
      depth--;
      return { kind: 'not', child };
    }
    return parsePrimary();
  };

  const parseAnd = (): PredicateNode => {
    const children = [parseUnary()];
    while (isKeyword(peek(), 'and')) {
      next();
      children.push(parseUnary());
    }
    return children.length === 1 ? (children[0] as PredicateNode) : { kind: 'and', children };
  };

  const parseOr = (): PredicateNode => {
    const children = [parseAnd()];
    while (isKeyword(peek(), 'or')) {
      next();
      children.push(parseAnd());
    }
    return children.length === 1 ? (children[0] as PredicateNode) : { kind: 'or', children };
  };

  if (peek().kind === 'end') fail(text, 0, 'empty predicate');
  const node = parseOr();
  const rest = peek();
  if (rest.kind !== 'end')
    fail(
      text,
      rest.pos,
      `unexpected ${describe(rest)} after a complete predicate`,
      "join conditions with 'and' or 'or'",
    );
  return new Predicate(node);
}
