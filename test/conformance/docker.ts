/**
 * Helpers for the conformance tests that run a real Docker Engine: find the CLI, check the daemon, make the
 * base image, build with either builder, read image history with its `empty_layer` flags, and line history
 * entries up with Dockerfile instructions. Processes run with argument arrays, never shell strings.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export type Builder = 'buildkit' | 'legacy';

/** The image every fixture starts FROM; made by `ensureBaseImage` because no registry is reachable. */
export const BASE_IMAGE = 'dl-test/busybox:1';

/** Busybox applets the fixtures' RUN steps use; the base image gets a symlink for each. */
export const APPLETS = ['sh', 'true', 'echo', 'mkdir', 'rm', 'touch', 'cat', 'ls', 'cp', 'chmod'];

/** The result of a finished process; `code` is null when it was killed. */
export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `file` with `args` and never throws on a non-zero exit; the caller judges the result. */
export function runProcess(file: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 300_000): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout: String(stdout), stderr: error !== null && code === null ? `${stderr}\n${error.message}` : String(stderr) });
    });
  });
}

/** A Docker Engine the conformance tests build with: its docker CLI and the environment that reaches it. */
export interface TestEngine {
  /** `Docker 20.10.24+dfsg1`: named in test titles and diagnostics, so each result says which engine gave it. */
  label: string;
  /** The daemon's version (`docker version --format {{.Server.Version}}`). */
  serverVersion: string;
  cli: string;
  /** The environment for the CLI and for our own tools (DOCKER_HOST, DOCKER_CONFIG for buildx). */
  env: NodeJS.ProcessEnv;
}

/** Where .ci/docker26.sh puts trixie's Docker 26.1 (override with DOCKER26_ROOT; empty disables it). */
const DOCKER26_ROOT = process.env.DOCKER26_ROOT ?? '/opt/docker26';

/** The docker CLI of the first engine: $DOCKER_CLI, else Debian's /usr/bin/docker (it has BuildKit), else `docker`. */
export function dockerCli(): string {
  const fromEnv = process.env.DOCKER_CLI;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
}

/** The engines to test against: bookworm's 20.10 on the default socket, and trixie's 26.1 beside it. */
function candidateEngines(): Array<Omit<TestEngine, 'label' | 'serverVersion'>> {
  const first = { cli: dockerCli(), env: withoutDockerHost(process.env) };
  if (DOCKER26_ROOT === '') return [first];
  const second = {
    cli: path.join(DOCKER26_ROOT, 'usr/bin/docker'),
    env: { ...process.env, DOCKER_HOST: 'unix:///var/run/docker26.sock', DOCKER_CONFIG: path.join(DOCKER26_ROOT, 'config') },
  };
  return [first, second];
}

function withoutDockerHost(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  delete out.DOCKER_HOST;
  return out;
}

/** Reachable engines, or the reason the tests are skipped. */
export type EnginesCheck = TestEngine[] | { skip: string };

/** The first engine (20.10), or the reason the tests are skipped; for tests that need one engine only. */
export async function requireDaemon(): Promise<TestEngine | { skip: string }> {
  const engines = await requireEngines();
  return 'skip' in engines ? engines : engines[0];
}

/**
 * Every engine that answers. With $CI set a missing engine throws (CI must run every conformance test on both
 * engines); otherwise a missing second engine is left out and no engine at all gives a skip message.
 */
export function requireEngines(): Promise<EnginesCheck> {
  enginesChecked ??= checkEngines();
  return enginesChecked;
}

let enginesChecked: Promise<EnginesCheck> | null = null;

async function checkEngines(): Promise<EnginesCheck> {
  const found: TestEngine[] = [];
  const missing: string[] = [];
  for (const c of candidateEngines()) {
    const r = await runProcess(c.cli, ['version', '--format', '{{.Server.Version}}'], c.env, 30_000);
    if (r.code === 0 && r.stdout.trim() !== '') {
      const serverVersion = r.stdout.trim();
      found.push({ ...c, serverVersion, label: `Docker ${serverVersion}` });
    } else {
      missing.push(`${c.cli}${c.env.DOCKER_HOST ? ` (DOCKER_HOST=${c.env.DOCKER_HOST})` : ''}: ${(r.stderr.trim().split('\n').pop() ?? '').slice(0, 200)}`);
    }
  }
  const ci = process.env.CI !== undefined && process.env.CI !== '';
  if (ci && missing.length > 0) {
    throw new Error(`Conformance tests need both Docker Engines in CI, but these do not answer: ${missing.join('; ')}. Run .ci/docker.sh and .ci/docker26.sh first.`);
  }
  if (found.length === 0) return { skip: `skipped: no Docker daemon is reachable (${missing.join('; ')}); run .ci/docker.sh (as root) to install and start one` };
  return found;
}

/** Runs the engine's docker CLI; throws with the output's tail when it fails. */
export async function docker(engine: TestEngine, args: string[], env: NodeJS.ProcessEnv = engine.env): Promise<string> {
  const r = await runProcess(engine.cli, args, env);
  if (r.code !== 0) throw new Error(`${engine.label}: docker ${args.join(' ')} failed (exit ${r.code}):\n${tail(r.stderr + r.stdout, 40)}`);
  return r.stdout;
}

