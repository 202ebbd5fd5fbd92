/**
 * Names the Terraform emitter derives from model ids. Addresses must be stable across runs and edits elsewhere in
 * the model (a renamed neighbour must not move a resource in the state), so they come from the component's id
 * alone: `eu-west-1/orders-db` is `eu_west_1_orders_db`.
 */

/** A Terraform block name (letters, digits, `_`, `-`; not starting with a digit) from a model id. */
export function tfName(id: string): string {
  const name = id.replace(/[^A-Za-z0-9_]+/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/**
 * An AWS resource name (RDS identifiers, cluster names, ...): lowercase letters, digits and hyphens, starting with
 * a letter, at most `max` characters (RDS: 63). `eu-west-1/orders-db` is `eu-west-1-orders-db`.
 */
export function awsName(id: string, max = 63): string {
  const name = id
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const lettered = /^[a-z]/.test(name) ? name : `m-${name}`;
  return lettered.slice(0, max).replace(/-+$/, '');
}
