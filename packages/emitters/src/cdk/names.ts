/**
 * Names in the generated CDK app, all from model ids alone so they stay put when the model changes elsewhere (a
 * construct id is its logical id's stem: renaming it replaces the resource). `eu-west-1/orders-db` is the variable
 * `ordersDb` (the region is the stack's), the construct id `OrdersDb` and the AWS name `eu-west-1-orders-db`.
 */

function words(text: string): string[] {
  return text.split(/[^A-Za-z0-9]+/).filter(Boolean);
}

/** `orders-db` -> `OrdersDb`; a leading digit gets a prefix (`1st` -> `C1st`). */
export function pascalCase(text: string): string {
  const name = words(text)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join('');
  return /^[0-9]/.test(name) ? `C${name}` : name || 'Component';
}

// Words TypeScript reserves as variable names, which a component could be named (`default`, `new`).
const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof let new null package private protected public return static super switch this throw true try typeof var void while with yield'.split(
    ' ',
  ),
);

/** `orders-db` -> `ordersDb`, never a reserved word. */
export function camelCase(text: string): string {
  const pascal = pascalCase(text);
  const name = pascal[0]?.toLowerCase() + pascal.slice(1);
  return RESERVED.has(name) ? `${name}Component` : name;
}
