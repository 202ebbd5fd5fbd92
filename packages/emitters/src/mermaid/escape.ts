/**
 * Text that goes inside a quoted Mermaid label (`["..."]`, `|"..."|`, subgraph titles).
 *
 * Mermaid's flowchart lexer ends a quoted string at the next `"`, turns `#name;` / `#123;` into HTML
 * entities before rendering, and treats a string opening with a backtick as Markdown; the label is then
 * inserted as HTML. So every character with a meaning to one of those steps is written as a Mermaid
 * entity code (`#quot;`, `#35;`, ...) and control characters, which would end the statement, become spaces.
 * Everything else, unicode included, passes through.
 */
const entityOf: Readonly<Record<string, string>> = {
  '#': '#35;',
  '"': '#quot;',
  '&': '#amp;',
  '<': '#lt;',
  '>': '#gt;',
  '`': '#96;',
};

/** Escapes user text (a component name, a rule id) for a quoted Mermaid label. */
export function escapeLabel(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this replaces
  return text.replace(/[#"&<>`]/g, (ch) => entityOf[ch] ?? ch).replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ');
}
