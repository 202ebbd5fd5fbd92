// Extracts the schema of the hashicorp/aws Terraform provider from the jsii manifest (`.jsii`) of the npm package
// @cdktn/provider-aws (the maintained fork of the cdktf prebuilt bindings), without the terraform binary, and writes
// the compact index test/terraform/fixtures/aws-provider-schema.json.gz that the Terraform emitter's tests check
// every emitted resource against.
//
//   node packages/emitters/scripts/extract-aws-schema.ts [--version 25.7.0] [--jsii path/to/.jsii]
//
// The package is fetched with `npm pack` into a temporary folder (it is never a dependency of the repository).
// What the manifest tells, and how it is read:
// - a resource is a class based on cdktn.TerraformResource; its Terraform type (aws_s3_bucket) is the name its doc
//   links to on the Terraform Registry, and the provider version is in that link (…/hashicorp/aws/6.66.0/docs/…);
// - its arguments are the properties of its config struct (the constructor's `config` parameter); each property's
//   doc links to `#snake_name`, the real argument name (so `provider` in aws_eks_cluster's encryption_config, renamed
//   in TypeScript, keeps its name); a property without `optional` is required; the meta-arguments (count,
//   provider, ...) are inherited from cdktn.TerraformMetaArguments and not listed among them;
// - a property documented as "<name> block." is a nested block: typed as one struct it is a block of at most one
//   (NestingList/NestingSingle with max 1), typed as `IResolvable | Struct[]` it is a list or set of blocks;
// - the attributes a resource exports are the getters of its class (every argument plus computed ones such as arn);
//   nested ones (`ComplexList`, `OutputReference`) are followed to their element's getters.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

interface JsiiTypeRef {
  primitive?: string;
  fqn?: string;
  collection?: { kind: 'array' | 'map'; elementtype: JsiiTypeRef };
  union?: { types: JsiiTypeRef[] };
}
interface JsiiDocs {
  summary?: string;
  remarks?: string;
}
interface JsiiProperty {
  name: string;
  type: JsiiTypeRef;
  optional?: boolean;
  static?: boolean;
  docs?: JsiiDocs;
}
interface JsiiType {
  kind: 'class' | 'interface' | 'enum';
  base?: string;
  docs?: JsiiDocs;
  properties?: JsiiProperty[];
  initializer?: { parameters?: { name: string; type: JsiiTypeRef }[] };
  methods?: { name: string; returns?: { type: JsiiTypeRef } }[];
}

/** An attribute's type: a primitive, a list/map of one, or an object (attribute of object type) with its fields. */
type AttributeType = string | { list: boolean; object: BlockSchema };
interface BlockSchema {
  /** Arguments: name -> type. */
  a: Record<string, AttributeType>;
  /** Names of the required arguments and blocks. */
  r?: string[];
  /** Nested blocks: name -> nesting (`one`: at most one, `many`: a list or set) and the block's own schema. */
  b?: Record<string, { n: 'one' | 'many'; s: BlockSchema }>;
}
/** Exported attributes: name -> 0 for a value, or the attributes of its element(s) for a nested object/list. */
type Exports = { [name: string]: 0 | Exports };
interface ResourceSchema extends BlockSchema {
  x: Exports;
}

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const packageVersion = option('version') ?? '25.7.0';
const out = new URL('../test/terraform/fixtures/aws-provider-schema.json.gz', import.meta.url);

