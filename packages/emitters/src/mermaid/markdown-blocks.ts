import { EmitError } from '../errors.ts';

/**
 * Diagram blocks in Markdown: an opening marker naming a topology and a view, the generated fenced
 * Mermaid block, and a closing marker.
 *
 *     <!-- meridian:diagram src=examples/tv-voting/topology.ts view=region:eu-west-1 -->
 *     ```mermaid
 *     ...
 *     ```
 *     <!-- /meridian:diagram -->
 *
 * Pure text in, text out: reading files and loading the topologies is the caller's job.
 */

/** The attributes of an opening marker. */
export interface DiagramBlockAttributes {
  /** Path of the topology file (.ts, .yaml, .json). */
  readonly src: string;
  /** The view (`whole`, `region:<id>`, `tier:<tier>`, `data`); `whole` when absent. */
  readonly view: string;
  /** Flowchart direction override (`TB`, `LR`, ...). */
  readonly direction?: string;
  /** `check`: overlay the findings of `meridian check` on the diagram. */
  readonly findings?: 'check';
}

/** One diagram block found in a Markdown text. */
export interface DiagramBlock {
  /** 1-based line of the opening marker. */
  readonly line: number;
  /** 1-based line of the closing marker. */
  readonly endLine: number;
  readonly attributes: DiagramBlockAttributes;
  /** The text between the markers, line endings normalised to `\n`. */
  readonly body: string;
}

/** A block after regeneration: whether its text differed from what the model gives now. */
export interface RegeneratedBlock extends DiagramBlock {
  readonly isStale: boolean;
}

const knownAttributes = new Set(['src', 'view', 'direction', 'findings']);
const openPattern = /^\s*<!--\s*meridian:diagram(?<attrs>(?:\s[\s\S]*?)?)\s*-->\s*$/;
const closePattern = /^\s*<!--\s*\/meridian:diagram\s*-->\s*$/;
const fencePattern = /^\s{0,3}(```|~~~)/;
// A line that starts like a marker is read as one (and must parse); prose mentioning the syntax is not.
const markerLike = /^\s*<!--\s*\/?\s*meridian:diagram/;

/**
 * Finds every diagram block in `markdown`. Markers inside fenced code blocks are text, not markers.
 * Throws EmitError (with the line) for a marker it cannot read or a block that is never closed.
 */
export function findDiagramBlocks(markdown: string, file?: string): DiagramBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: DiagramBlock[] = [];
  let open: { line: number; attributes: DiagramBlockAttributes } | undefined;
  let body: string[] = [];
  let fence: string | undefined;
  const at = (line: number) => (file === undefined ? { line } : { file, line });

  lines.forEach((text, index) => {
    const line = index + 1;
    if (open) {
      if (closePattern.test(text)) {
        blocks.push({
          line: open.line,
          endLine: line,
          attributes: open.attributes,
          body: body.length ? `${body.join('\n')}\n` : '',
        });
        open = undefined;
        body = [];
      } else if (markerLike.test(text)) {
        throw new EmitError(
          'unclosed-diagram-block',
          `the diagram block opened on line ${open.line} is not closed before line ${line}`,
          {
            location: at(open.line),
            hint: 'end every block with <!-- /meridian:diagram --> before the next marker',
          },
        );
      } else {
        body.push(text);
      }
      return;
    }
    const fenceMatch = fencePattern.exec(text);
    if (fenceMatch) {
      const marker = fenceMatch[1] ?? '';
      if (fence === undefined) fence = marker;
      else if (fence === marker) fence = undefined;
      return;
    }
    if (fence !== undefined || !markerLike.test(text)) return;
    if (closePattern.test(text)) {
      throw new EmitError('bad-diagram-marker', 'a closing <!-- /meridian:diagram --> without an opening marker', {
        location: at(line),
        hint: 'open the block with <!-- meridian:diagram src=<topology file> view=<view> -->',
      });
    }
    const match = openPattern.exec(text);
    if (!match) {
      throw new EmitError('bad-diagram-marker', `cannot read the diagram marker: ${text.trim()}`, {
        location: at(line),
        hint: 'write the marker alone on its line: <!-- meridian:diagram src=<topology file> view=<view> -->',
      });
    }
    open = { line, attributes: parseAttributes(match.groups?.attrs ?? '', at(line)) };
  });
  if (open) {
    throw new EmitError('unclosed-diagram-block', `the diagram block opened on line ${open.line} is never closed`, {
      location: at(open.line),
      hint: 'end the block with <!-- /meridian:diagram -->',
    });
  }
  return blocks;
}

/**
 * Rewrites every diagram block of `markdown` with the Mermaid text `render` returns for it, and tells
 * which blocks changed. `markdown` comes back unchanged (byte for byte) when no block is stale.
 */
export function regenerateDiagramBlocks(
  markdown: string,
  render: (block: DiagramBlock) => string,
  file?: string,
): { markdown: string; blocks: RegeneratedBlock[] } {
  const blocks = findDiagramBlocks(markdown, file);
  const regenerated = blocks.map((block) => {
    const body = fencedMermaid(render(block));
    return { block: { ...block, isStale: body !== block.body }, body };
  });
  if (!regenerated.some((r) => r.block.isStale)) return { markdown, blocks: regenerated.map((r) => r.block) };

  const newline = markdown.includes('\r\n') ? '\r\n' : '\n';
  const lines = markdown.split(/\r?\n/);
  const out: string[] = [];
  let next = 0;
  for (const { block, body } of regenerated) {
    out.push(...lines.slice(next, block.line));
    out.push(...body.split('\n').slice(0, -1));
    next = block.endLine - 1;
  }
  out.push(...lines.slice(next));
  return { markdown: out.join(newline), blocks: regenerated.map((r) => r.block) };
}

function fencedMermaid(diagram: string): string {
  const text = diagram.endsWith('\n') ? diagram : `${diagram}\n`;
  return `\`\`\`mermaid\n${text}\`\`\`\n`;
}

