import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** An argument's type in the index: `string`, `number`, `bool`, `list(string)`, `map(string)`, `any`, or an object. */
export type AttributeType = string | { readonly list: boolean; readonly object: BlockSchema };

/** A block's schema as scripts/extract-aws-schema.ts writes it (short keys keep the fixture small). */
export interface BlockSchema {
  /** Arguments by name. */
  readonly a: Readonly<Record<string, AttributeType>>;
  /** Required arguments and blocks. */
  readonly r?: readonly string[];
  /** Nested blocks: `one` (at most one) or `many` (a list or set), with their schema. */
  readonly b?: Readonly<Record<string, { readonly n: 'one' | 'many'; readonly s: BlockSchema }>>;
}

/** Exported attributes: 0 for a value, or the attributes of the nested object or list element. */
export interface Exports {
  readonly [name: string]: 0 | Exports;
}

export interface ResourceSchema extends BlockSchema {
  readonly x: Exports;
}

/** The extracted schema of one hashicorp/aws version. */
export interface ProviderSchema {
  readonly provider: string;
  readonly version: string;
  readonly source: string;
  readonly providerConfig: BlockSchema;
  readonly resources: Readonly<Record<string, ResourceSchema>>;
  readonly dataSources: Readonly<Record<string, ResourceSchema>>;
}

let cached: ProviderSchema | undefined;

/** The pinned hashicorp/aws schema (test/terraform/fixtures/aws-provider-schema.json.gz). */
export function awsProviderSchema(): ProviderSchema {
  cached ??= JSON.parse(
    gunzipSync(readFileSync(new URL('../fixtures/aws-provider-schema.json.gz', import.meta.url))).toString('utf8'),
  ) as ProviderSchema;
  return cached;
}
