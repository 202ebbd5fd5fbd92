/**
 * A strict reader of the register-tables.sql files, for the tests. node-sql-parser (the SQL parser we depend on)
 * parses the CREATE SCHEMA statements but not Trino's CALL of a qualified procedure with named arguments
 * (`CALL "c".system.register_table(schema_name => '...')`), and its Trino dialect takes \' for an escape. So the
 * file is first cut into tokens by the lexical rules of Trino's grammar (SqlBase.g4: STRING is '...' with '' for a
 * quote, QUOTED_IDENTIFIER is "..." with "" for a double quote, `--` comments to the end of the line), each CALL is
 * checked against its grammar here, and node-sql-parser then parses it in the form it knows (the procedure's last
 * name, the argument values positionally), so a real parser still reads every literal.
 */
import { Parser } from 'node-sql-parser';

type Token =
  | { kind: 'string'; value: string; text: string }
  | { kind: 'identifier'; value: string; text: string }
  | { kind: 'word'; value: string; text: string }
  | { kind: 'punct'; value: string; text: string };

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] as string;
    if (/\s/.test(ch)) i++;
    else if (sql.startsWith('--', i)) i = sql.indexOf('\n', i) < 0 ? sql.length : sql.indexOf('\n', i);
    else if (ch === "'" || ch === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new Error(`unterminated ${ch} at ${i}`);
        if (sql[j] === ch && sql[j + 1] === ch) {
          value += ch;
          j += 2;
        } else if (sql[j] === ch) break;
        else value += sql[j++];
      }
      tokens.push({ kind: ch === "'" ? 'string' : 'identifier', value, text: sql.slice(i, j + 1) });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'word', value: m[0].toLowerCase(), text: m[0] });
      i += m[0].length;
    } else if (sql.startsWith('=>', i)) {
      tokens.push({ kind: 'punct', value: '=>', text: '=>' });
      i += 2;
    } else if ('.,();'.includes(ch)) {
      tokens.push({ kind: 'punct', value: ch, text: ch });
      i++;
    } else throw new Error(`unexpected ${JSON.stringify(ch)} at ${i}`);
  }
  return tokens;
}

/** A CALL statement: its qualified procedure name and its named arguments, as Trino reads them. */
export interface Call {
  readonly procedure: readonly string[];
  readonly args: Readonly<Record<string, string>>;
}

/** A CREATE SCHEMA IF NOT EXISTS: the catalog and schema. */
export interface CreateSchema {
  readonly catalog: string;
  readonly schema: string;
}

/** Every statement of the file, each checked; throws on anything else. */
export function readRegisterSql(sql: string): { calls: Call[]; schemas: CreateSchema[] } {
  const tokens = tokenize(sql);
  const calls: Call[] = [];
  const schemas: CreateSchema[] = [];
  const parser = new Parser();
  let at = 0;
  const name = (t: Token | undefined) => {
    if (t?.kind !== 'identifier' && t?.kind !== 'word') throw new Error(`expected a name, found ${t?.text}`);
    return t.value;
  };
  const expect = (value: string) => {
    const t = tokens[at++];
    if (t?.kind === 'string' || t?.kind === 'identifier' || t?.value !== value)
      throw new Error(`expected ${value}, found ${t?.text}`);
  };
  while (at < tokens.length) {
    const start = at;
    const keyword = tokens[at++];
    if (keyword?.kind === 'word' && keyword.value === 'create') {
      for (const w of ['schema', 'if', 'not', 'exists']) expect(w);
      const catalog = name(tokens[at++]);
      expect('.');
      const schema = name(tokens[at++]);
      expect(';');
      const text = tokens
        .slice(start, at - 1)
        .map((t) => t.text)
        .join(' ');
      const ast = parser.astify(text, { database: 'trino' }) as unknown as { type: string; keyword: string };
      if (ast.type !== 'create' || ast.keyword !== 'schema') throw new Error(`not a CREATE SCHEMA: ${text}`);
      schemas.push({ catalog, schema });
    } else if (keyword?.kind === 'word' && keyword.value === 'call') {
      const procedure = [name(tokens[at++])];
      while (tokens[at]?.value === '.' && tokens[at]?.kind === 'punct') {
        at++;
        procedure.push(name(tokens[at++]));
      }
      expect('(');
      const args: Record<string, string> = {};
      const literals: string[] = [];
      for (;;) {
        const arg = name(tokens[at++]);
        expect('=>');
        const value = tokens[at++];
        if (value?.kind !== 'string') throw new Error(`argument ${arg} is not a string literal`);
        args[arg] = value.value;
        literals.push(value.text);
        if (tokens[at]?.value === ',' && tokens[at]?.kind === 'punct') at++;
        else break;
      }
      expect(')');
      expect(';');
      const text = `CALL ${procedure.at(-1)}(${literals.join(', ')})`;
      const ast = parser.astify(text, { database: 'trino' }) as unknown as {
        type: string;
        expr: { args: { value: { value: string }[] } };
      };
      if (ast.type !== 'call') throw new Error(`not a CALL: ${text}`);
      const parsed = ast.expr.args.value.map((v) => v.value.replaceAll("''", "'"));
      if (JSON.stringify(parsed) !== JSON.stringify(Object.values(args)))
        throw new Error(`node-sql-parser reads ${JSON.stringify(parsed)} in ${text}`);
      calls.push({ procedure, args });
    } else throw new Error(`unexpected statement at ${keyword?.text}`);
  }
  return { calls, schemas };
}
