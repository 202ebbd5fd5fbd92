// Public API of @meridian/emitters: every export is named here.
export { EmitError, type EmitErrorCode, type EmitErrorLocation } from './errors.ts';
export {
  type DiagramBlock,
  type DiagramBlockAttributes,
  findDiagramBlocks,
  type RegeneratedBlock,
  regenerateDiagramBlocks,
} from './mermaid/markdown-blocks.ts';
export { type MermaidFinding, type MermaidOptions, toMermaid } from './mermaid/to-mermaid.ts';
export { type MermaidView, mermaidViews } from './mermaid/views.ts';
