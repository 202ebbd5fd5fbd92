import * as client from '@kubernetes/client-node';
import * as externalSecrets from '@kubernetes-models/external-secrets/external-secrets.io/v1';
import * as models from 'kubernetes-models';
import { type CrdSchema, crdErrors, crdSchema } from './crd-schema.ts';

/**
 * Offline stand-in for the API server's schema validation, Kubernetes 1.36 (the OpenAPI spec @kubernetes/client-node
 * 2.0.1 and kubernetes-models 5.1.0 are generated from):
 * 1. kubernetes-models' JSON-schema validator: required fields, types, enums and formats;
 * 2. a strict walk over @kubernetes/client-node's attribute type map, field by field, that rejects every field the
 *    API does not define (kubernetes-models accepts unknown fields; the API server's strict field validation
 *    rejects them, `kubectl apply --validate=strict`).
 * 3. the name and label formats the API server's validation checks and the OpenAPI schema does not (apimachinery
 *    `validation.IsDNS1123Label`, `IsDNS1123Subdomain`, `IsDNS1035Label`, `IsQualifiedName`, `IsValidLabelValue`,
 *    `IsValidPortName`).
 * CRDs without a client-node model (ExternalSecret, ClusterSecretStore) get step 1 from their own model package;
 * those without a model package (VerticalPodAutoscaler) are checked against their CRD's own OpenAPI schema, kept as
 * a fixture that names its source, with unknown fields refused (`crdErrors`).
 */
