/**
 * An AWS resource name (RDS identifiers, queue names, cluster names): lowercase letters, digits and hyphens,
 * starting with a letter, at most `max` characters (RDS: 63). `eu-west-1/orders-db` is `eu-west-1-orders-db`. From
 * the model id alone, so a name stays put when the model changes elsewhere; both AWS emitters name resources by it.
 */
export function awsName(id: string, max = 63): string {
  const name = id
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const lettered = /^[a-z]/.test(name) ? name : `m-${name}`;
  return lettered.slice(0, max).replace(/-+$/, '');
}