function readManifest(): Record<string, JsiiType> {
  const given = option('jsii');
  if (given) return JSON.parse(readFileSync(given, 'utf8')).types;
  const dir = mkdtempSync(join(tmpdir(), 'cdktn-provider-aws-'));
  try {
    process.stderr.write(`npm pack @cdktn/provider-aws@${packageVersion} into ${dir}\n`);
    const tarball = execFileSync('npm', ['pack', `@cdktn/provider-aws@${packageVersion}`, '--silent'], {
      cwd: dir,
      encoding: 'utf8',
    }).trim();
    execFileSync('tar', ['xzf', tarball, 'package/.jsii'], { cwd: dir });
    return JSON.parse(readFileSync(join(dir, 'package/.jsii'), 'utf8')).types;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const types = readManifest();
// A resource's doc: …/aws/6.66.0/docs/resources/s3_bucket; an argument's: …#bucket; the provider's: …/docs#region.
const registryLink =
  /registry\.terraform\.io\/providers\/hashicorp\/aws\/([\d.]+)\/docs(?:\/(resources|data-sources)\/(\w+))?(?:#(\w+))?/;
let providerVersion: string | undefined;

function docLink(docs: JsiiDocs | undefined) {
  const text = `${docs?.summary ?? ''} ${docs?.remarks ?? ''}`;
  const match = registryLink.exec(text);
  if (match) providerVersion ??= match[1];
  return match ? { kind: match[2], type: match[3], anchor: match[4] } : undefined;
}

const camelToSnake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The struct named by a type (itself, or the element of `IResolvable | Struct[]`), with whether it is a list. */
function structOf(ref: JsiiTypeRef): { fqn: string; many: boolean } | undefined {
  if (ref.fqn && types[ref.fqn]?.kind === 'interface') return { fqn: ref.fqn, many: false };
  const candidates = ref.union?.types ?? (ref.collection ? [ref] : []);
  for (const t of candidates) {
    if (t.collection?.kind === 'array' && t.collection.elementtype.fqn) {
      const fqn = t.collection.elementtype.fqn;
      if (types[fqn]?.kind === 'interface') return { fqn, many: true };
    }
  }
  return undefined;
}

function primitiveType(ref: JsiiTypeRef): string {
  if (ref.primitive) return ref.primitive === 'boolean' ? 'bool' : ref.primitive;
  if (ref.collection)
    return `${ref.collection.kind === 'array' ? 'list' : 'map'}(${primitiveType(ref.collection.elementtype)})`;
  if (ref.union) {
    const real = ref.union.types.filter((t) => t.fqn !== 'cdktn.IResolvable');
    if (real.length === 1 && real[0]) return primitiveType(real[0]);
  }
  return 'any';
}

function blockSchema(fqn: string, seen: Set<string>): BlockSchema {
  const struct = types[fqn];
  const schema: BlockSchema = { a: {} };
  const required: string[] = [];
  if (!struct || seen.has(fqn)) return schema;
  const inner = new Set(seen).add(fqn);
  for (const p of struct.properties ?? []) {
    const name = docLink(p.docs)?.anchor ?? camelToSnake(p.name);
    if (!p.optional) required.push(name);
    const struct = structOf(p.type);
    if (struct && /\bblock\.$/.test(p.docs?.summary ?? '')) {
      schema.b ??= {};
      schema.b[name] = { n: struct.many ? 'many' : 'one', s: blockSchema(struct.fqn, inner) };
    } else if (struct) {
      schema.a[name] = { list: struct.many, object: blockSchema(struct.fqn, inner) };
    } else {
      schema.a[name] = primitiveType(p.type);
    }
  }
  if (required.length) schema.r = required.sort();
  return schema;
}

function exportsOf(fqn: string, names: Map<string, string>, depth: number): Exports {
  const cls = types[fqn];
  const exported: Exports = {};
  if (!cls || depth > 4) return exported;
  for (const p of cls.properties ?? []) {
    if (p.static || p.name.endsWith('Input') || p.name === 'internalValue' || p.name === 'tfResourceType') continue;
    const name = names.get(p.name) ?? camelToSnake(p.name);
    exported[name] = nestedExports(p.type, depth);
  }
  return exported;
}

function nestedExports(ref: JsiiTypeRef, depth: number): 0 | Exports {
  const target = ref.fqn ? types[ref.fqn] : undefined;
  if (!ref.fqn || !target || target.kind !== 'class') return 0;
  if (target.base?.endsWith('List') || target.base?.endsWith('Map')) {
    const element = target.methods?.find((m) => m.name === 'get')?.returns?.type;
    return element ? nestedExports(element, depth + 1) : 0;
  }
  if (target.base === 'cdktn.ComplexObject') return exportsOf(ref.fqn, new Map(), depth + 1);
  return 0;
}

function resourceSchema(fqn: string): ResourceSchema {
  const cls = types[fqn];
  const config = cls?.initializer?.parameters?.find((p) => p.name === 'config')?.type.fqn;
  const schema = config ? blockSchema(config, new Set()) : { a: {} };
  const names = new Map<string, string>();
  for (const p of (config && types[config]?.properties) || []) {
    const anchor = docLink(p.docs)?.anchor;
    if (anchor) names.set(p.name, anchor);
  }
  return { ...schema, x: exportsOf(fqn, names, 0) };
}

const resources: Record<string, ResourceSchema> = {};
const dataSources: Record<string, ResourceSchema> = {};
let provider: BlockSchema = { a: {} };
for (const [fqn, type] of Object.entries(types).sort(([a], [b]) => (a < b ? -1 : 1))) {
  if (type.kind !== 'class') continue;
  if (type.base === 'cdktn.TerraformProvider') {
    const config = type.initializer?.parameters?.find((p) => p.name === 'config')?.type.fqn;
    if (config) provider = blockSchema(config, new Set());
    continue;
  }
  if (type.base !== 'cdktn.TerraformResource' && type.base !== 'cdktn.TerraformDataSource') continue;
  const link = docLink(type.docs);
  if (!link) throw new Error(`${fqn}: no Terraform Registry link in its docs`);
  const target = link.kind === 'resources' ? resources : dataSources;
  target[`aws_${link.type}`] = resourceSchema(fqn);
}

const index = {
  provider: 'hashicorp/aws',
  version: providerVersion,
  source: `@cdktn/provider-aws@${packageVersion} (.jsii)`,
  providerConfig: provider,
  resources,
  dataSources,
};
const json = JSON.stringify(index);
writeFileSync(out, gzipSync(json, { level: 9 }));
process.stderr.write(
  `hashicorp/aws ${providerVersion}: ${Object.keys(resources).length} resources, ${Object.keys(dataSources).length} data sources; ${json.length} bytes of JSON -> ${out.pathname}\n`,
);
