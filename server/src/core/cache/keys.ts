/**
 * What each step's build-cache key depends on, per builder, as plain data and a digest (pure).
 *
 * BuildKit keys a graph of operations per stage: RUN, COPY, ADD and WORKDIR (not `/`) are operations chained to
 * the one before; metadata instructions make none, but ENV, ARG, USER, WORKDIR and SHELL reach later RUNs
 * through their environment, user, working folder and shell. COPY/ADD key on a content hash of what they copy
 * (modes included, mtimes not); `COPY --link` is chained like any COPY by the BuildKit inside dockerd (measured
 * on Docker 26.1); `COPY --from` a stage keys on the copied files' contents, so a stage that rebuilds to the same bytes
 * does not bust it. Cache and secret mounts add no input; a bind mount's source is content-hashed.
 * The legacy builder chains every instruction of a stage, metadata included, and puts the build args in
 * scope in front of each RUN's command, so any change busts that step and every later one of the stage.
 */
import { flagText } from '../dockerfile';
import type { Builder } from '../types';
import type { ResolvedInstruction, ResolvedModel } from '../stages';
import { stageRef } from '../stages';
import * as posix from '../posixPath';
import { sha256Hex } from '../sha256';
import type { KeyInputs } from './baseline';

/** Instructions that become BuildKit operations (WORKDIR unless it is `/`). */
const BUILDKIT_OPS = new Set(['RUN', 'COPY', 'ADD', 'WORKDIR']);
/** Build args BuildKit and the legacy builder keep out of cache keys. */
const PROXY_ARGS = new Set(['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']);

/** One instruction's key: `kind` none for FROM, global ARGs and BuildKit's metadata instructions. */
export interface StepKey {
  /** Index into the model's instructions, and its stage (null for global ARGs). */
  index: number;
  stage: number | null;
  kind: 'step' | 'none';
  /** Hex digest of the inputs and the parent's key; null when an input is not known (then `unknownWhy`). */
  key: string | null;
  unknownWhy?: string;
  inputs: KeyInputs;
  /** The earlier step (instruction index) this one builds on in its stage, or null for the first. */
  parent: number | null;
  /** Where each ENV or ARG value in `inputs.env` was set (0-based line, and which instruction), for explanations. */
  envFrom: Record<string, EnvOrigin>;
  /** For COPY --from a stage whose files are not known: the stage it copies from. */
  fromStage?: number;
  /** COPY/ADD: the copied paths with their mode and content, made when asked (a `COPY .` may list 100,000). */
  files?: () => FileList;
}

/** Copied paths to `mode content`, or truncated when there are more than MAX_KEY_FILES. */
export type FileList = { files: Record<string, string> } | { truncated: true };

/** What a COPY/ADD put where: destinations (absolute, or relative to its WORKDIR), modes and contents. */
type CopyItems = ReadonlyArray<{ dest: string; mode: number; content: string | null }>;

/** The instruction that set an ENV or ARG value. */
export interface EnvOrigin {
  line: number;
  keyword: 'ENV' | 'ARG';
}

/** What the keys need from the rest of the analysis: COPY/ADD content digests and the base images' IDs. */
export interface KeyContext {
  /** Content digest (and file list) of a COPY/ADD by instruction index; absent or null digest when unknown. */
  copies: Map<number, { digest: string | null; files?: () => FileList; unknownWhy?: string; items?: CopyItems }>;
  /** Content digest of a RUN's bind mount by instruction index and mount spec; null when unknown. */
  bindDigest?: (index: number, spec: Record<string, string>) => string | null;
  /** Base image references to their image IDs (from the daemon); a missing entry keys on the reference alone. */
  baseImages?: Record<string, string>;
}

interface StageState {
  /** The image the stage starts from, through its parent stages: `ref (id)`. */
  base: string;
  workdir: string;
  user: string;
  shell: string;
  /** Key of the stage's state so far (its last step, or its FROM). */
  key: string | null;
  /**
   * The COPY/ADD steps' items with the folder each ran in, on top of the stage's base image (turned into paths
   * only when a COPY --from reads the stage: a `COPY .` of 100,000 files must not cost that on every keystroke);
   * null once a RUN may have changed any of them.
   */
  writes: Array<{ items: CopyItems; workdir: string }> | null;
  keyWhy?: string;
  last: number | null;
}

