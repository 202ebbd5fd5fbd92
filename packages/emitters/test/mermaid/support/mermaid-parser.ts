import { JSDOM } from 'jsdom';

/** A flowchart as the real Mermaid parser understood it, labels decoded to the text a reader sees. */
export interface ParsedFlowchart {
  readonly direction: string;
  readonly nodes: ReadonlyMap<
    string,
    {
      readonly id: string;
      readonly label: string;
      readonly shape: string | undefined;
      readonly classes: readonly string[];
    }
  >;
  readonly edges: readonly {
    readonly from: string;
    readonly to: string;
    readonly label: string;
    readonly stroke: string;
    readonly arrow: string;
  }[];
  readonly subgraphs: ReadonlyMap<
    string,
    {
      readonly id: string;
      readonly title: string;
      readonly members: readonly string[];
      readonly classes: readonly string[];
    }
  >;
  readonly classDefs: ReadonlySet<string>;
}

interface FlowDb {
  getVertices(): Map<string, { id: string; text?: string; type?: string; classes: string[] }>;
  getEdges(): { start: string; end: string; text: string; stroke: string; type: string }[];
  getSubGraphs(): { id: string; title: string; nodes: string[]; classes: string[] }[];
  getClasses(): Map<string, unknown>;
  getDirection(): string;
}

interface MermaidApi {
  parse(text: string): Promise<unknown>;
  mermaidAPI: { getDiagramFromText(text: string): Promise<{ db: FlowDb }> };
}

let loading: Promise<{ mermaid: MermaidApi; decode: (text: string) => string }> | undefined;

// mermaid reads `window`/`document` when its modules load (DOMPurify, d3), so the jsdom globals must exist
// before the first import; one window serves every test in the worker.
function load(): Promise<{ mermaid: MermaidApi; decode: (text: string) => string }> {
  loading ??= (async () => {
    const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
    const globals = globalThis as Record<string, unknown>;
    globals.window = dom.window;
    globals.document = dom.window.document;
    const mermaid = (await import('mermaid')).default as unknown as MermaidApi & { initialize(config: object): void };
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
    const textarea = dom.window.document.createElement('textarea');
    // The parser keeps entity codes as ﬂ°name¶ß / ﬂ°°123¶ß until rendering (mermaid's encodeEntities);
    // decode them the way the renderer does, through the DOM, to get what a reader sees.
    // Markup the emitter writes (<br/>, <small>, <b>) becomes line breaks and nothing before decoding, so a
    // user's own '<' (written as an entity code) can never pass for markup.
    const decode = (text: string): string => {
      const lines = text.replace(/<br\s*\/?>/g, '\n').replace(/<\/?(?:small|b)>/g, '');
      textarea.innerHTML = lines.replace(/ﬂ°°/g, '&#').replace(/ﬂ°/g, '&').replace(/¶ß/g, ';');
      return textarea.value;
    };
    return { mermaid, decode };
  })();
  return loading;
}

/** Validates `text` with mermaid.parse (throws on a syntax error) and returns its nodes, edges and subgraphs. */
export async function parseFlowchart(text: string): Promise<ParsedFlowchart> {
  const { mermaid, decode } = await load();
  await mermaid.parse(text);
  const { db } = await mermaid.mermaidAPI.getDiagramFromText(text);
  const subgraphList = db.getSubGraphs();
  const subgraphIds = new Set(subgraphList.map((s) => s.id));
  const nodes = new Map<string, { id: string; label: string; shape: string | undefined; classes: string[] }>();
  for (const vertex of db.getVertices().values()) {
    // An edge to a subgraph registers a vertex with the subgraph's id; it is the subgraph, not a node.
    if (subgraphIds.has(vertex.id)) continue;
    nodes.set(vertex.id, {
      id: vertex.id,
      label: decode(vertex.text ?? vertex.id),
      shape: vertex.type,
      classes: vertex.classes,
    });
  }
  return {
    direction: db.getDirection(),
    nodes,
    edges: db
      .getEdges()
      .map((e) => ({ from: e.start, to: e.end, label: decode(e.text ?? ''), stroke: e.stroke, arrow: e.type })),
    subgraphs: new Map(
      subgraphList.map((s) => [s.id, { id: s.id, title: decode(s.title), members: s.nodes, classes: s.classes }]),
    ),
    classDefs: new Set(db.getClasses().keys()),
  };
}
