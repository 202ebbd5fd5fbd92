import { type Component, placementOf, type Tier, TierSchema, type Topology } from '@meridian/topology';
import { type DiagramEdge, diagramEdges } from './edges.ts';
import { escapeLabel } from './escape.ts';
import { mermaidIds } from './ids.ts';
import { clusterTitle, detailOf, displayName, shapeBrackets, shapeOf } from './nodes.ts';
import { isDataFlow, isStore, type MermaidView, type ParsedView, parseView } from './views.ts';

/** A check finding to overlay on the diagram; the shape of `meridian check --format json` findings. */
export interface MermaidFinding {
  readonly rule: string;
  readonly severity: 'error' | 'warning' | 'info';
  /** Ids of the components involved. */
  readonly components: readonly string[];
}

/** Options of {@link toMermaid}. */
export interface MermaidOptions {
  /** What to draw (default `whole`); a string is checked against the model (EmitError when unknown). */
  readonly view?: MermaidView | (string & {}) | undefined;
  /** Flowchart direction (default `TB`). */
  readonly direction?: 'TB' | 'BT' | 'LR' | 'RL' | undefined;
  /** Findings to highlight: components with an error or a warning get a red or orange border and the rule ids. */
  readonly findings?: readonly MermaidFinding[] | undefined;
  /**
   * Also draw, faded, the components outside the view that exchange flows with it.
   * Default: on for region views (what the region depends on elsewhere), off for tier and data views.
   */
  readonly context?: boolean | undefined;
}

// The model's tier order (edge first, external last) is the diagrams' order.
const tierOrder: readonly Tier[] = TierSchema.options;

// Fills pale enough for black text, strokes that tell tiers apart; the same palette in every diagram.
const tierStyles: Readonly<Record<Tier, string>> = {
  edge: 'fill:#fff3e0,stroke:#e65100,color:#222',
  ingress: 'fill:#fff8c4,stroke:#b28704,color:#222',
  compute: 'fill:#e3f2fd,stroke:#1565c0,color:#222',
  data: 'fill:#e8f5e9,stroke:#2e7d32,color:#222',
  analytics: 'fill:#f3e5f5,stroke:#6a1b9a,color:#222',
  observability: 'fill:#eceff1,stroke:#546e7a,color:#222',
  shared: 'fill:#e0f2f1,stroke:#00695c,color:#222',
  external: 'fill:#ffffff,stroke:#616161,color:#222',
};
const extraStyles = {
  region: 'fill:#fbfbfb,stroke:#90a4ae',
  primaryRegion: 'fill:#f4f9ff,stroke:#1565c0,stroke-width:3px',
  cluster: 'fill:#f7f7ff,stroke:#5c6bc0,stroke-dasharray:6 3',
  tierGroup: 'fill:none,stroke:#cfd8dc',
  vendor: 'stroke-dasharray:5 3',
  context: 'fill:#f5f5f5,stroke:#bdbdbd,color:#757575',
  // Last, so a finding's border wins over the tier's and the cluster's (later classes override earlier ones).
  findingWarning: 'stroke:#ef6c00,stroke-width:3px',
  findingError: 'stroke:#c62828,stroke-width:4px',
} as const;
type ExtraClass = keyof typeof extraStyles;

// Explicit dash patterns, so dotted edges stay dotted whatever look or theme the docs host applies.
const asyncLinkStyle = 'stroke-dasharray:3 3';
const replicationLinkStyle = 'stroke:#8e24aa,stroke-width:2px,stroke-dasharray:5 4';

interface Group {
  readonly id: string;
  readonly title: string;
  readonly classes: ExtraClass[];
  /** Position among siblings: the tier, for tier subgraphs and clusters. */
  readonly tier: Tier | undefined;
  readonly groups: Group[];
  readonly nodes: Component[];
}

/**
 * The topology as a Mermaid flowchart: global services, then each region (the primary marked), inside it each
 * cluster, inside those the tiers; shapes by kind, edges by flow kind, classDefs per tier. Pure and
 * deterministic: the same model and options give the same text, node ids derive from component ids.
 *
 * @example toMermaid(model, { view: 'region:eu-west-1' })
 */
