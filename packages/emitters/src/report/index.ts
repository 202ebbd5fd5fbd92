// Public API of @meridian/emitters/report: the design review page. A subpath of its own because its charts load
// Observable Plot and jsdom, which every other emitter (and every CLI start) does without.
export {
  type ReviewDiagram,
  type ReviewDiagramSource,
  reviewDiagramSources,
  toReviewHtml,
} from './to-review-html.ts';