/** Computes every instruction's cache key inputs and digest for `builder`; never throws. */
export function computeKeys(model: ResolvedModel, builder: Builder, ctx: KeyContext): StepKey[] {
  const keys: StepKey[] = model.instructions.map((ins, index) => noKey(index, ins.stage));
  const finals: StageState[] = [];
  for (const stage of model.stages) {
    const parent = stage.baseStage === null ? null : finals[stage.baseStage];
    const st: StageState = parent
      ? { ...parent, writes: parent.writes === null ? null : [...parent.writes] }
      : { base: baseText(stage.base, ctx), workdir: '/', user: '', shell: DEFAULT_SHELL, key: digest(['FROM', baseText(stage.base, ctx)]), writes: [], last: null };
    const envFrom: Record<string, EnvOrigin> = {};
    stage.instructions.forEach((i, j) => {
      const ins = model.instructions[i];
      trackOrigins(ins, envFrom, model.instructions[stage.instructions[j + 1]]);
      if (ins.keyword === 'FROM') {
        keys[i] = { ...noKey(i, stage.index), inputs: { ...emptyInputs(ins), base: st.base } };
        return;
      }
      const before = { workdir: st.workdir, user: st.user, shell: st.shell };
      applyState(ins, st);
      const isStep = builder === 'legacy' ? ins.keyword !== '' : BUILDKIT_OPS.has(ins.keyword) && !(ins.keyword === 'WORKDIR' && st.workdir === '/');
      if (!isStep) return;
      keys[i] = stepKey(i, ins, builder, st, before, envFrom, model, ctx, finals);
      recordWrites(i, ins, st, before.workdir, ctx);
      st.last = i;
    });
    finals.push(st);
  }
  return keys;
}

function noKey(index: number, stage: number | null): StepKey {
  return { index, stage, kind: 'none', key: null, inputs: emptyInputs(null), parent: null, envFrom: {} };
}

function emptyInputs(ins: ResolvedInstruction | null): KeyInputs {
  return { instruction: ins ? instructionText(ins) : '', env: {}, workdir: '', user: '', shell: '', base: null, content: null };
}

/** Records, for every ENV/ARG name an ENV or ARG instruction sets, where it was set (seen in the next instruction's scope). */
function trackOrigins(ins: ResolvedInstruction, envFrom: Record<string, EnvOrigin>, next: ResolvedInstruction | undefined): void {
  if (next?.scope === undefined || (ins.keyword !== 'ENV' && ins.keyword !== 'ARG')) return;
  const before = ins.scope;
  const keyword = ins.keyword;
  for (const [k, v] of next.scope.env) if (before?.env.get(k) !== v) envFrom[k] = { line: ins.line, keyword };
  for (const [k, v] of next.scope.args) if (before?.args.get(k) !== v || !before.args.has(k)) envFrom[k] = { line: ins.line, keyword };
}

/** WORKDIR, USER and SHELL change what later steps run with. */
function applyState(ins: ResolvedInstruction, st: StageState): void {
  if (ins.keyword === 'WORKDIR') st.workdir = posix.resolve(st.workdir, ins.expanded.join(' ') || '/');
  if (ins.keyword === 'USER') st.user = ins.expanded.join(' ');
  if (ins.keyword === 'SHELL') st.shell = JSON.stringify(ins.words);
}