export function toMermaid(model: Topology, options: MermaidOptions = {}): string {
  const view = parseView(options.view ?? 'whole', model);
  const byId = new Map(model.components.map((c) => [c.id, c]));
  const allEdges = diagramEdges(model, { dataLabels: view.kind === 'data' });
  const viewEdges =
    view.kind === 'data' ? allEdges.filter((e) => e.flow === undefined || isDataFlow(e.flow)) : allEdges;
  const focus = focusOf(view, model, viewEdges);

  const showContext = options.context ?? view.kind === 'region';
  const context = new Set<string>();
  if (showContext) {
    for (const e of viewEdges) {
      if (focus.has(e.from) && !focus.has(e.to)) context.add(e.to);
      if (focus.has(e.to) && !focus.has(e.from)) context.add(e.from);
    }
  }
  const visible = (id: string) => focus.has(id) || context.has(id);
  const edges = viewEdges.filter(
    (e) =>
      byId.has(e.from) && byId.has(e.to) && visible(e.from) && visible(e.to) && (focus.has(e.from) || focus.has(e.to)),
  );

  const nodeIds = mermaidIds(
    'n',
    model.components.map((c) => c.id),
  );
  const regionIds = mermaidIds(
    'r',
    model.regions.map((r) => r.id),
  );
  const flagged = findingsByComponent(options.findings ?? []);
  const groups = layout(model, byId, visible, nodeIds, regionIds, flagged);

  // Mermaid wraps labels at 200 px by default, which breaks most kind lines in two; 260 keeps them whole.
  // The classic look: Mermaid 12's default look shortens edges for their arrowheads with a computed dash
  // pattern that, on long edges, turns a dotted edge solid.
  const lines: string[] = ['---', 'config:', '  look: classic', '  flowchart:', '    wrappingWidth: 260', '---'];
  lines.push(`%% meridian view: ${viewName(view)}`, `flowchart ${options.direction ?? 'TB'}`);
  const classMembers = new Map<string, string[]>();
  const addClass = (name: string, id: string) => {
    const members = classMembers.get(name);
    if (members) members.push(id);
    else classMembers.set(name, [id]);
  };

  const printNode = (component: Component, indent: string) => {
    const id = nodeIds.get(component.id) ?? '';
    const [open, close] = shapeBrackets[shapeOf(component)];
    lines.push(`${indent}${id}${open}"${nodeLabel(component, flagged.get(component.id))}"${close}`);
    addClass(context.has(component.id) ? 'context' : `tier_${component.tier}`, id);
    if (component.kind === 'external') addClass('vendor', id);
    const worst = worstSeverity(flagged.get(component.id));
    if (worst) addClass(worst === 'error' ? 'findingError' : 'findingWarning', id);
  };
  const printGroup = (group: Group, indent: string) => {
    lines.push(`${indent}subgraph ${group.id}["${group.title}"]`);
    for (const child of group.groups) printGroup(child, `${indent}  `);
    for (const node of group.nodes) printNode(node, `${indent}  `);
    lines.push(`${indent}end`);
    for (const name of group.classes) addClass(name, group.id);
  };
  for (const group of groups) printGroup(group, '  ');

  const asyncLinks: number[] = [];
  const replicationLinks: number[] = [];
  edges.forEach((edge, index) => {
    const from = nodeIds.get(edge.from) ?? '';
    const to = nodeIds.get(edge.to) ?? '';
    const arrow = edge.style === 'sync' ? '-->' : '-.->';
    lines.push(
      edge.label === '' ? `  ${from} ${arrow} ${to}` : `  ${from} ${arrow}|"${escapeLabel(edge.label)}"| ${to}`,
    );
    if (edge.style === 'replication') replicationLinks.push(index);
    if (edge.style === 'async') asyncLinks.push(index);
  });

  const styles: Record<string, string> = {
    ...Object.fromEntries(tierOrder.map((t) => [`tier_${t}`, tierStyles[t]])),
    ...extraStyles,
  };
  for (const [name, style] of Object.entries(styles)) {
    if (classMembers.has(name)) lines.push(`  classDef ${name} ${style}`);
  }
  for (const name of Object.keys(styles)) {
    const members = classMembers.get(name);
    if (members) lines.push(`  class ${members.join(',')} ${name}`);
  }
  if (asyncLinks.length > 0) lines.push(`  linkStyle ${asyncLinks.join(',')} ${asyncLinkStyle}`);
  if (replicationLinks.length > 0) lines.push(`  linkStyle ${replicationLinks.join(',')} ${replicationLinkStyle}`);
  return `${lines.join('\n')}\n`;
}

function viewName(view: ParsedView): string {
  if (view.kind === 'region') return `region:${view.region}`;
  if (view.kind === 'tier') return `tier:${view.tier}`;
  return view.kind;
}

function focusOf(view: ParsedView, model: Topology, edges: readonly DiagramEdge[]): Set<string> {
  const all = model.components;
  switch (view.kind) {
    case 'whole':
      return new Set(all.map((c) => c.id));
    case 'region':
      return new Set(all.filter((c) => placementOf(model, c).region === view.region).map((c) => c.id));
    case 'tier':
      return new Set(all.filter((c) => c.tier === view.tier).map((c) => c.id));
    case 'data':
      return new Set([...all.filter(isStore).map((c) => c.id), ...edges.flatMap((e) => [e.from, e.to])]);
  }
}

type Flags = ReadonlyMap<string, readonly MermaidFinding[]>;

function findingsByComponent(findings: readonly MermaidFinding[]): Flags {
  const byComponent = new Map<string, MermaidFinding[]>();
  for (const finding of findings) {
    if (finding.severity === 'info') continue;
    for (const id of new Set(finding.components)) {
      const list = byComponent.get(id);
      if (list) list.push(finding);
      else byComponent.set(id, [finding]);
    }
  }
  return byComponent;
}

