/**
 * Analysis -> what the CLI prints: the documented JSON shape and a readable table.
 */
import type { Analysis, Finding, SizeEstimate } from '../core/types';
import { formatBytes, formatSize, imageSizeText, layerCount, nextBuildText } from '../core/present';
import { stageLabel } from '../core/layers';

/** The CLI's JSON report, with 1-based lines; exactly the documented shape. */
export function toJsonReport(analysis: Analysis, dockerfile: string, context: string): object {
  const target = analysis.target === null ? null : (analysis.stages[analysis.target]?.name ?? analysis.target);
  return {
    dockerfile,
    context,
    builder: analysis.builder,
    engine: { version: analysis.model.engine.version, source: analysis.model.engine.source, model: analysis.model.label },
    target,
    stages: analysis.stages.map((s) => ({ index: s.index, name: s.name, base: s.base, line: s.line + 1, inTarget: s.inTarget })),
    steps: analysis.steps.map((s) => ({
      line: s.line + 1,
      endLine: s.endLine + 1,
      stage: s.stage,
      keyword: s.keyword,
      layer: s.layer,
      // `pending` (a scan still running) exists only in the editor; the CLI waits for its scan.
      size: jsonSize(s.size),
      cache: { status: s.cache.status, reason: s.cache.reason, source: s.cache.source ?? 'predicted' },
      wasted: s.wasted === undefined ? { bytes: 0 } : { bytes: s.wasted.bytes, detail: s.wasted.detail, lowerBound: s.wasted.lowerBound === true },
    })),
    totals: {
      layers: analysis.totals.layers, bytes: analysis.totals.bytes, lowerBound: analysis.totals.lowerBound === true,
      estimated: analysis.totals.estimated === true,
      base: analysis.totals.base === undefined ? null : { ref: analysis.totals.base.ref, bytes: analysis.totals.base.bytes, compressed: analysis.totals.base.compressed === true, ...(analysis.totals.base.why ? { why: analysis.totals.base.why } : {}) },
      imageBytes: analysis.totals.imageBytes ?? null,
      wastedBytes: analysis.totals.wastedBytes ?? null, wastedLowerBound: analysis.totals.wastedLowerBound === true,
      efficiency: analysis.totals.efficiency ?? null, userWastedPercent: analysis.totals.userWastedPercent ?? null,
      wasteSource: analysis.totals.wasteSource ?? null,
      nextBuild: analysis.nextBuild ? { steps: analysis.nextBuild.steps, seconds: analysis.nextBuild.seconds } : null,
    },
  };
}

/** A step's size in the JSON report: bytes, source, how sure, and what was estimated before a measurement replaced it. */
function jsonSize(size: SizeEstimate): object {
  // `pending` (a scan still running) exists only in the editor; the CLI waits for its scan.
  const source = size.source === 'pending' ? 'unknown' : size.source;
  return {
    bytes: size.bytes, source, lowerBound: size.lowerBound === true, detail: size.detail ?? null,
    ...(size.confidence ? { confidence: size.confidence } : {}), ...(size.compressed ? { compressed: true } : {}), ...(size.lastBuild ? { lastBuild: true } : {}),
    ...(size.estimate ? { estimate: jsonSize(size.estimate) } : {}),
  };
}

const HEADERS = ['LINE', 'STAGE', 'INSTRUCTION', 'LAYER', 'SIZE', 'CACHE', 'WASTED'];

/** A plain-text table: one row per instruction, then totals and the builder the answer is for. */
export function toTable(analysis: Analysis): string {
  const rows = analysis.steps.map((s) => {
    const stage = s.stage === null ? '-' : stageLabel(s.stage, analysis.stages[s.stage]?.name ?? null);
    const built = s.stage === null || analysis.stages[s.stage]?.built !== false;
    const layer = built ? s.layer : 'skip';
    const size = !built || (s.keyword === 'FROM' ? s.size.source === 'none' : s.layer === 'no') ? '-' : formatSize(s.size, '?');
    const wasted = s.wasted === undefined || s.wasted.bytes === 0 ? '' : formatBytes(s.wasted.bytes);
    return [String(s.line + 1), stage, s.summary, layer, size, CACHE_WORDS[s.cache.status], wasted];
  });
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  const t = analysis.totals;
  const size = imageSizeText(t, 'size unknown');
  const eff = (t.efficiency === null || t.efficiency === undefined ? '' : `, efficiency ${(t.efficiency * 100).toFixed(1)}%`)
    + (t.userWastedPercent === null || t.userWastedPercent === undefined ? '' : `, user wasted ${(t.userWastedPercent * 100).toFixed(1)}%`);
  const waste = t.wastedBytes === undefined || (t.wastedBytes === 0 && t.wasteSource !== 'measured') ? [] : [`Wasted space (dive's measure, ${t.wasteSource === 'measured' ? 'measured' : 'estimated'}): ${t.wastedLowerBound ? 'at least ' : ''}${formatBytes(t.wastedBytes)}${eff}`];
  const maybe = t.maybeLayers > 0 ? ` (+${t.maybeLayers} maybe)` : '';
  const builder = `${analysis.model.label}${modelSource(analysis)}`;
  const target = analysis.target === null ? '' : `, target ${stageLabel(analysis.target, analysis.stages[analysis.target]?.name ?? null)}`;
  const next = analysis.nextBuild ? [nextBuildText(analysis.nextBuild)] : [];
  return [fmt(HEADERS), ...rows.map(fmt), '', `Final image: ${layerCount(t.layers)}${maybe} added, ${size} (${builder}${target})`, ...waste, ...next].join('\n');
}

/** The cache column's words, as the hints say them. */
const CACHE_WORDS = { hit: 'cached', miss: 'rebuild', unknown: 'unknown' } as const;

/** Where the modelled engine version came from, for the table's last line. */
function modelSource(analysis: Analysis): string {
  const source = analysis.model.engine.source;
  return source === 'daemon' ? ', from the daemon' : source === 'setting' ? ', as given' : ', the default engine';
}

/** A finding as `file:line: severity: message`, the form editors and CI logs link. */
export function formatFinding(file: string, f: Finding): string {
  return `${file}:${f.line + 1}: ${f.severity}: ${f.message} [${f.code}]`;
}
