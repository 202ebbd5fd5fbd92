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
