import { type Component, type Flow, type Tier, TierSchema, type Topology, traitsOf } from '@meridian/topology';
import { EmitError } from '../errors.ts';

/**
 * What part of the topology a diagram shows:
 * - `whole`: everything;
 * - `region:<id>`: one region's components, plus (faded) whatever they exchange traffic with elsewhere;
 * - `tier:<tier>`: the components of one tier and the flows among them;
 * - `data`: the flows that move data (everything but plain requests, and requests that carry data classes)
 *   and every store.
 */
export type MermaidView = 'whole' | 'data' | `region:${string}` | `tier:${Tier}`;

// The model's tier order (edge first, external last) is the diagrams' order.
const tiers: readonly Tier[] = TierSchema.options;

/** Every view of `model` worth drawing: whole, data, each region, each tier in use. */
export function mermaidViews(model: Topology): MermaidView[] {
  const used = new Set(model.components.map((c) => c.tier));
  return [
    'whole',
    ...model.regions.map((r) => `region:${r.id}` as const),
    ...tiers.filter((t) => used.has(t)).map((t) => `tier:${t}` as const),
    'data',
  ];
}

/** A view parsed and checked against the model. */
export type ParsedView =
  | { readonly kind: 'whole' }
  | { readonly kind: 'data' }
  | { readonly kind: 'region'; readonly region: string }
  | { readonly kind: 'tier'; readonly tier: Tier };

/** Reads a view name (`region:eu-west-1`); throws EmitError for a view, region or tier the model does not have. */
export function parseView(view: string, model: Topology): ParsedView {
  if (view === 'whole' || view === 'data') return { kind: view };
  const [kind, arg = ''] = splitOnce(view, ':');
  if (kind === 'region') {
    if (!model.regions.some((r) => r.id === arg)) {
      throw new EmitError('unknown-region', `view '${view}': the topology has no region '${arg}'`, {
        path: ['view'],
        hint: `use one of ${model.regions.map((r) => `region:${r.id}`).join(', ') || '(no regions declared)'}`,
      });
    }
    return { kind: 'region', region: arg };
  }
  if (kind === 'tier') {
    const tier = tiers.find((t) => t === arg);
    if (tier === undefined) {
      throw new EmitError('unknown-tier', `view '${view}': '${arg}' is not a tier`, {
        path: ['view'],
        hint: `use one of ${tiers.map((t) => `tier:${t}`).join(', ')}`,
      });
    }
    return { kind: 'tier', tier };
  }
  throw new EmitError('unknown-view', `unknown view '${view}'`, {
    path: ['view'],
    hint: 'use whole, data, region:<region id> or tier:<tier>',
  });
}

function splitOnce(text: string, separator: string): [string, string?] {
  const at = text.indexOf(separator);
  return at < 0 ? [text] : [text.slice(0, at), text.slice(at + 1)];
}

/** True for flows that move data rather than only ask for something. */
export function isDataFlow(flow: Flow): boolean {
  return flow.kind !== 'request' || flow.dataClasses.length > 0;
}

/** True for components that keep data (drawn as cylinders, always in the data view). */
export function isStore(component: Component): boolean {
  return traitsOf(component.kind).dataService;
}