export function schemaErrors(object: Record<string, unknown>): string[] {
  const apiVersion = String(object.apiVersion);
  const kind = String(object.kind);
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
  const crd = crdSchemas[`${apiVersion} ${kind}`];
  if (crd) return [...crdErrors(object, crd()), ...formatErrors(object)];
  const errors: string[] = [];
  const model = modelClass(group, version, kind);
  if (!model) return [`${apiVersion} ${kind}: no schema to validate against`];
  try {
    new model(object).validate();
  } catch (error) {
    errors.push(`schema: ${(error as Error).message}`);
  }
  errors.push(...formatErrors(object));
  if (group !== 'external-secrets.io') {
    // client-node names its models after the API version and kind: apps/v1 Deployment is V1Deployment.
    const type = `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
    errors.push(...strictWalk(object, type, ''));
  }
  return errors;
}

/** CRDs validated against their own schema, by `apiVersion kind`: read on first use. */
const crdSchemas: Record<string, () => CrdSchema> = {
  'autoscaling.k8s.io/v1 VerticalPodAutoscaler': once(() => crdSchema('vpa-v1-openapi-schema.json')),
};

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
}

type Validatable = new (data: unknown) => { validate(): void };

function modelClass(group: string, version: string, kind: string): Validatable | undefined {
  if (group === 'external-secrets.io' && version === 'v1')
    return (externalSecrets as unknown as Record<string, Validatable>)[kind];
  const groupKey =
    group === '' ? 'v1' : group.replace(/\.k8s\.io$/, 'K8sIo').replace(/\.(\w)/g, (_, c: string) => c.toUpperCase());
  const groupModule = (models as unknown as Record<string, Record<string, Record<string, Validatable>>>)[groupKey];
  if (!groupModule) return undefined;
  const versioned = group === '' ? (groupModule as unknown as Record<string, Validatable>) : groupModule[version];
  return versioned?.[kind] as Validatable | undefined;
}

interface Attribute {
  readonly name: string;
  readonly baseName: string;
  readonly type: string;
  readonly format: string;
}

const clientModels = client as unknown as Record<string, { attributeTypeMap?: Attribute[] } | undefined>;

function attributesOf(type: string): readonly Attribute[] | undefined {
  const model = clientModels[type];
  return model?.attributeTypeMap;
}

function strictWalk(value: unknown, type: string, path: string): string[] {
  if (value === undefined || value === null) return [];
  if (type === 'any' || type === 'object') return [];
  if (type === 'string' || type === 'Date') return typeof value === 'string' ? [] : [`${path}: expected a string`];
  if (type === 'boolean') return typeof value === 'boolean' ? [] : [`${path}: expected a boolean`];
  if (type === 'number') return typeof value === 'number' ? [] : [`${path}: expected a number`];
  if (type === 'IntOrString')
    return typeof value === 'string' || Number.isInteger(value) ? [] : [`${path}: expected an int or a string`];
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) return [`${path}: expected an array`];
    return value.flatMap((item, i) => strictWalk(item, array[1] as string, `${path}[${i}]`));
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected a map`];
    return Object.entries(value).flatMap(([k, v]) => strictWalk(v, map[1] as string, `${path}.${k}`));
  }
  const attributes = attributesOf(type);
  if (!attributes) return [`${path}: unknown type ${type}`];
  if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object (${type})`];
  const errors: string[] = [];
  for (const [key, inner] of Object.entries(value)) {
    const attribute = attributes.find((a) => a.baseName === key);
    if (!attribute) {
      errors.push(`${path}.${key}: unknown field of ${type}`);
      continue;
    }
    if (attribute.format === 'int32' || attribute.format === 'int64')
      if (typeof inner === 'number' && !Number.isInteger(inner)) errors.push(`${path}.${key}: expected an integer`);
    errors.push(...strictWalk(inner, attribute.type, `${path}.${key}`));
  }
  return errors;
}

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const qualifiedName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  return (
    (prefix === undefined || (prefix.length <= 253 && dns1123Subdomain.test(prefix))) &&
    name.length <= 63 &&
    qualifiedName.test(name)
  );
}

function isPortName(name: string): boolean {
  return (
    name.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) && /[a-z]/.test(name) && !name.includes('--')
  );
}

function formatErrors(object: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const kind = String(object.kind);
  const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string; labels?: Record<string, string> };
  const name = metadata.name ?? '';
  const nameOk =
    kind === 'Service'
      ? name.length <= 63 && dns1035Label.test(name)
      : kind === 'Namespace'
        ? name.length <= 63 && dns1123Label.test(name)
        : name.length <= 253 && dns1123Subdomain.test(name);
  if (!nameOk) errors.push(`metadata.name: ${JSON.stringify(name)} is not a valid ${kind} name`);
  if (metadata.namespace !== undefined && !(metadata.namespace.length <= 63 && dns1123Label.test(metadata.namespace)))
    errors.push(`metadata.namespace: ${JSON.stringify(metadata.namespace)} is not a DNS-1123 label`);
  const labelSets: [string, Record<string, string> | undefined][] = [['metadata.labels', metadata.labels]];
  const template = (
    object.spec as { template?: { metadata?: { labels?: Record<string, string> }; spec?: unknown } } | undefined
  )?.template;
  labelSets.push(['spec.template.metadata.labels', template?.metadata?.labels]);
  for (const [path, labels] of labelSets)
    for (const [key, value] of Object.entries(labels ?? {})) {
      if (!isLabelKey(key)) errors.push(`${path}: key ${JSON.stringify(key)} is not a qualified name`);
      if (value.length > 63 || !labelValue.test(value))
        errors.push(`${path}.${key}: ${JSON.stringify(value)} is not a label value`);
    }
  const podSpec = template?.spec as { containers?: { name: string; ports?: { name?: string }[] }[] } | undefined;
  for (const container of podSpec?.containers ?? []) {
    if (!(container.name.length <= 63 && dns1123Label.test(container.name)))
      errors.push(`container name ${JSON.stringify(container.name)} is not a DNS-1123 label`);
    for (const port of container.ports ?? [])
      if (port.name !== undefined && !isPortName(port.name))
        errors.push(`port name ${JSON.stringify(port.name)} is not an IANA_SVC_NAME`);
  }
  for (const port of (object.spec as { ports?: { name?: string }[] } | undefined)?.ports ?? [])
    if (kind === 'Service' && port.name !== undefined && !isPortName(port.name))
      errors.push(`service port name ${JSON.stringify(port.name)} is not an IANA_SVC_NAME`);
  return errors;
}
