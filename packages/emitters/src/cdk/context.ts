import { type Component, placementOf, type Region, type Topology } from '@meridian/topology';
import { globalRegion } from '../aws/global-region.ts';
import { networkZones } from '../aws/network.ts';
import { isOnAws } from '../aws/platform.ts';
import { EmitError } from '../errors.ts';
import { type Code, code, quote, type TsValue, tsValue } from './code.ts';
import { camelCase, pascalCase } from './names.ts';

/** The aws-cdk-lib modules the generated code imports, by the namespace it imports them as. */
export const cdkModules = {
  cloudfront: 'aws-cdk-lib/aws-cloudfront',
  cloudwatch: 'aws-cdk-lib/aws-cloudwatch',
  ec2: 'aws-cdk-lib/aws-ec2',
  elbv2: 'aws-cdk-lib/aws-elasticloadbalancingv2',
  eks: 'aws-cdk-lib/aws-eks-v2',
  elasticache: 'aws-cdk-lib/aws-elasticache',
  iam: 'aws-cdk-lib/aws-iam',
  kms: 'aws-cdk-lib/aws-kms',
  logs: 'aws-cdk-lib/aws-logs',
  msk: 'aws-cdk-lib/aws-msk',
  rds: 'aws-cdk-lib/aws-rds',
  route53: 'aws-cdk-lib/aws-route53',
  route53targets: 'aws-cdk-lib/aws-route53-targets',
  origins: 'aws-cdk-lib/aws-cloudfront-origins',
  s3: 'aws-cdk-lib/aws-s3',
  secretsmanager: 'aws-cdk-lib/aws-secretsmanager',
  sqs: 'aws-cdk-lib/aws-sqs',
  wafv2: 'aws-cdk-lib/aws-wafv2',
} as const;

/** A namespace of `cdkModules`. */
export type CdkModule = keyof typeof cdkModules;

/** A cdk-nag AwsSolutions rule the generated code acknowledges on one construct, and why. */
export interface NagAcknowledgment {
  /** The rule id after `AwsSolutions-`, e.g. `RDS3`, or an expression making the whole id (findings of IAM5). */
  readonly rule: string | Code;
  readonly reason: string;
}

/**
 * How a flow reaches an emitted construct: through its L2 `connections` on its default port (RDS, Aurora), through a
 * security group of its own on a port (ElastiCache, MSK), or as a source of traffic (an EKS cluster, which load
 * balancers reach in turn).
 */
export type Reachable =
  | { readonly kind: 'connections'; readonly variable: string }
  | { readonly kind: 'security-group'; readonly variable: string; readonly port: number }
  | { readonly kind: 'source'; readonly variable: string }
  | { readonly kind: 'load-balancer'; readonly variable: string; readonly type: 'alb' | 'nlb' }
  | { readonly kind: 'distribution'; readonly variable: string };

/** One commented group of statements in a stack's constructor: usually the constructs of one model component. */
export interface StackBlock {
  /** The comment above it: the model component it comes from, and what the model says about it. */
  readonly comment: readonly string[];
  readonly statements: readonly string[];
}

/** A value a stack takes from the app (`lib/app.ts`): another region's names, passed as plain strings. */
export interface StackInput {
  readonly name: string;
  readonly type: string;
  readonly doc: string;
  /** What lib/app.ts passes. */
  readonly value: TsValue;
}

const SHARED = new Set(['vpc', 'dataKey', 'accessLogs', 'props', 'scope', 'id', 'account', 'components']);

