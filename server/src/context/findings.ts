/**
 * What the scan of a build context found, as findings on the Dockerfile: the scan stopped early, or paths
 * the builder cannot send or follow. Pure: plain data in, plain data out (no fs here despite the folder).
 */
import type { ContextIndex } from '../core/context';
import type { Analysis, Finding, Step } from '../core/types';
import { prepareContext } from '../core/sources';
import { ignoreFlavor } from '../core/engine';

/** How many problem paths one finding lists before it says "and N more". */
const LISTED = 5;

/** Whether a step reads the build context (COPY/ADD without --from), so its size waits for the scan. */
function readsContext(step: Step): boolean {
  return (step.keyword === 'COPY' || step.keyword === 'ADD') && step.layer !== 'no' && !/--from[= ]/.test(step.summary);
}

/** While the build context is scanned, COPY/ADD steps that read it show `sizing…` (source `pending`) instead of a size. */
export function markSizing(analysis: Analysis): Analysis {
  for (const step of analysis.steps) {
    if (readsContext(step) && step.size.bytes === null) step.size = { bytes: null, source: 'pending', detail: 'The build context is being scanned.' };
  }
  return analysis;
}

/** Adds findings for a stopped scan and for problems of paths the builder receives, on the first step that reads the context (or line 0). */
export function contextFindings(analysis: Analysis, context: ContextIndex | undefined): Analysis {
  if (!context || (context.incomplete === undefined && context.problems.length === 0)) return analysis;
  // Paths the ignore file keeps from the builder cannot fail the build: only the ones it receives count.
  const sent = context.problems.length === 0 || context.ignoreFile === null ? null : prepareContext(context, analysis.builder, ignoreFlavor(analysis.model.engine)).included;
  const problems = sent === null ? context.problems : context.problems.filter((p) => !context.entries.has(p.path) || sent.has(p.path));
  const step = analysis.steps.find(readsContext);
  const at = { line: step?.line ?? 0, endLine: step?.endLine ?? 0 };
  const extra: Finding[] = [];
  if (context.incomplete !== undefined) extra.push({ code: 'context-incomplete', severity: 'info', message: context.incomplete, ...at });
  if (problems.length > 0) {
    const listed = problems.slice(0, LISTED).map((p) => `${p.path}: ${p.message}`);
    const more = problems.length > LISTED ? `; and ${problems.length - LISTED} more` : '';
    extra.push({ code: 'context-problems', severity: 'warning', message: `The build context ${context.root} has paths the builder may not handle: ${listed.join('; ')}${more}.`, ...at });
  }
  return { ...analysis, findings: [...analysis.findings, ...extra] };
}