/** The last `lines` lines of `text`. */
export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

const imagesReady = new Map<string, Promise<void>>();

/**
 * Makes sure `tag` exists on `engine`: the first engine makes it with `make` (once per run), every other
 * engine loads it from the first with `docker save | docker load`, so both hold the same image ID.
 */
export function ensureImage(engine: TestEngine, tag: string, make: (first: TestEngine) => Promise<void>): Promise<void> {
  const key = `${engine.label}\u0000${tag}`;
  if (!imagesReady.has(key)) imagesReady.set(key, provide(engine, tag, make));
  return imagesReady.get(key) as Promise<void>;
}

async function provide(engine: TestEngine, tag: string, make: (first: TestEngine) => Promise<void>): Promise<void> {
  const engines = await requireEngines();
  if ('skip' in engines) throw new Error(engines.skip);
  const first = engines[0];
  if (engine.label === first.label) {
    await make(first);
    return;
  }
  if ((await runProcess(engine.cli, ['image', 'inspect', tag], engine.env)).code === 0) return;
  await ensureImage(first, tag, make);
  await transferImage(first, engine, tag);
}

/** `docker save TAG` on one engine piped into `docker load` on another, as two processes. */
function transferImage(from: TestEngine, to: TestEngine, tag: string): Promise<void> {
  return pipeProcesses({ file: from.cli, args: ['save', tag], env: from.env }, { file: to.cli, args: ['load'], env: to.env }, `loading ${tag} into ${to.label}`);
}

