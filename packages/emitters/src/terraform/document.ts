import type { EmittedFile } from '../emitter.ts';

/** A value in Terraform's JSON syntax; `undefined` fields are left out when the file is written. */
type TfValue = string | number | boolean | readonly TfValue[] | TfObject;
/** An object of Terraform JSON (a resource body, a nested block, a map). */
export interface TfObject {
  readonly [key: string]: TfValue | undefined;
}

/**
 * The files the emitter writes, one concept each; Terraform reads every `*.tf.json` of a folder as one
 * configuration, so the split is for the reader only.
 */
const terraformFiles = [
  'versions.tf.json',
  'variables.tf.json',
  'keys.tf.json',
  'network.tf.json',
  'security-groups.tf.json',
  'eks.tf.json',
  'databases.tf.json',
  'caches.tf.json',
  'messaging.tf.json',
  'storage.tf.json',
  'secrets.tf.json',
  'load-balancers.tf.json',
  'edge.tf.json',
  'dns.tf.json',
  'alarms.tf.json',
  'outputs.tf.json',
] as const;
/** One of the files the emitter writes. */
export type TerraformFile = (typeof terraformFiles)[number];

/** A resource or data source in the configuration: its address, and `${...}` references to its attributes. */
export interface TfAddress {
  readonly type: string;
  readonly name: string;
  /** `aws_vpc.eu_west_1`, or `data.aws_caller_identity.current`: what `depends_on` takes. */
  readonly address: string;
  /** `${aws_vpc.eu_west_1.id}` for `attr('id')`; nested paths as Terraform writes them: `attr('vpc_config[0].cluster_security_group_id')`. */
  attr(path: string): string;
}

/** A declared input variable: its reference `${var.name}` and its name. */
export interface TfVariable {
  readonly name: string;
  readonly ref: string;
}

interface FileContent {
  terraform?: TfObject;
  provider: { aws: TfObject[] };
  variable: Map<string, TfObject>;
  data: Map<string, Map<string, TfObject>>;
  resource: Map<string, Map<string, TfObject>>;
  output: Map<string, TfObject>;
}

/**
 * A Terraform JSON configuration under construction: resources are added by address (type + name), each address
 * once; references are made from addresses, so a reference to something never added is caught by the tests'
 * validator. Rendering is deterministic: files in `terraformFiles` order, blocks in insertion order.
 */
export class TerraformDocument {
  private readonly files = new Map<TerraformFile, FileContent>();
  private readonly addresses = new Set<string>();
  private readonly variables = new Map<string, TfObject>();

  private file(file: TerraformFile): FileContent {
    let content = this.files.get(file);
    if (!content) {
      content = { provider: { aws: [] }, variable: new Map(), data: new Map(), resource: new Map(), output: new Map() };
      this.files.set(file, content);
    }
    return content;
  }

  /** Sets the `terraform` block (required providers, backend). */
  terraform(file: TerraformFile, block: TfObject): void {
    this.file(file).terraform = block;
  }

  /** Adds one `provider "aws"` configuration (with its alias). */
  provider(file: TerraformFile, config: TfObject): void {
    this.file(file).provider.aws.push(config);
  }

  /** Declares an input variable once; declaring the same name again returns the first declaration. */
  variable(name: string, spec: TfObject): TfVariable {
    if (!this.variables.has(name)) {
      this.variables.set(name, spec);
      this.file('variables.tf.json').variable.set(name, spec);
    }
    return { name, ref: `\${var.${name}}` };
  }

  /** Adds a resource; an address used twice is a bug in the emitter (addresses come from unique ids). */
  resource(file: TerraformFile, type: string, name: string, body: TfObject): TfAddress {
    return this.add(file, 'resource', type, name, body);
  }

  /** Adds a data source. */
  data(file: TerraformFile, type: string, name: string, body: TfObject): TfAddress {
    return this.add(file, 'data', type, name, body);
  }

  /** True when a resource of this address was added. */
  has(type: string, name: string): boolean {
    return this.addresses.has(`${type}.${name}`);
  }

  /** Adds an output. */
  output(name: string, spec: TfObject): void {
    this.file('outputs.tf.json').output.set(name, spec);
  }

  private add(file: TerraformFile, kind: 'resource' | 'data', type: string, name: string, body: TfObject): TfAddress {
    const address = `${kind === 'data' ? 'data.' : ''}${type}.${name}`;
    if (this.addresses.has(address)) throw new Error(`terraform emitter: ${address} added twice`);
    this.addresses.add(address);
    const blocks = this.file(file)[kind];
    let instances = blocks.get(type);
    if (!instances) {
      instances = new Map();
      blocks.set(type, instances);
    }
    instances.set(name, body);
    return { type, name, address, attr: (path) => `\${${address}.${path}}` };
  }

  /** The files, as Terraform JSON with two-space indentation and a final newline. */
  render(): EmittedFile[] {
    const out: EmittedFile[] = [];
    for (const file of terraformFiles) {
      const content = this.files.get(file);
      if (!content) continue;
      const json: Record<string, unknown> = {};
      if (content.terraform) json.terraform = content.terraform;
      if (content.provider.aws.length) json.provider = { aws: content.provider.aws };
      if (content.variable.size) json.variable = Object.fromEntries(content.variable);
      if (content.data.size) json.data = nested(content.data);
      if (content.resource.size) json.resource = nested(content.resource);
      if (content.output.size) json.output = Object.fromEntries(content.output);
      out.push({ path: file, contents: `${JSON.stringify(json, null, 2)}\n`, mediaType: 'application/json' });
    }
    return out;
  }
}

function nested(blocks: Map<string, Map<string, TfObject>>): Record<string, Record<string, TfObject>> {
  return Object.fromEntries([...blocks].map(([type, instances]) => [type, Object.fromEntries(instances)]));
}
