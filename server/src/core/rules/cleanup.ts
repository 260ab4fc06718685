/**
 * Rule `cleanup-in-later-layer`: a RUN that removes files an earlier step of the same stage added. The
 * earlier layer keeps the bytes; the later one only adds whiteouts that hide them. The fix moves the
 * cleanup into the RUN that created the files, when no step in between names them.
 */
import * as posix from '../posixPath';
import { runScript } from '../layers';
import type { ResolvedInstruction } from '../stages';
import { appendCommand, deleteInstruction, globWord, scanScript, commandsOf } from '../fixes/runText';
import type { Fix, TextEdit } from '../fixes/edits';
import { findingAt, type RuleContext, type RuleHit } from './context';
import { CACHE_DIRS, commandWords, copyDestination, isApt, pathCommands, patternBase, removedPaths, removes } from './paths';

export const CLEANUP_LATER = 'cleanup-in-later-layer';

interface Created {
  path: string;
  index: number;
}

/**
 * Paths created so far in a stage, indexed so that "the latest step that created something a pattern
 * removes" is a few map lookups (the rule must stay linear in the file's length).
 */
class CreatedIndex {
  /** Created path -> latest creator. */
  private readonly exact: Map<string, Created>;
  /** Folder -> latest creator of anything at or below it. */
  private readonly below: Map<string, Created>;

  constructor(parent: CreatedIndex | null) {
    this.exact = new Map(parent?.exact);
    this.below = new Map(parent?.below);
  }

  add(c: Created): void {
    this.exact.set(c.path, c);
    for (let p = c.path; p !== '/'; p = posix.dirname(p)) this.below.set(p, c);
  }

  /** The latest creator of a path the pattern removes: at or below its fixed part, or a folder above it. */
  latestRemovedBy(pattern: string): Created | undefined {
    const base = patternBase(pattern);
    if (base === '/') return undefined;
    let best = this.below.get(base);
    for (let p = posix.dirname(base); p !== '/'; p = posix.dirname(p)) {
      const c = this.exact.get(p);
      if (c !== undefined && (best === undefined || c.index > best.index)) best = c;
    }
    return best;
  }
}

/** A removal that matches what an earlier step created. */
interface Removal {
  words: string[];
  pattern: string;
  raw: string | null;
  creator: Created;
}

/** Finds RUN steps that clean up files of earlier layers, stage by stage (stages in the final image only). */
export function checkLaterCleanup(ctx: RuleContext): RuleHit[] {
  const hits: RuleHit[] = [];
  const workdirs: string[] = [];
  const createdByStage: CreatedIndex[] = [];
  for (const stage of ctx.model.stages) {
    let workdir = stage.baseStage !== null ? workdirs[stage.baseStage] : '/';
    // A stage built FROM an earlier one inherits its layers, and so its files.
    const created = new CreatedIndex(stage.baseStage !== null ? createdByStage[stage.baseStage] : null);
    for (const index of stage.instructions) {
      const ins = ctx.model.instructions[index];
      if (ins.keyword === 'WORKDIR') workdir = posix.resolve(workdir, ins.expanded.join(' '));
      if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
        const dest = copyDestination(ins, workdir);
        if (dest !== null) created.add({ path: dest, index });
      }
      if (ins.keyword !== 'RUN') continue;
      const removals = readRun(ins, index, workdir, created);
      if (removals.length > 0 && ctx.stages[stage.index]?.inFinalImage !== false) hits.push(hitFor(ctx, ins, index, removals, workdir));
    }
    workdirs.push(workdir);
    createdByStage.push(created);
  }
  return hits;
}

/** Walks one RUN's commands: records what it creates, returns its removals of earlier steps' files. */
function readRun(ins: ResolvedInstruction, index: number, workdir: string, created: CreatedIndex): Removal[] {
  const removals: Removal[] = [];
  const here: string[] = [];
  for (const { words, removed, created: made } of pathCommands(commandsOf(runScript(ins)), workdir)) {
    removed?.paths.forEach((pattern, i) => {
      if (here.some((p) => removes(pattern, p))) return;
      const creator = created.latestRemovedBy(pattern);
      if (creator !== undefined) removals.push({ words, pattern, raw: removed.raw[i] ?? null, creator });
    });
    here.push(...made);
  }
  for (const path of here) created.add({ path, index });
  return removals;
}