/** One region's stack: its file, its class, and the statements of its constructor in order. */
export class StackPlan {
  readonly className: string;
  readonly file: string;
  readonly stackId: string;
  readonly modules = new Set<CdkModule>();
  /** Named imports from `aws-cdk-lib` itself (Duration, RemovalPolicy, ...). */
  readonly core = new Set<string>();
  /** Named imports from other modules (a kubectl layer's package, the app's own lib/k8s/ files), by specifier. */
  readonly imports = new Map<string, Set<string>>();
  readonly blocks: StackBlock[] = [];
  readonly inputs: StackInput[] = [];
  /** How flows reach each emitted component of this stack, by component id (what `access.ts` reads). */
  readonly reachable = new Map<string, Reachable>();
  /** Stacks (by region id) that must be deployed first: sources of replicas, destinations of replication. */
  readonly dependsOn = new Set<string>();
  /** Constructs other stacks read (`this.components.<variable>`), by variable, with their TypeScript type. */
  readonly exported = new Map<string, string>();
  /** True when the stack reads or gives values across regions (CDK's `crossRegionReferences`, via SSM parameters). */
  crossRegion = false;
  private readonly variables = new Map<string, string>();

  constructor(
    readonly model: Topology,
    readonly region: Region,
    /** The class's description, when it is not one of the model's regions. */
    readonly about?: string,
  ) {
    this.className = `${pascalCase(region.id)}Stack`;
    this.file = `lib/${region.id}-stack.ts`;
    this.stackId = `${pascalCase(model.name)}${pascalCase(region.id)}`;
  }

  /** Marks modules as used and returns nothing: `stack.use('rds', 'ec2')`. */
  use(...modules: CdkModule[]): void {
    for (const m of modules) this.modules.add(m);
  }

  /** Marks names of `aws-cdk-lib` as used. */
  useCore(...names: string[]): void {
    for (const n of names) this.core.add(n);
  }

  /** Imports `names` from `specifier`: a package (`@aws-cdk/lambda-layer-kubectl-v31`) or a file (`./k8s/x.js`). */
  useImport(specifier: string, ...names: string[]): void {
    const set = this.imports.get(specifier) ?? new Set<string>();
    for (const n of names) set.add(n);
    this.imports.set(specifier, set);
  }

  /**
   * The variable (and construct id, in PascalCase) of `key` in this stack: the component id less its region, so
   * `eu-west-1/orders-db` is `ordersDb`. Two keys that would share a name are refused rather than merged.
   */
  variable(key: string): string {
    const local = key.startsWith(`${this.region.id}/`) ? key.slice(this.region.id.length + 1) : key;
    const plain = camelCase(local);
    // Names the generated stack already uses: the module namespaces and its shared constructs.
    const name = plain in cdkModules || SHARED.has(plain) ? `${plain}Component` : plain;
    const owner = this.variables.get(name);
    if (owner !== undefined && owner !== key) {
      throw new EmitError('cdk-name-collision', `'${owner}' and '${key}' both become ${name} in ${this.file}`, {
        path: ['components'],
        hint: 'rename one of them so they differ in more than punctuation',
      });
    }
    this.variables.set(name, key);
    return name;
  }

  /** Adds a commented block of statements. */
  add(comment: readonly string[], statements: readonly string[]): void {
    this.blocks.push({ comment, statements });
  }

  /** A statement acknowledging cdk-nag rules on `target`, each with its written reason. */
  acknowledge(target: string, rules: readonly NagAcknowledgment[]): string {
    this.useCore('Validations');
    const items = rules.map((r) =>
      tsValue({ id: typeof r.rule === 'string' ? `AwsSolutions-${r.rule}` : r.rule, reason: r.reason }),
    );
    return `Validations.of(${target}).acknowledge(\n${items.join(',\n')},\n);`;
  }

  /** Declares a value the stack takes from lib/app.ts and returns the expression reading it. */
  input(input: StackInput): Code {
    if (!this.inputs.some((i) => i.name === input.name)) this.inputs.push(input);
    return code(`props.${input.name}`);
  }
}

/** What the parts of the CDK emitter share while they plan one app: the model and a stack per AWS region. */
export class CdkContext {
  private readonly plans = new Map<string, StackPlan>();
  /** npm packages the app needs beyond aws-cdk-lib, constructs and cdk-nag, with the range it pins. */
  readonly packages = new Map<string, string>();
  /** Files of the app beside the stacks (lib/k8s/<cluster>.ts), by path, as source text. */
  readonly files = new Map<string, string>();
  /** Kubernetes objects the app does not apply, and why (a refused component, a cluster without kubectl layer). */
  readonly notApplied: string[] = [];