function stepKey(
  i: number, ins: ResolvedInstruction, builder: Builder, st: StageState, before: { workdir: string; user: string; shell: string },
  envFrom: Record<string, EnvOrigin>, model: ResolvedModel, ctx: KeyContext, finals: StageState[],
): StepKey {
  const isRun = ins.keyword === 'RUN';
  const env = isRun ? runEnv(ins) : builder === 'legacy' ? configEnv(ins) : {};
  // A RUN is keyed on the command it runs: the shell form is the shell plus the line, the same as the exec
  // form `["/bin/sh", "-c", "..."]` of that line (both builders take one from the cache for the other).
  const instruction = isRun ? runText(ins, before.shell) : instructionText(ins);
  const inputs: KeyInputs = {
    instruction, env,
    workdir: isRun || ins.keyword === 'WORKDIR' || builder === 'legacy' ? before.workdir : '',
    user: isRun || ins.keyword === 'WORKDIR' || builder === 'legacy' ? before.user : '',
    shell: '', base: st.base, content: null,
  };
  let why: string | undefined;
  let fromStage: number | undefined;
  let files: (() => FileList) | undefined;
  if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
    const c = contentOf(i, ins, model, ctx, finals);
    inputs.content = c.content;
    files = c.files;
    why = c.why;
    fromStage = c.fromStage;
  } else if (isRun) {
    const mounts = bindMounts(i, ins, ctx);
    if (mounts === null) why = 'A bind mount\'s source is not known before the build.';
    else if (mounts !== '') inputs.content = mounts;
  }
  // BuildKit's own `--link` copies onto an empty layer, but the BuildKit inside dockerd (the classic image store,
  // Docker 26.1 measured) runs such a copy again when a step below it reruns: it is chained like any COPY.
  const parentKey = st.key;
  const unknownWhy = why ?? (parentKey === null ? st.keyWhy : undefined);
  const own = unknownWhy === undefined ? digest([parentKey ?? '', JSON.stringify(inputs, withoutFiles)]) : null;
  const result: StepKey = { index: i, stage: ins.stage, kind: 'step', key: own, inputs, parent: st.last, envFrom: { ...envFrom } };
  if (unknownWhy !== undefined) result.unknownWhy = unknownWhy;
  if (fromStage !== undefined) result.fromStage = fromStage;
  if (files !== undefined) result.files = files;
  st.key = own;
  if (own === null) st.keyWhy = unknownWhy;
  return result;
}

function withoutFiles(key: string, value: unknown): unknown {
  return key === 'files' || key === 'filesTruncated' ? undefined : value;
}

/**
 * Tracks what the stage's files are: COPY/ADD add their items; a RUN makes them unknown, since a command may
 * rewrite any of them (measured: a RUN that appends a changed file to a copied one reruns the COPY --from it).
 */
function recordWrites(i: number, ins: ResolvedInstruction, st: StageState, workdir: string, ctx: KeyContext): void {
  if (st.writes === null) return;
  if (ins.keyword === 'RUN') return void (st.writes = null);
  if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') return;
  const copy = ctx.copies.get(i);
  if (copy?.items === undefined || copy.digest === null) return void (st.writes = null);
  st.writes.push({ items: copy.items, workdir });
}

/**
 * What `COPY --from=<stage> SRC...` copies when the stage's own files are known (no RUN in it): the files its
 * COPY/ADD steps wrote at or under each source, with the stage's base (whose files are the same while it is).
 */
function stageFilesDigest(ins: ResolvedInstruction, src: StageState): { content: string; files: () => FileList } | null {
  if (src.writes === null) return null;
  const sources = ins.expanded.slice(0, -1);
  if (sources.length === 0 || sources.some((s) => /[*?[]/.test(s))) return null;
  const written = new Map<string, string>();
  for (const { items, workdir } of src.writes) for (const it of items) written.set(posix.resolve(workdir, it.dest), `${it.mode.toString(8)} ${it.content}`);
  const found: Record<string, string> = {};
  for (const s of sources) {
    const path = posix.resolve('/', s);
    for (const [p, c] of written) if (p === path || p.startsWith(path === '/' ? '/' : `${path}/`)) found[p] = c;
  }
  const entries = Object.entries(found).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { content: digest(['stage files', src.base, ...entries.map(([p, c]) => `${p} ${c}`)]), files: () => ({ files: found }) };
}

/** BuildKit's and the legacy builder's RUN environment: every ENV, and every declared ARG with a value. */
function runEnv(ins: ResolvedInstruction): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of ins.scope?.args ?? []) if (v !== null && !PROXY_ARGS.has(k)) env[k] = v;
  for (const [k, v] of ins.scope?.env ?? []) env[k] = v;
  return sorted(env);
}