function hitFor(ctx: RuleContext, ins: ResolvedInstruction, index: number, removals: Removal[], workdir: string): RuleHit {
  const lines = [...new Set(removals.map((r) => ctx.model.instructions[r.creator.index].line + 1))];
  const what = [...new Set(removals.map((r) => r.raw ?? r.words.join(' ')))].join(', ');
  const where = lines.length === 1 ? `line ${lines[0]}` : `lines ${lines.join(', ')}`;
  const message = `This RUN removes ${what}, which ${where} added in an earlier layer: the bytes stay in the image (this layer only hides them with whiteouts, and adds a layer itself). Remove them in the RUN that creates them.`;
  return { finding: findingAt(ctx, ins, CLEANUP_LATER, message), span: { line: ins.line, endLine: ins.endLine }, fix: moveFix(ctx, ins, index, removals, workdir) };
}

/**
 * Moves the cleanup into the creating RUN steps and deletes this RUN. Only when this RUN does nothing but
 * these cleanups, every creator is a RUN whose text can take one more command, and no step in between
 * names the removed paths (or, for apt's lists, runs apt at all).
 */
function moveFix(ctx: RuleContext, ins: ResolvedInstruction, index: number, removals: Removal[], workdir: string): Fix | null {
  const scan = scanScript(ins.args);
  if (ins.form !== 'shell' || ins.flags.length > 0 || scan.grouping || scan.comment || [...scan.separators].some((s) => s !== '&&' && s !== ';')) return null;
  const allCleanup = commandsOf(ins.args).map(commandWords).every((words) => {
    const removed = removedPaths(words, workdir);
    return removed !== null && removed.paths.every((p) => sameWords(removals, words, p));
  });
  if (!allCleanup) return null;
  const byCreator = new Map<number, string[]>();
  for (const r of removals) {
    const command = cleanupCommand(r);
    if (command === null || !untouchedBetween(ctx, r.creator.index, index, r.pattern)) return null;
    const list = byCreator.get(r.creator.index) ?? [];
    if (!list.includes(command)) list.push(command);
    byCreator.set(r.creator.index, list);
  }
  const edits: TextEdit[] = [];
  for (const [creatorIndex, list] of byCreator) {
    const creator = ctx.model.instructions[creatorIndex];
    const edit = creator.keyword === 'RUN' ? appendCommand(ctx, creator, list.join(' && ')) : null;
    if (edit === null) return null;
    edits.push(edit);
  }
  edits.push(deleteInstruction(ctx, ins));
  const lines = [...byCreator.keys()].map((i) => ctx.model.instructions[i].line + 1).join(', ');
  return { code: CLEANUP_LATER, title: `Move the cleanup into the RUN on line ${lines}: the removed files' bytes leave the image, and 1 layer fewer`, edits };
}

function sameWords(removals: Removal[], words: string[], pattern: string): boolean {
  return removals.some((r) => r.pattern === pattern && r.words.join('\0') === words.join('\0'));
}

/** The command to append to the creator: `rm` with this removal's flags and path, or the cleanup command. */
function cleanupCommand(r: Removal): string | null {
  if (r.words[0] !== 'rm') return r.words.every((w) => globWord(w) !== null) ? r.words.join(' ') : null;
  const flags = r.words.slice(1).filter((w) => w.startsWith('-'));
  const path = r.raw !== null && r.raw.startsWith('/') ? globWord(r.raw) : null;
  return path === null || flags.some((f) => globWord(f) === null) ? null : ['rm', ...flags, path].join(' ');
}

/** True when no instruction strictly between the two names the path (or, for apt's folders, runs apt). */
function untouchedBetween(ctx: RuleContext, from: number, to: number, pattern: string): boolean {
  const apt = pattern.startsWith(CACHE_DIRS.aptLists) || pattern.startsWith(CACHE_DIRS.aptArchives);
  const base = patternBase(pattern);
  const names = [base, base.slice(base.lastIndexOf('/') + 1)].filter((n) => n.length >= 3);
  for (let i = from + 1; i < to; i++) {
    const other = ctx.model.instructions[i];
    if (other.stage !== ctx.model.instructions[to].stage) return false;
    const text = `${other.args} ${other.flags.map((f) => f.value ?? '').join(' ')}`;
    if (apt && commandsOf(runScriptOf(other)).some((c) => isApt(commandWords(c), 'install', 'upgrade', 'dist-upgrade', 'full-upgrade', 'source', 'build-dep') || /^(dpkg|apt-cache)$/.test(commandWords(c)[0] ?? ''))) return false;
    if (names.some((n) => text.includes(n))) return false;
  }
  return true;
}

function runScriptOf(ins: ResolvedInstruction): string {
  return ins.keyword === 'RUN' ? runScript(ins) : '';
}
