/**
 * Cache prediction (pure): each step's key against the keys a recorded build left in the builder's cache,
 * and, for a step that misses, the reason a user acts on, found by comparing its inputs with the step built
 * in its place last time.
 */
import type { CachePrediction, Step } from '../types';
import type { Baseline, BaselineStep, KeyInputs } from './baseline';
import type { StepKey } from './keys';

/** What the next build will rerun: steps, and the seconds those steps took last time (null when no timing is known). */
export interface NextBuild {
  steps: number;
  seconds: number | null;
  /** The costliest rerun, for the status bar: its 1-based line, summary and seconds. */
  costliest: { line: number; summary: string; seconds: number } | null;
}

/** Why no baseline applies: none recorded yet, or the state folder's problem. */
export interface NoBaseline {
  why: string;
}

/**
 * Predicts every step's cache status (same order as `steps`); `built` says which stages the builder builds.
 * Steps that run nothing (FROM, BuildKit's metadata instructions) and stages not built are `unknown` with why.
 */
export function predictCache(steps: Step[], keys: StepKey[], built: (stage: number | null) => boolean, baseline: Baseline | NoBaseline): Prediction {
  if ('why' in baseline) return { cache: steps.map((s, i) => notAStep(s, keys[i], built) ?? { status: 'unknown', reason: baseline.why }), nextBuild: null, counterparts: new Map() };
  const known = new Set<string>(baseline.knownKeys);
  for (const b of baseline.steps) if (b.cache !== null) known.add(b.key);
  const counterparts = matchCounterparts(keys, baseline);
  const when = new Date(baseline.builtAt).toLocaleString();
  const cache: CachePrediction[] = steps.map((s, i) => {
    const skip = notAStep(s, keys[i], built);
    if (skip !== null) return skip;
    const k = keys[i];
    if (k.key === null) return { status: 'unknown', reason: k.unknownWhy ?? 'An input of this step is not known before the build.' };
    if (known.has(k.key)) return { status: 'hit', reason: `Unchanged since a recorded build (the last at ${when}): taken from the build cache, unless the cache was pruned.` };
    return { status: 'miss', reason: missReason(i, keys, steps, counterparts, known) };
  });
  return { cache, nextBuild: nextBuildOf(steps, cache, counterparts), counterparts };
}

/** Every step's predicted status, the next build's cost, and the recorded step built in each step's place (by step index). */
export interface Prediction {
  cache: CachePrediction[];
  nextBuild: NextBuild | null;
  counterparts: Map<number, BaselineStep>;
}

/** The prediction for an instruction that is not a cached build step, or null when it is one. */
export function notAStep(s: Step, k: StepKey, built: (stage: number | null) => boolean): CachePrediction | null {
  if (s.stage === null) return { status: 'unknown', reason: 'A global build argument is not a build step.' };
  if (s.keyword === 'FROM') return { status: 'unknown', reason: 'FROM is not cached itself: its image is part of the key of every step after it.' };
  if (!built(s.stage)) return { status: 'unknown', reason: 'Not built for this target.' };
  if (k.kind === 'none') return { status: 'unknown', reason: `BuildKit runs no build step for ${s.keyword}: it changes only the image configuration.` };
  return null;
}

/**
 * Pairs each current step with the step built in its place last time: the same instruction in the same stage
 * when there is one (so added and moved steps pair up right), else the step at the same position.
 */
function matchCounterparts(keys: StepKey[], baseline: Baseline): Map<number, BaselineStep> {
  const pairs = new Map<number, BaselineStep>();
  const byStage = new Map<number, BaselineStep[]>();
  for (const b of baseline.steps) byStage.set(b.stage, [...(byStage.get(b.stage) ?? []), b]);
  const used = new Set<BaselineStep>();
  const current = keys.filter((k) => k.kind === 'step');
  for (const k of current) {
    const same = (byStage.get(k.stage ?? -1) ?? []).find((b) => !used.has(b) && b.inputs.instruction === k.inputs.instruction);
    if (same) { pairs.set(k.index, same); used.add(same); }
  }
  const ordinals = new Map<number, number>();
  for (const k of current) {
    const stage = k.stage ?? -1;
    const n = ordinals.get(stage) ?? 0;
    ordinals.set(stage, n + 1);
    if (pairs.has(k.index)) continue;
    const b = byStage.get(stage)?.[n];
    if (b && !used.has(b) && b.keyword === keywordOf(k)) { pairs.set(k.index, b); used.add(b); }
  }
  return pairs;
}

const keywordOf = (k: StepKey): string => k.inputs.instruction.split(' ')[0];