function worstSeverity(findings: readonly MermaidFinding[] | undefined): 'error' | 'warning' | undefined {
  if (!findings?.length) return undefined;
  return findings.some((f) => f.severity === 'error') ? 'error' : 'warning';
}

// `error: spof, sla` then `warning: orphan`, each rule once, in the order the checker reported them.
function findingLines(findings: readonly MermaidFinding[] | undefined): string[] {
  if (!findings?.length) return [];
  return (['error', 'warning'] as const).flatMap((severity) => {
    const rules = [...new Set(findings.filter((f) => f.severity === severity).map((f) => f.rule))];
    return rules.length ? [`${severity}: ${rules.join(', ')}`] : [];
  });
}

function nodeLabel(component: Component, findings: readonly MermaidFinding[] | undefined): string {
  const detail = detailOf(component);
  return [
    escapeLabel(displayName(component)),
    ...(detail ? [`<small>${escapeLabel(detail)}</small>`] : []),
    ...findingLines(findings).map((line) => `<b>${escapeLabel(line)}</b>`),
  ].join('<br/>');
}

function layout(
  model: Topology,
  byId: ReadonlyMap<string, Component>,
  visible: (id: string) => boolean,
  nodeIds: ReadonlyMap<string, string>,
  regionIds: ReadonlyMap<string, string>,
  flagged: Flags,
): Group[] {
  const group = (id: string, title: string, classes: ExtraClass[], tier?: Tier): Group => ({
    id,
    title,
    classes,
    tier,
    groups: [],
    nodes: [],
  });
  const clients = group('g_clients', 'clients', []);
  const global = group('g_global', 'global', []);
  const regions = new Map(
    model.regions.map((r) => {
      const title = [r.id === r.code ? r.id : `${r.id} (${r.code})`, r.role, r.jurisdiction].join(' · ');
      return [
        r.id,
        group(regionIds.get(r.id) ?? '', escapeLabel(title), [r.role === 'primary' ? 'primaryRegion' : 'region']),
      ];
    }),
  );
  const clusters = new Map<string, Group>();
  const parentOf = (component: Component): Group => {
    const region = placementOf(model, component).region;
    return (region === undefined ? undefined : regions.get(region)) ?? global;
  };
  const clusterGroup = (cluster: Component): Group => {
    let g = clusters.get(cluster.id);
    if (!g) {
      const title = [
        displayName(cluster),
        cluster.kind === 'kubernetesCluster' ? clusterTitle(cluster) : cluster.kind,
        ...findingLines(flagged.get(cluster.id)),
      ].join(' · ');
      const worst = worstSeverity(flagged.get(cluster.id));
      const classes: ExtraClass[] = [
        'cluster',
        ...(worst === undefined ? [] : [worst === 'error' ? ('findingError' as const) : ('findingWarning' as const)]),
      ];
      g = group(nodeIds.get(cluster.id) ?? '', escapeLabel(title), classes, cluster.tier);
      clusters.set(cluster.id, g);
      parentOf(cluster).groups.push(g);
    }
    return g;
  };

  // A cluster is a subgraph when something visible runs in it; otherwise, if visible itself, a plain node.
  const hasVisibleChild = new Set<string>();
  for (const c of model.components) {
    if (typeof c.placement === 'object' && 'cluster' in c.placement && visible(c.id))
      hasVisibleChild.add(c.placement.cluster);
  }
  for (const c of model.components) {
    if (c.kind === 'kubernetesCluster' && hasVisibleChild.has(c.id)) clusterGroup(c);
  }
  for (const c of model.components) {
    if (!visible(c.id) || clusters.has(c.id)) continue;
    const cluster =
      typeof c.placement === 'object' && 'cluster' in c.placement ? byId.get(c.placement.cluster) : undefined;
    if (c.kind === 'client') clients.nodes.push(c);
    else if (cluster) clusterGroup(cluster).nodes.push(c);
    else parentOf(c).nodes.push(c);
  }

  const top = [clients, global, ...regions.values()];
  for (const g of top) splitByTier(g);
  return top.filter(hasContent);
}

// Inside a group holding several tiers, each tier gets its own subgraph; a single-tier group shows its nodes
// directly (the tier is still in their colour), so the picture has no boxes that only repeat their parent.
function splitByTier(group: Group): void {
  for (const child of group.groups) splitByTier(child);
  const tiers = tierOrder.filter((t) => group.nodes.some((n) => n.tier === t));
  if (tiers.length > 1) {
    for (const tier of tiers) {
      group.groups.push({
        id: `t_${group.id}_${tier}`,
        title: tier,
        classes: ['tierGroup'],
        tier,
        groups: [],
        nodes: group.nodes.filter((n) => n.tier === tier),
      });
    }
    group.nodes.length = 0;
  }
  group.groups.sort((a, b) => tierRank(a.tier) - tierRank(b.tier));
}

const tierRank = (tier: Tier | undefined) => (tier === undefined ? -1 : tierOrder.indexOf(tier));

function hasContent(group: Group): boolean {
  return group.nodes.length > 0 || group.groups.some(hasContent);
}
