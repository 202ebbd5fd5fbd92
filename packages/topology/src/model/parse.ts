import { z } from 'zod';
import { MeridianError, type MeridianErrorCode, type MeridianIssue, type ModelPath } from '../errors.ts';
import { nearest } from './distance.ts';
import { allowedFields } from './fields.ts';
import { componentKinds, type SourceLocation, type Topology, TopologySchema } from './schema.ts';

/** Options of `parseTopology`. */
export interface ParseOptions {
  /** The file the input came from, named in errors. */
  readonly file?: string | undefined;
  /** Maps a path inside the input to its position in the file (the YAML loader passes one). */
  readonly locate?: ((path: ModelPath) => SourceLocation | undefined) | undefined;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function typeName(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${show(value)}`;
}

/** The source location recorded in the input at the nearest enclosing element that has one (components and flows from the DSL). */
function recordedSource(input: unknown, path: ModelPath): SourceLocation | undefined {
  let node: unknown = input;
  let found: SourceLocation | undefined;
  for (const part of path) {
    if (node === null || typeof node !== 'object') break;
    node = (node as Record<string | number, unknown>)[part];
    const source = node !== null && typeof node === 'object' ? (node as { source?: unknown }).source : undefined;
    const parsed = z.object({ file: z.string(), line: z.number(), column: z.number() }).safeParse(source);
    if (parsed.success) found = parsed.data;
  }
  return found;
}

function fieldHint(key: string, path: ModelPath, input: unknown): string {
  const fields = allowedFields(TopologySchema, path, input);
  const suggestion = fields && nearest(key, fields);
  if (suggestion) return `did you mean '${suggestion}'?`;
  return fields
    ? `remove it; fields here are ${fields.join(', ')}`
    : 'remove it or check its spelling against the JSON Schema (meridian schema)';
}

function kindHint(value: unknown): string {
  const suggestion = typeof value === 'string' ? nearest(value, componentKinds) : undefined;
  return suggestion ? `did you mean '${suggestion}'?` : `use one of ${componentKinds.join(', ')}`;
}

function toIssues(error: z.ZodError, input: unknown, options: ParseOptions): MeridianIssue[] {
  const issues: MeridianIssue[] = [];
  const push = (
    raw: z.core.$ZodIssue,
    fields: Omit<MeridianIssue, 'path' | 'location'>,
    path: ModelPath = raw.path as ModelPath,
  ) => {
    issues.push({ ...fields, path, location: options.locate?.(path) ?? recordedSource(input, path) });
  };
  for (const raw of error.issues) {
    const found = 'input' in raw ? raw.input : undefined;
    switch (raw.code) {
      case 'custom': {
        const params = (raw.params ?? {}) as { meridianCode?: MeridianErrorCode; expected?: string; hint?: string };
        push(raw, {
          code: params.meridianCode ?? 'invalid-value',
          message: raw.message,
          expected: params.expected,
          found: show(found),
          hint: params.hint,
        });
        break;
      }
      case 'invalid_type':
        push(raw, {
          code: found === undefined ? 'missing-field' : 'invalid-type',
          message: found === undefined ? 'required field is missing' : `expected ${raw.expected}`,
          expected: raw.expected,
          found: typeName(found),
          hint: found === undefined ? `add '${String(raw.path.at(-1))}'` : undefined,
        });
        break;
      case 'invalid_value':
        push(raw, {
          code: 'invalid-value',
          message: 'value is not one of the allowed values',
          expected: `one of ${raw.values.map((v) => show(v)).join(', ')}`,
          found: show(found),
        });
        break;
      case 'unrecognized_keys':
        for (const key of raw.keys) {
          push(
            raw,
            {
              code: 'unknown-field',
              message: `unknown field '${key}'`,
              hint: fieldHint(key, raw.path as ModelPath, input),
            },
            [...(raw.path as ModelPath), key],
          );
        }
        break;
      case 'invalid_union': {
        if ('discriminator' in raw && raw.discriminator) {
          // zod reports the path of the discriminator itself in recent 4.x versions, of the object in older ones.
          const endsAtKey = raw.path.at(-1) === raw.discriminator;
          const at = endsAtKey ? (raw.path as ModelPath) : [...(raw.path as ModelPath), raw.discriminator];
          // The reported input is the whole element in some zod versions, the discriminator's value in others.
          const value =
            found !== null && typeof found === 'object' ? (found as Record<string, unknown>)[raw.discriminator] : found;
          push(
            raw,
            {
              code: 'unknown-kind',
              message: `unknown ${raw.discriminator}`,
              expected: 'a component kind such as dns, workload, postgres (see meridian schema)',
              found: show(value),
              hint: kindHint(value),
            },
            at,
          );
          break;
        }
        // Report the branch that got furthest (its issues are deepest), so a placement `{ region: 5 }` says region, not "no union matched".
        const branches = raw.errors.filter((branch) => branch.length > 0);
        const best = branches.sort(
          (a, b) => Math.max(...b.map((i) => i.path.length)) - Math.max(...a.map((i) => i.path.length)),
        )[0];
        if (best?.some((i) => i.path.length > 0)) {
          const nested = toIssues(
            new z.ZodError(best.map((i) => ({ ...i, path: [...raw.path, ...i.path] }))),
            input,
            options,
          );
          issues.push(...nested);
        } else {
          push(raw, { code: 'invalid-value', message: 'value matches none of the allowed shapes', found: show(found) });
        }
        break;
      }
      case 'too_small':
      case 'too_big':
        push(raw, { code: 'out-of-range', message: raw.message, found: show(found) });
        break;
      case 'invalid_format':
        push(raw, { code: 'invalid-format', message: raw.message, expected: raw.format, found: show(found) });
        break;
      default:
        push(raw, { code: 'invalid-value', message: raw.message, found: show(found) });
    }
  }
  return issues;
}

/**
 * Validates plain data (from the DSL, YAML or JSON) against the topology schema and returns the model with defaults applied.
 * Throws a MeridianError (code `invalid-topology`) listing every issue with its path, e.g. `regions[1].code`.
 */
export function parseTopology(input: unknown, options: ParseOptions = {}): Topology {
  const result = TopologySchema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const issues = toIssues(result.error, input, options);
  const first = issues[0];
  const where = options.file ? ` in ${options.file}` : '';
  throw new MeridianError(
    'invalid-topology',
    `${issues.length} problem${issues.length === 1 ? '' : 's'}${where}: ${first?.message ?? 'invalid topology'}`,
    {
      path: first?.path,
      expected: first?.expected,
      found: first?.found,
      hint: first?.hint,
      location: first?.location,
      issues,
    },
  );
}

/** The JSON Schema of a topology file (draft 2020-12), for editors and `meridian schema`. Describes the input form (defaults optional). */
export function topologyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(TopologySchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}
