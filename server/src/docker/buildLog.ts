/**
 * Build output -> which Dockerfile steps were taken from the cache. Pure text parsing (no process here):
 * BuildKit prints `#N [stage i/n] KEYWORD ...` and later `#N CACHED`; the legacy builder prints
 * `Step i/n : KEYWORD ...` and then ` ---> Using cache` for a hit.
 */
import type { Analysis, Step } from '../core/types';

/** Per 0-based Dockerfile line: hit (taken from cache) or miss (rebuilt), for the steps the log shows. */
export type CacheResults = Map<number, 'hit' | 'miss'>;

/** Whether a log line is one the cache parsing needs; the build keeps only these (plus a tail) in memory. */
export function isCacheLine(line: string): boolean {
  return /^#\d+ (\[|CACHED|DONE)/.test(line) || /^Step \d+\/\d+ : /.test(line) || line.startsWith(' ---> Using cache');
}

/** Reads the cache results of a build log for the builder of `analysis` (the analysis of the text built). */
export function parseCacheResults(log: string, analysis: Analysis): CacheResults {
  const lines = log.split(/\r?\n/);
  return analysis.builder === 'buildkit' ? parseBuildkit(lines, analysis) : parseLegacy(lines, analysis);
}

/** The Dockerfile step a legacy `Step i/n : KEYWORD ...` line names, or null (FROM, global ARGs, a mismatch). */
export function legacyStepOf(line: string, analysis: Analysis): Step | null {
  const step = /^Step (\d+)\/\d+ : (\S+)/.exec(line);
  if (!step) return null;
  // The legacy builder numbers every instruction of the file, global ARGs included, from 1.
  const candidate = analysis.steps[Number(step[1]) - 1];
  // FROM and global ARGs are not build steps: the builder never takes them from a cache.
  const isStep = candidate !== undefined && candidate.stage !== null && candidate.keyword !== 'FROM';
  return isStep && candidate.keyword === step[2].toUpperCase() ? candidate : null;
}

function parseLegacy(lines: string[], analysis: Analysis): CacheResults {
  const results: CacheResults = new Map();
  let current: Step | null = null;
  for (const line of lines) {
    if (/^Step \d+\/\d+ : /.test(line)) {
      current = legacyStepOf(line, analysis);
      if (current) results.set(current.line, 'miss');
    } else if (current && line.startsWith(' ---> Using cache')) {
      results.set(current.line, 'hit');
    }
  }
  return results;
}

/** A step BuildKit printed: its vertex number, stage label (absent for single-stage files), position and text. */
interface LoggedStep {
  vertex: string;
  label: string | null;
  index: number;
  keyword: string;
  text: string;
}

/** Instructions that become BuildKit build steps; metadata instructions are not printed. */
const BUILDKIT_OPS = new Set(['RUN', 'COPY', 'ADD', 'WORKDIR']);

function parseBuildkit(lines: string[], analysis: Analysis): CacheResults {
  const cached = new Set<string>();
  for (const line of lines) {
    const hit = /^#(\d+) CACHED\s*$/.exec(line);
    if (hit) cached.add(hit[1]);
  }
  const results: CacheResults = new Map();
  for (const [line, vertex] of buildkitVertices(lines, analysis)) results.set(line, cached.has(vertex) ? 'hit' : 'miss');
  return results;
}

/** Seconds each step took, by 0-based line: BuildKit's `#N DONE 1.2s`, or for the legacy builder the time from its `Step` line to the next (`stepStarts`, ms). */
export function parseStepSeconds(log: string, analysis: Analysis, stepStarts: Array<{ text: string; at: number }>, endedAt: number): Map<number, number> {
  const seconds = new Map<number, number>();
  if (analysis.builder === 'legacy') {
    stepStarts.forEach((s, i) => {
      const step = legacyStepOf(s.text, analysis);
      const next = stepStarts[i + 1]?.at ?? endedAt;
      if (step) seconds.set(step.line, Math.max(0, (next - s.at) / 1000));
    });
    return seconds;
  }
  const lines = log.split(/\r?\n/);
  const done = new Map<string, number>();
  for (const line of lines) {
    const m = /^#(\d+) DONE (\d+(?:\.\d+)?)s\s*$/.exec(line);
    if (m) done.set(m[1], Number(m[2]));
  }
  for (const [line, vertex] of buildkitVertices(lines, analysis)) seconds.set(line, done.get(vertex) ?? 0);
  return seconds;
}

/** Which BuildKit vertex ran each step, by 0-based line. */
function buildkitVertices(lines: string[], analysis: Analysis): Map<number, string> {
  const logged = new Map<string, LoggedStep>();
  for (const line of lines) {
    const head = /^#(\d+) \[(?:(\S+) )?(\d+)\/\d+\] (\S+)\s*(.*)$/.exec(line);
    if (head && !logged.has(head[1])) {
      logged.set(head[1], { vertex: head[1], label: head[2] ?? null, index: Number(head[3]), keyword: head[4].toUpperCase(), text: `${head[4]} ${head[5]}`.trim() });
    }
  }
  const results = new Map<number, string>();
  const byStage = new Map<number, LoggedStep[]>();
  for (const s of logged.values()) {
    const stage = stageOfLabel(s.label, analysis);
    if (stage === null || s.keyword === 'FROM') continue;
    byStage.set(stage, [...(byStage.get(stage) ?? []), s]);
  }
  for (const [stage, stepsLogged] of byStage) {
    const ops = analysis.steps.filter((s) => s.stage === stage && BUILDKIT_OPS.has(s.keyword));
    for (const [line, vertex] of matchOps(stepsLogged.sort((a, b) => a.index - b.index), ops)) results.set(line, vertex);
  }
  return results;
}

/** BuildKit labels stages by name, else `stage-N`; a single-stage file gets no label. */
function stageOfLabel(label: string | null, analysis: Analysis): number | null {
  if (label === null) return analysis.stages.length === 1 ? 0 : analysis.target;
  const named = analysis.stages.find((s) => s.name !== null && s.name.toLowerCase() === label.toLowerCase());
  if (named) return named.index;
  const numbered = /^stage-(\d+)$/.exec(label);
  return numbered && analysis.stages[Number(numbered[1])] ? Number(numbered[1]) : null;
}

/**
 * Pairs logged steps (in order) with the stage's op instructions (in order) by keyword, preferring an
 * instruction whose text matches; ops BuildKit skipped (such as `WORKDIR /`) are passed over. Returns line -> vertex.
 */
function matchOps(logged: LoggedStep[], ops: Step[]): Map<number, string> {
  const pairs = new Map<number, string>();
  let next = 0;
  for (const s of logged) {
    const sameKeyword = ops.slice(next).filter((o) => o.keyword === s.keyword);
    const chosen = sameKeyword.find((o) => sameText(o.summary, s.text)) ?? sameKeyword[0];
    if (chosen === undefined) continue;
    pairs.set(chosen.line, s.vertex);
    next = ops.indexOf(chosen) + 1;
  }
  return pairs;
}

/** Compares an analysis summary (possibly shortened with `…`) with a logged instruction, spaces collapsed. */
function sameText(summary: string, logged: string): boolean {
  const a = summary.replace(/\s+/g, ' ').trim();
  const b = logged.replace(/\s+/g, ' ').trim();
  return a.endsWith('…') ? b.startsWith(a.slice(0, -1)) : a === b;
}
