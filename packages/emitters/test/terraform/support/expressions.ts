import type { Exports, ResourceSchema } from './provider-schema.ts';

/** What a `${...}` may name: the configuration's resources, data sources and variables. */
export interface References {
  readonly resources: ReadonlyMap<string, { type: string; schema: ResourceSchema }>;
  readonly data: ReadonlyMap<string, { type: string; schema: ResourceSchema }>;
  readonly variables: ReadonlySet<string>;
}

// Terraform functions the emitter may call inside `${...}`.
const FUNCTIONS = new Set(['cidrsubnet']);

/** Problems with the interpolations of one string (`$${` is Terraform's escape for a literal `${`). */
export function checkTemplate(text: string, refs: References): string[] {
  const problems: string[] = [];
  for (let i = text.indexOf('${'); i >= 0; i = text.indexOf('${', i)) {
    if (text[i - 1] === '$') {
      i += 2;
      continue;
    }
    const end = text.indexOf('}', i);
    if (end < 0) {
      problems.push(`unclosed interpolation in ${JSON.stringify(text)}`);
      break;
    }
    const expression = text.slice(i + 2, end);
    try {
      const parser = new ExpressionParser(expression, refs, problems);
      parser.expression();
      parser.end();
    } catch (error) {
      problems.push(`${JSON.stringify(expression)}: ${(error as Error).message}`);
    }
    i = end + 1;
  }
  return problems;
}

class ExpressionParser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly refs: References,
    private readonly problems: string[],
  ) {}

  expression(): void {
    this.space();
    const c = this.text[this.pos];
    if (c === '"') {
      const close = this.text.indexOf('"', this.pos + 1);
      if (close < 0) throw new Error('unclosed string');
      this.pos = close + 1;
    } else if (c !== undefined && /[0-9]/.test(c)) {
      this.pos += /^[0-9]+/.exec(this.text.slice(this.pos))?.[0].length ?? 0;
    } else {
      const name = this.identifier();
      this.space();
      if (this.text[this.pos] === '(') {
        if (!FUNCTIONS.has(name)) this.problems.push(`${JSON.stringify(this.text)}: function ${name} is not allowed`);
        this.pos++;
        this.space();
        while (this.text[this.pos] !== ')') {
          this.expression();
          this.space();
          if (this.text[this.pos] === ',') this.pos++;
          else if (this.text[this.pos] !== ')') throw new Error(`expected , or ) at ${this.pos}`);
        }
        this.pos++;
      } else {
        this.traversal(name);
      }
    }
    this.space();
  }

  end(): void {
    if (this.pos !== this.text.length) throw new Error(`unexpected ${JSON.stringify(this.text.slice(this.pos))}`);
  }

  private traversal(root: string): void {
    const steps: (string | number)[] = [];
    for (;;) {
      const c = this.text[this.pos];
      if (c === '.') {
        this.pos++;
        steps.push(this.identifier());
      } else if (c === '[') {
        const match = /^\[([0-9]+)\]/.exec(this.text.slice(this.pos));
        if (!match) throw new Error(`expected [n] at ${this.pos}`);
        this.pos += match[0].length;
        steps.push(Number(match[1]));
      } else break;
    }
    const at = JSON.stringify(this.text);
    if (root === 'var') {
      const name = steps[0];
      if (typeof name !== 'string' || !this.refs.variables.has(name))
        this.problems.push(`${at}: no variable ${String(name)}`);
      return;
    }
    const isData = root === 'data';
    const [type, name, ...path] = isData ? steps : [root, ...steps];
    const address = `${isData ? 'data.' : ''}${String(type)}.${String(name)}`;
    const target = (isData ? this.refs.data : this.refs.resources).get(address);
    if (!target) {
      this.problems.push(`${at}: ${address} is not emitted`);
      return;
    }
    if (path.length === 0 || typeof path[0] !== 'string') {
      this.problems.push(`${at}: reference ${address} names no attribute`);
      return;
    }
    let exports: 0 | Exports = target.schema.x;
    for (const step of path) {
      if (typeof step === 'number') continue;
      const next: 0 | Exports | undefined = exports === 0 ? undefined : exports[step];
      if (next === undefined) {
        this.problems.push(`${at}: ${target.type} exports no attribute ${path.join('.')}`);
        return;
      }
      exports = next;
    }
  }

  private identifier(): string {
    const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.text.slice(this.pos));
    if (!match) throw new Error(`expected a name at ${this.pos}`);
    this.pos += match[0].length;
    return match[0];
  }

  private space(): void {
    while (this.text[this.pos] === ' ') this.pos++;
  }
}
