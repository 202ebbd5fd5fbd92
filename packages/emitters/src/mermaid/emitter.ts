import { OverlayFindingSchema, type Topology } from '@meridian/topology';
import { z } from 'zod';
import type { Emitter } from '../emitter.ts';
import { toMermaid } from './to-mermaid.ts';
import { mermaidViews } from './views.ts';

const MermaidEmitOptionsSchema = z.strictObject({
  views: z.array(z.string()).optional(),
  direction: z.enum(['TB', 'BT', 'LR', 'RL']).optional(),
  findings: z.array(OverlayFindingSchema).optional(),
});

/** Options of the mermaid emitter: which views (default every view of the model), direction, findings to overlay. */
export type MermaidEmitOptions = z.infer<typeof MermaidEmitOptionsSchema>;

/** The file stem of a topology's diagrams: its name, lowercased, safe in a file name. */
export function diagramStem(model: Topology): string {
  return (
    model.name
      .toLowerCase()
      .replace(/[^a-z0-9_.-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'topology'
  );
}

/**
 * `meridian emit mermaid`: one `<name>.<view>.mmd` per view (`region:eu-west-1` becomes `region-eu-west-1`).
 * Every view is checked against the model before any text is made.
 */
export const mermaidEmitter: Emitter<MermaidEmitOptions> = {
  id: 'mermaid',
  description: 'Mermaid flowcharts: the whole topology, each region, each tier and the data flows',
  options: MermaidEmitOptionsSchema,
  flags: [
    {
      name: 'view',
      key: 'views',
      type: 'values',
      description: 'whole, data, region:<id> or tier:<tier>; repeat for several (default: every view)',
    },
    { name: 'direction', key: 'direction', type: 'value', description: 'flowchart direction TB, BT, LR or RL' },
  ],
  showsFindings: true,
  emit(model, options) {
    const views = options.views?.length ? options.views : mermaidViews(model);
    const stem = diagramStem(model);
    return views.map((view) => ({
      path: `${stem}.${view.replace(/[^A-Za-z0-9_.-]/g, '-')}.mmd`,
      contents: toMermaid(model, { view, findings: options.findings, direction: options.direction }),
      mediaType: 'text/vnd.mermaid',
    }));
  },
};
