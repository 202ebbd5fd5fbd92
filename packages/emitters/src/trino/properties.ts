/**
 * The catalog properties this emitter writes, each with the Trino documentation page that names it: a property
 * missing here cannot be written (the record is the list the test checks the emitted files against).
 */
export const TRINO_PROPERTIES = {
  // https://trino.io/docs/current/connector/delta-lake.html "General configuration"
  'connector.name': 'https://trino.io/docs/current/connector/delta-lake.html',
  // https://trino.io/docs/current/connector/delta-lake.html "Register table": the register_table procedure is
  // disabled unless this is true.
  'delta.register-table-procedure.enabled': 'https://trino.io/docs/current/connector/delta-lake.html',
  // https://trino.io/docs/current/object-storage/metastores.html "General metastore configuration properties"
  'hive.metastore': 'https://trino.io/docs/current/object-storage/metastores.html',
  // ... "Thrift metastore configuration properties"
  'hive.metastore.uri': 'https://trino.io/docs/current/object-storage/metastores.html',
  // ... "AWS Glue catalog configuration properties"
  'hive.metastore.glue.region': 'https://trino.io/docs/current/object-storage/metastores.html',
  // https://trino.io/docs/current/object-storage/file-system-s3.html "General configuration"
  'fs.s3.enabled': 'https://trino.io/docs/current/object-storage/file-system-s3.html',
  's3.region': 'https://trino.io/docs/current/object-storage/file-system-s3.html',
  's3.endpoint': 'https://trino.io/docs/current/object-storage/file-system-s3.html',
  's3.path-style-access': 'https://trino.io/docs/current/object-storage/file-system-s3.html',
} as const;

/** A property this emitter may write. */
export type TrinoProperty = keyof typeof TRINO_PROPERTIES;

/**
 * A value escaped as java.util.Properties reads it (Properties.load): a backslash doubled, line breaks and tabs as
 * escapes, a leading space escaped, and anything outside printable ASCII as \uXXXX (readable whether the file is
 * loaded as ISO-8859-1 or as UTF-8).
 */
export function escapePropertyValue(value: string): string {
  let out = '';
  for (const [i, ch] of [...value].entries()) {
    const code = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\f') out += '\\f';
    else if (ch === ' ' && i === 0) out += '\\ ';
    else if (code < 0x20 || code > 0x7e) {
      // Astral characters as their UTF-16 surrogate pair, as Properties reads \u escapes.
      for (const unit of ch.length === 2 ? [ch.charCodeAt(0), ch.charCodeAt(1)] : [code])
        out += `\\u${unit.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out;
}

/** A comment line: `# ` and the text, with line breaks folded so the text cannot start a property line. */
function commentLine(text: string): string {
  return `# ${escapePropertyValue(text.replace(/[\r\n]+/g, ' '))}`;
}

/** The file: comments, then `key=value` lines in the given order. */
export function renderProperties(
  comments: readonly string[],
  properties: readonly (readonly [TrinoProperty, string])[],
): string {
  return `${[...comments.map(commentLine), ...properties.map(([key, value]) => `${key}=${escapePropertyValue(value)}`)].join('\n')}\n`;
}
