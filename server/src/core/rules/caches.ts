/**
 * Package-manager caches left in a layer, and apt installs that pull recommended packages. Rules:
 * `apt-lists-left`, `apk-cache`, `pip-cache`, `npm-cache`, `yarn-cache`, `apt-install-recommends`.
 * A cache mount on the cache folder (`RUN --mount=type=cache,target=...`) keeps it out of the layer.
 */
import type { SimpleCommand } from '../shell';
import { runScript } from '../layers';
import type { ResolvedInstruction } from '../stages';
import { formatBytes } from '../present';
import { appendCommand, insertAfterMatches, commandsOf } from '../fixes/runText';
import type { Fix, TextEdit } from '../fixes/edits';
import { findingAt, type RuleContext, type RuleHit } from './context';
import { CACHE_DIRS, commandWords, isApt, isPipInstall, subcommand } from './paths';

export const APT_LISTS = 'apt-lists-left';
export const APK_CACHE = 'apk-cache';
export const PIP_CACHE = 'pip-cache';
export const NPM_CACHE = 'npm-cache';
export const YARN_CACHE = 'yarn-cache';
export const APT_RECOMMENDS = 'apt-install-recommends';

/** Bytes apt's package lists add to a layer after `apt-get update` on Debian bookworm (main, amd64), as measured by test/conformance/fixes.test.ts: 32.9 MB. */
export const APT_LISTS_BYTES = 33_000_000;

interface RunFacts {
  ins: ResolvedInstruction;
  index: number;
  commands: string[][];
}

/** Checks every RUN of the stages whose layers ship in the final image. */
export function checkCaches(ctx: RuleContext): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const stage of ctx.model.stages) {
    if (ctx.stages[stage.index]?.inFinalImage === false) continue;
    const runs = stage.instructions.filter((i) => ctx.model.instructions[i].keyword === 'RUN').map((index) => runFacts(ctx, index));
    const env = stage.instructions.map((i) => ctx.model.instructions[i]).filter((i) => i.keyword === 'ENV').map((i) => i.args).join(' ');
    const needsLists = laterListUsers(runs);
    runs.forEach((run, i) => hits.push(...checkRun(ctx, run, needsLists[i], env)));
  }
  return hits;
}

function runFacts(ctx: RuleContext, index: number): RunFacts {
  const ins = ctx.model.instructions[index];
  return { ins, index, commands: commandsOf(runScript(ins)).map((c: SimpleCommand) => commandWords(c)) };
}

/** For each RUN, the first later RUN that installs with apt without its own update (it needs the lists). */
function laterListUsers(runs: RunFacts[]): (RunFacts | undefined)[] {
  const result: (RunFacts | undefined)[] = new Array(runs.length);
  let next: RunFacts | undefined;
  for (let i = runs.length - 1; i >= 0; i--) {
    result[i] = next;
    const r = runs[i];
    if (r.commands.some((w) => isApt(w, 'install', 'upgrade', 'dist-upgrade', 'source', 'build-dep')) && !r.commands.some((w) => isApt(w, 'update'))) next = r;
    else if (r.commands.some((w) => isApt(w, 'update'))) next = undefined;
  }
  return result;
}

