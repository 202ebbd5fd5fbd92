/**
 * TypeScript source text for values of the generated CDK app: `tsValue({ multiAz: true, engine: code('x') })` is
 * an object literal, one property a line, that ts-morph then indents and formats. Strings are quoted, `code(...)`
 * is written as it is (an expression), `undefined` properties are left out so the CDK default applies.
 */

/** An expression written into the generated code as it is, e.g. `code('Duration.days(7)')`. */
export interface Code {
  readonly code: string;
}

/** A value `tsValue` can write. */
export type TsValue =
  | string
  | number
  | boolean
  | Code
  | undefined
  | readonly TsValue[]
  | { readonly [key: string]: TsValue };

/** An expression, written as it is. */
export function code(text: string): Code {
  return { code: text };
}

function isCode(value: TsValue): value is Code {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    'code' in value &&
    Object.keys(value).length === 1
  );
}

/** A string literal in single quotes. */
export function quote(text: string): string {
  if (text.includes("'") && !text.includes('"') && !text.includes('\\') && !text.includes('\n')) return `"${text}"`;
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The source text of `value`. */
export function tsValue(value: TsValue): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isCode(value)) return value.code;
  if (Array.isArray(value)) {
    const items = (value as readonly TsValue[]).filter((v) => v !== undefined).map(tsValue);
    const oneLine = `[${items.join(', ')}]`;
    return oneLine.length <= 80 && !oneLine.includes('\n') ? oneLine : `[\n${items.map((i) => `${i},`).join('\n')}\n]`;
  }
  const entries = Object.entries(value as { readonly [key: string]: TsValue }).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  const props = entries.map(([k, v]) =>
    isCode(v) && v.code === k ? `${k},` : `${IDENTIFIER.test(k) ? k : quote(k)}: ${tsValue(v)},`,
  );
  return `{\n${props.join('\n')}\n}`;
}

/**
 * The source text of plain data (what JSON holds: a Kubernetes object as the API reads it), one property a line.
 * Unlike `tsValue`, no object is taken for an expression, so a field named `code` stays data.
 */
export function tsData(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length ? `[\n${value.map((v) => `${tsData(v)},`).join('\n')}\n]` : '[]';
  if (typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${IDENTIFIER.test(k) ? k : quote(k)}: ${tsData(v)},`).join('\n')}\n}`;
  }
  throw new TypeError(`not plain data: ${typeof value}`);
}