function missReason(i: number, keys: StepKey[], steps: Step[], pairs: Map<number, BaselineStep>, known: Set<string>): string {
  const k = keys[i];
  const before = pairs.get(i);
  if (before === undefined) return 'Never built: a new step.';
  if (k.inputs.instruction !== before.inputs.instruction) return 'Instruction changed.';
  // The first step that reruns is the cause users act on; every later step of the chain follows it.
  const parent = firstRebuiltAncestor(k, keys, known);
  if (parent !== null) return `Line ${steps[parent].line + 1} rebuilds, so this step does too.`;
  // What a command of the source stage makes is not known before the build: a rebuilt stage usually makes new bytes.
  if (k.fromStage !== undefined && sameExceptContent(k.inputs, before.inputs)) {
    return 'The stage it copies from rebuilds, and a command there may change what it copies: it reruns unless those files come out byte-identical (then it is taken from the cache).';
  }
  const own = ownChange(k.inputs, before.inputs, k);
  if (own !== null) return own;
  return 'It now runs after other steps than in the recorded build (steps were moved or removed before it).';
}

/** Whether two steps' inputs differ at most in what they copy. */
function sameExceptContent(a: KeyInputs, b: KeyInputs): boolean {
  return ownChange({ ...a, content: null }, { ...b, content: null }, { envFrom: {} }) === null;
}

/** The first difference of a step's own inputs, in words; null when only its parent differs. */
function ownChange(now: KeyInputs, then: KeyInputs, k: Pick<StepKey, 'envFrom' | 'files'>): string | null {
  if (now.instruction !== then.instruction) return 'Instruction changed.';
  const env = changedKeys(now.env, then.env);
  if (env.length > 0) {
    const name = env[0];
    const origin = k.envFrom[name];
    const more = env.length > 1 ? ` (and ${env.length - 1} more)` : '';
    if (origin === undefined) return `${name} changed${more}.`;
    return origin.keyword === 'ARG' ? `Build arg ${name} changed${more} (ARG on line ${origin.line + 1}).` : `ENV on line ${origin.line + 1} changed (${name}${more}).`;
  }
  if (now.workdir !== then.workdir) return `Its working folder changed (WORKDIR ${then.workdir || '/'} -> ${now.workdir || '/'}).`;
  if (now.user !== then.user) return `USER changed (${then.user || 'root'} -> ${now.user || 'root'}).`;
  if (now.shell !== then.shell) return 'SHELL changed.';
  if (now.base !== then.base) return 'Base image changed.';
  if (now.content !== then.content) return filesChange(k, then);
  return null;
}

/** Whether two `mode content` entries differ in mode only. */
function sameContent(a: string, b: string): boolean {
  return a.slice(a.indexOf(' ')) === b.slice(b.indexOf(' '));
}

function changedKeys(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((n) => a[n] !== b[n]).sort();
}

/** Which copied files changed (`src/app.js changed (and 2 more files)`), or a plain sentence when not listed. */
function filesChange(k: Pick<StepKey, 'files'>, then: KeyInputs): string {
  const listed = k.files?.();
  if (listed === undefined || !('files' in listed) || then.files === undefined || then.filesTruncated) return 'The copied files changed.';
  const now = listed.files;
  const old = then.files;
  const changed: string[] = [];
  for (const [p, h] of Object.entries(now)) if (old[p] !== h) changed.push(old[p] === undefined ? `${p} added` : sameContent(old[p], h) ? `${p}'s mode changed` : `${p} changed`);
  for (const p of Object.keys(old)) if (now[p] === undefined) changed.push(`${p} removed`);
  if (changed.length === 0) return 'The copied files changed.';
  const more = changed.length > 1 ? ` (and ${changed.length - 1} more ${changed.length === 2 ? 'file' : 'files'})` : '';
  return `${changed[0]}${more}.`;
}

/** The nearest earlier step of the chain that is not in the cache, or null when every one is. */
function firstRebuiltAncestor(k: StepKey, keys: StepKey[], known: Set<string>): number | null {
  let found: number | null = null;
  for (let p = k.parent; p !== null; p = keys[p].parent) {
    const key = keys[p].key;
    if (key !== null && !known.has(key)) found = p;
  }
  return found;
}

function nextBuildOf(steps: Step[], cache: CachePrediction[], pairs: Map<number, BaselineStep>): NextBuild {
  let count = 0;
  let seconds: number | null = null;
  let costliest: NextBuild['costliest'] = null;
  cache.forEach((c, i) => {
    if (c.status !== 'miss') return;
    count++;
    const took = pairs.get(i)?.seconds;
    if (took === undefined || took === null) return;
    seconds = (seconds ?? 0) + took;
    if (costliest === null || took > costliest.seconds) costliest = { line: steps[i].line + 1, summary: steps[i].summary, seconds: took };
  });
  return { steps: count, seconds, costliest };
}