function checkRun(ctx: RuleContext, run: RunFacts, needsLists: RunFacts | undefined, env: string): RuleHit[] {
  const hits: RuleHit[] = [];
  const has = (test: (w: string[]) => boolean): boolean => run.commands.some(test);
  const count = (test: (w: string[]) => boolean): number => run.commands.filter(test).length;
  const mounted = (dir: string): boolean => run.ins.flags.some((f) => f.name === 'mount' && /type=cache/.test(f.value ?? '') && cacheTarget(f.value ?? '', dir));
  if (has((w) => isApt(w, 'update')) && !has(removesLists) && !mounted(CACHE_DIRS.aptLists)) hits.push(aptListsHit(ctx, run, needsLists));
  const apk = count((w) => w[0] === 'apk' && subcommand(w) === 'add' && !w.includes('--no-cache'));
  if (apk > 0 && !mounted(CACHE_DIRS.apk)) hits.push(flagHit(ctx, run, APK_CACHE, /\bapk\s+add\b/g, '--no-cache', apk, '`apk add` keeps the downloaded package index in /var/cache/apk', 'the index'));
  const pip = count((w) => isPipInstall(w) && !w.includes('--no-cache-dir'));
  if (pip > 0 && !mounted(CACHE_DIRS.pip) && !/PIP_NO_CACHE_DIR/.test(env)) hits.push(flagHit(ctx, run, PIP_CACHE, /\b(?:pip3?(?:\.\d+)?|python3?(?:\.\d+)?\s+-m\s+pip)\s+install\b/g, '--no-cache-dir', pip, '`pip install` keeps downloaded and built wheels in /root/.cache/pip', 'the cached wheels'));
  const recommends = count((w) => isApt(w, 'install') && !w.includes('--no-install-recommends') && !w.some((x) => /Install-Recommends=(false|0)/i.test(x)));
  if (recommends > 0) hits.push(flagHit(ctx, run, APT_RECOMMENDS, /\bapt(?:-get)?\s+(?:-\S+\s+)*install\b/g, '--no-install-recommends', recommends, '`apt-get install` also installs every recommended package', 'the recommended packages (often tens of MB)'));
  if (has((w) => w[0] === 'npm' && ['install', 'i', 'ci'].includes(subcommand(w))) && !has((w) => w[0] === 'npm' && subcommand(w) === 'cache') && !mounted(CACHE_DIRS.npm)) {
    hits.push(appendHit(ctx, run, NPM_CACHE, 'npm cache clean --force', '`npm install` keeps every downloaded package tarball in /root/.npm', 'the npm cache'));
  }
  if (has((w) => w[0] === 'yarn' && ['', 'install', 'add'].includes(subcommand(w))) && !has((w) => w[0] === 'yarn' && subcommand(w) === 'cache') && !mounted(CACHE_DIRS.yarn)) {
    hits.push(appendHit(ctx, run, YARN_CACHE, 'yarn cache clean', '`yarn install` keeps every downloaded package in its cache folder', 'the yarn cache'));
  }
  return hits;
}

function cacheTarget(mount: string, dir: string): boolean {
  const target = /(?:^|,)(?:target|dst|destination)=([^,]+)/.exec(mount)?.[1];
  return target !== undefined && (dir === target.replace(/\/$/, '') || dir.startsWith(target.replace(/\/$/, '') + '/'));
}

function removesLists(words: string[]): boolean {
  return words[0] === 'rm' && words.some((w) => w.startsWith(CACHE_DIRS.aptLists));
}

/**
 * Lists removed in the updating RUN: only safe when no later RUN of the stage installs with apt without
 * its own `apt-get update` (it would find no lists and fail).
 */
function aptListsHit(ctx: RuleContext, run: RunFacts, needsLists: RunFacts | undefined): RuleHit {
  const edit = needsLists === undefined ? appendCommand(ctx, run.ins, 'rm -rf /var/lib/apt/lists/*') : null;
  const size = formatBytes(APT_LISTS_BYTES);
  const message = `\`apt-get update\` leaves the package lists in /var/lib/apt/lists (about ${size} on Debian) in this layer: add \`rm -rf /var/lib/apt/lists/*\` to this RUN. Removing them in a later RUN saves nothing.`;
  const fix: Fix | null = edit === null ? null : { code: APT_LISTS, title: `Remove apt's package lists in this RUN: saves about ${size}`, edits: [edit] };
  return hit(ctx, run.ins, APT_LISTS, needsLists === undefined ? message : `${message} (No fix: the RUN on line ${needsLists.ins.line + 1} installs without updating and needs the lists.)`, fix);
}

function flagHit(ctx: RuleContext, run: RunFacts, code: string, pattern: RegExp, flag: string, expected: number, what: string, saving: string): RuleHit {
  const edits: TextEdit[] | null = insertAfterMatches(ctx, run.ins, pattern, flag, expected);
  const fix: Fix | null = edits === null ? null : { code, title: `Add ${flag}: saves ${saving} in this layer`, edits };
  return hit(ctx, run.ins, code, `${what} in this layer: add \`${flag}\` (the bytes ship with the image and no later step can take them out).`, fix);
}

function appendHit(ctx: RuleContext, run: RunFacts, code: string, command: string, what: string, saving: string): RuleHit {
  const edit = appendCommand(ctx, run.ins, command);
  const fix: Fix | null = edit === null ? null : { code, title: `Add \`${command}\` to this RUN: saves ${saving} in this layer`, edits: [edit] };
  return hit(ctx, run.ins, code, `${what} in this layer: end this RUN with \`${command}\` (a later RUN cannot take the bytes out).`, fix);
}

function hit(ctx: RuleContext, ins: ResolvedInstruction, code: string, message: string, fix: Fix | null): RuleHit {
  return { finding: findingAt(ctx, ins, code, message), span: { line: ins.line, endLine: ins.endLine }, fix };
}