/** The image config's environment (ENV only): the legacy builder compares it for every step. */
function configEnv(ins: ResolvedInstruction): Record<string, string> {
  return sorted(Object.fromEntries(ins.scope?.env ?? []));
}

function sorted(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The shell a shell-form RUN runs with before any SHELL instruction, as JSON words. */
const DEFAULT_SHELL = JSON.stringify(['/bin/sh', '-c']);

/** A RUN as its command's words (shell-form lines run by `shell`), flags and heredoc bodies. */
function runText(ins: ResolvedInstruction, shell: string): string {
  const argv = ins.form === 'exec' ? ins.words : [...(JSON.parse(shell) as string[]), ins.args];
  const flags = ins.flags.map(flagText).sort();
  const bodies = ins.heredocs.map((h) => `<<${h.name}\n${h.body}`);
  return ['RUN', ...flags, JSON.stringify(argv), ...bodies].join(' ');
}

/** The instruction as the builder keys it: keyword, flags (sorted) and arguments; heredoc bodies included. */
export function instructionText(ins: ResolvedInstruction): string {
  const flags = ins.flags.map(flagText).sort();
  const args = ins.keyword === 'RUN' || ins.keyword === 'CMD' || ins.keyword === 'ENTRYPOINT' ? ins.form === 'exec' ? JSON.stringify(ins.words) : ins.args : ins.expanded.join(' ');
  const bodies = ins.heredocs.map((h) => `<<${h.name}\n${h.body}`);
  return [ins.keyword, ...flags, args, ...bodies].filter((p) => p !== '').join(' ');
}

/** The content a COPY/ADD keys on: the sources' digest, a stage's last key, or an image reference. */
function contentOf(i: number, ins: ResolvedInstruction, model: ResolvedModel, ctx: KeyContext, finals: StageState[]): { content: string | null; files?: () => FileList; why?: string; fromStage?: number } {
  const from = ins.flags.find((f) => f.name === 'from')?.value ?? null;
  const copy = ctx.copies.get(i);
  if (copy?.digest) return { content: copy.digest, files: copy.files };
  if (from !== null) {
    const stage = stageRef(model.stages.slice(0, finals.length), from, true);
    if (stage === null) return { content: `image ${from} ${ctx.baseImages?.[from] ?? ''}`.trim() };
    // Content-based like the builders when the stage's files are known; else its build, which changes when any of its steps reruns.
    const src = finals[stage];
    const known = stageFilesDigest(ins, src);
    if (known !== null) return known;
    return src.key === null ? { content: null, why: src.keyWhy } : { content: `stage ${src.key}`, fromStage: stage };
  }
  if (ins.expanded.some((w) => /^[a-z]+:\/\//i.test(w))) return { content: null, why: 'ADD of a URL: the builder checks the remote file when it builds.' };
  return { content: null, why: copy?.unknownWhy ?? 'The build context is not scanned, so the copied files are not known.' };
}

/** The bind mounts' source digests joined ('' when the RUN has none); null when one is not known. */
function bindMounts(i: number, ins: ResolvedInstruction, ctx: KeyContext): string | null {
  const parts: string[] = [];
  for (const f of ins.flags) {
    if (f.name !== 'mount' || f.value === null) continue;
    const spec = Object.fromEntries(f.value.split(',').map((kv) => [kv.split('=')[0], kv.split('=').slice(1).join('=')]));
    if ((spec.type ?? 'bind') !== 'bind') continue;
    const d = ctx.bindDigest?.(i, spec) ?? null;
    if (d === null) return null;
    parts.push(`${spec.target ?? spec.dst ?? spec.destination ?? ''}=${d}`);
  }
  return parts.join(' ');
}

/** A base image as the keys name it: the reference, with its image ID when known. */
function baseText(ref: string, ctx: KeyContext): string {
  const id = ctx.baseImages?.[ref];
  return id ? `${ref} (${id})` : ref;
}

function digest(parts: string[]): string {
  return sha256Hex(parts.join('\u0000'));
}
