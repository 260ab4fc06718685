/**
 * Runs every layer rule (merge, cleanup, caches, order) and applies the configured severities. Each rule
 * is one linear pass over the instructions, so the whole run stays well under a millisecond for typical
 * files and a few milliseconds for thousand-line ones.
 */
import type { Finding, Severity, SeveritySetting, StageSummary, Step } from './types';
import type { ResolvedModel } from './stages';
import { ruleContext, type RuleHit } from './rules/context';
import { checkMergeRuns, MERGE_RUNS } from './rules/merge';
import { checkLaterCleanup, CLEANUP_LATER } from './rules/cleanup';
import { APK_CACHE, APT_LISTS, APT_RECOMMENDS, checkCaches, NPM_CACHE, PIP_CACHE, YARN_CACHE } from './rules/caches';
import { checkCopyOrder, COPY_BEFORE_INSTALL } from './rules/order';

/** Each layer rule's code and its severity when the settings do not say otherwise. */
export const DEFAULT_SEVERITIES: Readonly<Record<string, Severity>> = {
  [MERGE_RUNS]: 'info',
  [CLEANUP_LATER]: 'warning',
  [APT_LISTS]: 'warning',
  [APK_CACHE]: 'warning',
  [PIP_CACHE]: 'warning',
  [NPM_CACHE]: 'warning',
  [YARN_CACHE]: 'warning',
  [APT_RECOMMENDS]: 'info',
  [COPY_BEFORE_INSTALL]: 'warning',
};

/** The layer rules' hits (findings with their fixes), with severities applied and `off` codes left out. */
export function runLayerRules(text: string, model: ResolvedModel, steps: Step[], stages: StageSummary[], severities: Record<string, SeveritySetting> = {}): RuleHit[] {
  let hits: RuleHit[];
  try {
    const ctx = ruleContext(text, model, steps, stages);
    hits = [...checkMergeRuns(ctx), ...checkLaterCleanup(ctx), ...checkCaches(ctx), ...checkCopyOrder(ctx)];
  } catch (e) {
    // A rule bug must not cost the user the rest of the analysis: report it and go on without layer rules.
    const message = `Dockerfile Layers could not run its layer rules: ${e instanceof Error ? e.message : String(e)}`;
    return [{ finding: { code: 'internal-error', severity: 'warning', message, line: 0, endLine: 0 }, span: { line: 0, endLine: 0 }, fix: null }];
  }
  const result: RuleHit[] = [];
  for (const h of hits) {
    const severity = severities[h.finding.code] ?? DEFAULT_SEVERITIES[h.finding.code] ?? h.finding.severity;
    if (severity !== 'off') result.push({ ...h, finding: { ...h.finding, severity } });
  }
  return result.sort((a, b) => a.finding.line - b.finding.line);
}

/** Applies configured severities to any findings (parse errors included); `off` removes a code's findings. */
export function applySeverities(findings: Finding[], severities: Record<string, SeveritySetting> = {}): Finding[] {
  const result: Finding[] = [];
  for (const f of findings) {
    const s = severities[f.code];
    if (s === 'off') continue;
    result.push(s === undefined ? f : { ...f, severity: s });
  }
  return result;
}