  constructor(readonly model: Topology) {
    for (const region of model.regions) {
      if (region.provider === 'aws') this.plans.set(region.id, new StackPlan(model, region));
    }
  }

  /** One stack per AWS region of the model, then the global stack when something needed it. */
  get stacks(): ReadonlyMap<string, StackPlan> {
    return this.plans;
  }

  /**
   * The stack of the model's global components (`globalRegion`, shared with the Terraform emitter): the model's
   * us-east-1 region's, else a stack of its own there, made on first use.
   */
  global(): StackPlan {
    const region = globalRegion(this.model);
    let stack = this.plans.get(region.id);
    if (!stack) {
      stack = new StackPlan(
        this.model,
        region,
        `The global components of topology "${this.model.name}" (Route 53, CloudFront and its WAF), in ${region.code}, where CloudFront's web ACLs and Route 53's health-check metrics live.`,
      );
      this.plans.set(region.id, stack);
    }
    return stack;
  }

  /** The global components of a kind its AWS service runs (Route 53, CloudFront, WAF). */
  globalOnAws<K extends Component['kind']>(kind: K): Extract<Component, { kind: K }>[] {
    return this.model.components.filter(
      (c): c is Extract<Component, { kind: K }> =>
        c.kind === kind && isOnAws(c) && placementOf(this.model, c).region === undefined,
    );
  }

  /**
   * An expression in stack `from` for a construct of stack `owner` (its `variable`, of TypeScript type `type`): the
   * variable itself in its own stack; else the owner exports it (`components`), lib/app.ts passes it as a prop, and
   * the stacks are ordered. Across regions both stacks turn on CDK's cross-region references, which carry the
   * values through SSM parameters (CloudFormation itself cannot reference another region's stack).
   */
  reference(from: StackPlan, owner: StackPlan, variable: string, type: string, doc: string): string {
    if (from === owner) return variable;
    owner.exported.set(variable, type);
    from.dependsOn.add(owner.region.id);
    if (from.region.code !== owner.region.code) {
      from.crossRegion = true;
      owner.crossRegion = true;
    }
    const name = `${camelCase(owner.region.id)}${pascalCase(variable)}`;
    return from.input({ name, type, doc, value: code(`${camelCase(owner.region.id)}.components.${variable}`) }).code;
  }

  /** The component of an id. */
  component(id: string): Component | undefined {
    return this.model.components.find((c) => c.id === id);
  }

  /** The stack of the AWS region a component runs in, or undefined (global, or another cloud). */
  stackOf(component: Component | string): StackPlan | undefined {
    const region = placementOf(this.model, component).region;
    return region === undefined ? undefined : this.stacks.get(region);
  }

  /** The components of a kind its AWS service runs, placed directly in an AWS region (not in a cluster). */
  regionalOnAws<K extends Component['kind']>(
    kind: K,
  ): { component: Extract<Component, { kind: K }>; stack: StackPlan }[] {
    const out: { component: Extract<Component, { kind: K }>; stack: StackPlan }[] = [];
    for (const component of this.model.components) {
      if (component.kind !== kind || !isOnAws(component)) continue;
      const placement = placementOf(this.model, component);
      if (placement.cluster !== undefined) continue;
      const stack = placement.region === undefined ? undefined : this.stacks.get(placement.region);
      if (stack) out.push({ component: component as Extract<Component, { kind: K }>, stack });
    }
    return out;
  }

  /**
   * The zones a region's network spans (`networkZones`, shared with the Terraform emitter: the model's, else its
   * components', else the first three published, topped up to what its services need), empty when nothing of the
   * region lives in a VPC. Written out, so synthesis looks nothing up.
   */
  zonesOf(stack: StackPlan): string[] {
    return networkZones(this.model, stack.region) ?? [];
  }

  /** The `Tags.of(x).add('meridian:component', id)` statement tracing a construct back to its component. */
  tag(stack: StackPlan, target: string, component: string): string {
    stack.useCore('Tags');
    return `Tags.of(${target}).add('meridian:component', ${quote(component)});`;
  }
}
