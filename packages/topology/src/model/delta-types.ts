/**
 * Delta Lake column type strings, as the Delta protocol spells them (PROTOCOL.md "Schema Serialization Format"):
 * primitives, `decimal(p,s)` with 1 <= p <= 38 and 0 <= s <= p, and the nested `array<T>`, `map<K,V>`, `struct<name:T,...>`
 * written in the Spark SQL DDL form used by the seeds.
 */

const primitives = new Set([
  'string',
  'long',
  'bigint',
  'integer',
  'int',
  'short',
  'smallint',
  'byte',
  'tinyint',
  'float',
  'double',
  'boolean',
  'binary',
  'date',
  'timestamp',
  'timestamp_ntz',
]);

/** Splits `a, b<c, d>` on top-level commas. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '<' || char === '(') depth++;
    else if (char === '>' || char === ')') depth--;
    else if (char === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim());
}

/** True when `type` is a Delta column type, e.g. `decimal(10,2)` or `map<string,string>` (case-insensitive). */
export function isDeltaType(type: string): boolean {
  const text = type.trim().toLowerCase();
  if (primitives.has(text)) return true;
  const decimal = /^decimal\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(text);
  if (decimal) {
    const precision = Number(decimal[1]);
    const scale = Number(decimal[2]);
    return precision >= 1 && precision <= 38 && scale <= precision;
  }
  const nested = /^(array|map|struct)\s*<(.*)>$/.exec(text);
  if (!nested) return false;
  const inner = nested[2] ?? '';
  const parts = splitTopLevel(inner, ',');
  if (nested[1] === 'array') return parts.length === 1 && isDeltaType(inner);
  if (nested[1] === 'map') return parts.length === 2 && parts.every(isDeltaType);
  return (
    parts.length > 0 &&
    parts.every((field) => {
      const colon = field.indexOf(':');
      return colon > 0 && isDeltaType(field.slice(colon + 1));
    })
  );
}