function parseAttributes(text: string, location: { file?: string; line: number }): DiagramBlockAttributes {
  const values = new Map<string, string>();
  const token = /\s*([A-Za-z][\w-]*)=(?:"([^"]*)"|(\S+))|\s*(\S+)/gy;
  for (let m = token.exec(text); m; m = token.exec(text)) {
    const [, key, quoted, bare, stray] = m;
    if (stray !== undefined || key === undefined) {
      throw new EmitError(
        'bad-diagram-marker',
        `cannot read '${stray ?? ''}' in the diagram marker; attributes are key=value`,
        {
          location,
          hint: 'write attributes as src=<file> view=<view>, quoting values that hold spaces',
        },
      );
    }
    if (!knownAttributes.has(key)) {
      throw new EmitError('unknown-diagram-attribute', `unknown attribute '${key}' in the diagram marker`, {
        location,
        hint: `the attributes are ${[...knownAttributes].join(', ')}`,
      });
    }
    values.set(key, quoted ?? bare ?? '');
  }
  const src = values.get('src');
  if (!src) {
    throw new EmitError('bad-diagram-marker', 'the diagram marker has no src', {
      location,
      hint: 'name the topology file: <!-- meridian:diagram src=examples/tv-voting/topology.ts -->',
    });
  }
  const findings = values.get('findings');
  if (findings !== undefined && findings !== 'check') {
    throw new EmitError('bad-diagram-marker', `findings='${findings}': the only source of findings is check`, {
      location,
      hint: 'write findings=check to overlay what meridian check finds, or leave it out',
    });
  }
  const direction = values.get('direction');
  return {
    src,
    view: values.get('view') ?? 'whole',
    ...(direction === undefined ? {} : { direction }),
    ...(findings === undefined ? {} : { findings }),
  };
}