/** One process of a pipe: what to run and with which environment. */
export interface PipeEnd {
  file: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

/** `a | b`, as two processes joined in Node (no shell); rejects with both stderrs' tail when `b` fails. */
export function pipeProcesses(a: PipeEnd, b: PipeEnd, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const first = spawn(a.file, a.args, { env: a.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const second = spawn(b.file, b.args, { env: b.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let errors = '';
    first.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    second.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    first.stdout.pipe(second.stdin);
    first.on('error', reject);
    second.on('error', reject);
    second.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${what} failed (exit ${code}): ${errors.slice(-2000)}`))));
  });
}

/** Makes the busybox base image once per run on each engine; an existing image is reused when it has every applet. */
export function ensureBaseImage(engine: TestEngine): Promise<void> {
  return ensureImage(engine, BASE_IMAGE, makeBaseImageIfMissing);
}

async function makeBaseImageIfMissing(engine: TestEngine): Promise<void> {
  const exists = await runProcess(engine.cli, ['image', 'inspect', BASE_IMAGE], engine.env);
  if (exists.code === 0) {
    // Another run (or another test suite) may have made it with fewer applets; check before reusing it.
    const check = await runProcess(engine.cli, ['run', '--rm', BASE_IMAGE, '/bin/busybox', 'ls', ...APPLETS.map((a) => `/bin/${a}`)], engine.env);
    if (check.code === 0) return;
  }
  await makeBaseImage(engine, BASE_IMAGE);
}

/**
 * Imports a one-layer image holding a static busybox, a symlink per applet in APPLETS and `extraFiles`
 * (path under / -> content), tagged `tag`.
 */
export async function makeBaseImage(engine: TestEngine, tag: string, extraFiles: Record<string, string> = {}): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dl-base-'));
  try {
    const root = path.join(dir, 'root');
    mkdirSync(path.join(root, 'bin'), { recursive: true });
    copyFileSync(busyboxPath(), path.join(root, 'bin', 'busybox'));
    for (const applet of APPLETS) symlinkSync('busybox', path.join(root, 'bin', applet));
    for (const [file, content] of Object.entries(extraFiles)) writeFileSync(path.join(root, file), content);
    const tarball = path.join(dir, 'rootfs.tar');
    const tar = await runProcess('tar', ['-C', root, '-cf', tarball, '.']);
    if (tar.code !== 0) throw new Error(`tar failed: ${tar.stderr}`);
    await docker(engine, ['import', tarball, tag]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function busyboxPath(): string {
  const candidates = [process.env.BUSYBOX ?? '', '/bin/busybox', '/usr/bin/busybox'];
  const found = candidates.find((p) => p !== '' && existsSync(p));
  if (found === undefined) throw new Error('No static busybox found (install busybox-static, or set BUSYBOX).');
  return found;
}

/** What to build: a context folder (its Dockerfile), a builder, an optional target stage and build args. */
export interface BuildRequest {
  context: string;
  builder: Builder;
  tag: string;
  target?: string;
  buildArgs?: Record<string, string>;
}

/** Builds an image and returns the build log (stdout and stderr); throws with the log's tail on failure. */
export async function buildImage(engine: TestEngine, req: BuildRequest): Promise<string> {
  const args = ['build', '-t', req.tag];
  if (req.builder === 'buildkit') args.push('--progress=plain');
  if (req.target !== undefined) args.push('--target', req.target);
  for (const [k, v] of Object.entries(req.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
  args.push(req.context);
  const r = await runProcess(engine.cli, args, builderEnv(engine, req.builder));
  const log = `${r.stdout}\n${r.stderr}`;
  if (r.code !== 0) throw new Error(`${engine.label}: ${req.builder} build of ${req.context} (target ${req.target ?? 'last'}) failed:\n${tail(log, 40)}`);
  return log;
}

/** The engine's environment with DOCKER_BUILDKIT selecting `builder`. */
export function builderEnv(engine: TestEngine, builder: Builder): NodeJS.ProcessEnv {
  return { ...engine.env, DOCKER_BUILDKIT: builder === 'buildkit' ? '1' : '0' };
}

/** One entry of an image config's `history`. */
export interface HistoryEntry {
  createdBy: string;
  /** True when the entry added no RootFS layer (Docker's `empty_layer`). */
  emptyLayer: boolean;
  /** The entry's `docker history` size in bytes (uncompressed); absent where history and config disagree. */
  bytes?: number;
}

/** An image's history and the number of RootFS layers it has. */
export interface ImageHistory {
  entries: HistoryEntry[];
  layerCount: number;
}

interface SavedManifest {
  Config: string;
}

interface ImageConfig {
  history?: { created_by?: string; empty_layer?: boolean }[];
  rootfs?: { diff_ids?: string[] };
}

/** Reads an image's history with `empty_layer` flags from `docker save` (the Engine API's history lacks them). */
export async function readHistory(engine: TestEngine, image: string): Promise<ImageHistory> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dl-save-'));
  try {
    const tarball = path.join(dir, 'image.tar');
    await docker(engine, ['save', '-o', tarball, image]);
    await extract(tarball, dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as SavedManifest[];
    await extract(tarball, dir, manifest[0].Config);
    const config = JSON.parse(readFileSync(path.join(dir, manifest[0].Config), 'utf8')) as ImageConfig;
    const entries: HistoryEntry[] = (config.history ?? []).map((h) => ({ createdBy: h.created_by ?? '', emptyLayer: h.empty_layer === true }));
    // `docker history` lists the same records newest first, with their sizes.
    const sizes = (await docker(engine, ['history', '--human=false', '--no-trunc', '--format', '{{.Size}}', image])).trim().split('\n').reverse().map(Number);
    if (sizes.length === entries.length) entries.forEach((e, i) => (e.bytes = sizes[i]));
    return { entries, layerCount: config.rootfs?.diff_ids?.length ?? 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function extract(tarball: string, dir: string, member: string): Promise<void> {
  const r = await runProcess('tar', ['-xf', tarball, '-C', dir, member]);
  if (r.code !== 0) throw new Error(`tar could not extract ${member} from ${tarball}: ${r.stderr}`);
}

/**
 * The Dockerfile keyword a history entry came from. Legacy: `<shell> #(nop)  KEYWORD ...` for everything but
 * RUN, whose entry is the command itself (`|N K=V /bin/sh -c ...`, or the exec-form words). BuildKit: `KEYWORD ...`.
 */
export function historyKeyword(entry: HistoryEntry, builder: Builder): string {
  if (builder === 'buildkit') return (/^\s*([A-Za-z]+)/.exec(entry.createdBy)?.[1] ?? '').toUpperCase();
  const nop = /#\(nop\)\s+([A-Za-z]+)/.exec(entry.createdBy);
  return nop !== null ? nop[1].toUpperCase() : 'RUN';
}

/** A Dockerfile instruction as the alignment needs it: its line and keyword. */
export interface AlignedInstruction {
  line: number;
  keyword: string;
}

/** The result of lining up one stage's instructions with its own history entries. */
export interface Alignment {
  /** For each instruction (same order), its history entry or null when it has none. */
  entries: (HistoryEntry | null)[];
  /** Entries no instruction matched: a non-empty list means the alignment (or the fixture) is wrong. */
  unmatched: HistoryEntry[];
}

/**
 * Aligns instructions (FROM excluded) with a stage's own history entries (base entries removed), greedily
 * in order: an instruction whose keyword does not match the next entry's keyword has no entry.
 */
export function alignHistory(instructions: AlignedInstruction[], entries: HistoryEntry[], builder: Builder): Alignment {
  const result: (HistoryEntry | null)[] = [];
  let next = 0;
  for (const ins of instructions) {
    const entry = entries[next];
    if (entry !== undefined && historyKeyword(entry, builder) === ins.keyword.toUpperCase()) {
      result.push(entry);
      next++;
    } else {
      result.push(null);
    }
  }
  return { entries: result, unmatched: entries.slice(next) };
}

/** The label BuildKit prints for a stage in `--progress=plain` logs: its name, or `stage-N`. */
export function buildkitStageLabel(index: number, name: string | null): string {
  return name ?? `stage-${index}`;
}

/** Tells from a `--progress=plain` log whether BuildKit ran (or took from cache) any step of a stage. */
export function buildkitBuiltStage(log: string, label: string): boolean {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^#\\d+ \\[${escaped} \\d+/\\d+\\]`, 'm').test(log);
}
