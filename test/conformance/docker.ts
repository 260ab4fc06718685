/**
 * Helpers for the conformance tests that run a real Docker Engine: find the CLI, check the daemon, make the
 * base image, build with either builder, read image history with its `empty_layer` flags, and line history
 * entries up with Dockerfile instructions. Processes run with argument arrays, never shell strings.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, copyFileSync } from 'node:fs';
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

/** The docker CLI to use: $DOCKER_CLI, else Debian's /usr/bin/docker (it has BuildKit), else `docker` on PATH. */
export function dockerCli(): string {
  const fromEnv = process.env.DOCKER_CLI;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
}

/** A reachable daemon (with the CLI that reached it), or the reason the tests are skipped. */
export type DaemonCheck = { cli: string; serverVersion: string } | { skip: string };

/**
 * Checks that the Docker daemon answers. When it does not: with $CI set this throws (the tests fail,
 * because CI must run them against a real Engine); otherwise it returns a skip message.
 */
export function requireDaemon(): Promise<DaemonCheck> {
  daemonChecked ??= checkDaemon();
  return daemonChecked;
}

let daemonChecked: Promise<DaemonCheck> | null = null;

async function checkDaemon(): Promise<DaemonCheck> {
  const cli = dockerCli();
  const r = await runProcess(cli, ['version', '--format', '{{.Server.Version}}'], process.env, 30_000);
  if (r.code === 0 && r.stdout.trim() !== '') return { cli, serverVersion: r.stdout.trim() };
  const why = `the Docker daemon is not reachable with ${cli} (${(r.stderr.trim().split('\n').pop() ?? '').slice(0, 200)})`;
  if (process.env.CI !== undefined && process.env.CI !== '') {
    throw new Error(`Conformance tests need a real Docker Engine in CI, but ${why}. Run .ci/docker.sh first.`);
  }
  return { skip: `skipped: ${why}; run .ci/docker.sh (as root) to install and start one` };
}

async function docker(cli: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const r = await runProcess(cli, args, env);
  if (r.code !== 0) throw new Error(`${cli} ${args.join(' ')} failed (exit ${r.code}):\n${tail(r.stderr + r.stdout, 40)}`);
  return r.stdout;
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

let baseImageReady: Promise<void> | null = null;

/** Makes the busybox base image once per run; an existing image is reused when it has every applet. */
export function ensureBaseImage(cli: string): Promise<void> {
  baseImageReady ??= makeBaseImageIfMissing(cli);
  return baseImageReady;
}

async function makeBaseImageIfMissing(cli: string): Promise<void> {
  const exists = await runProcess(cli, ['image', 'inspect', BASE_IMAGE]);
  if (exists.code === 0) {
    // Another run (or another test suite) may have made it with fewer applets; check before reusing it.
    const check = await runProcess(cli, ['run', '--rm', BASE_IMAGE, '/bin/busybox', 'ls', ...APPLETS.map((a) => `/bin/${a}`)]);
    if (check.code === 0) return;
  }
  await makeBaseImage(cli, BASE_IMAGE);
}

/** Imports a one-layer image holding a static busybox and a symlink per applet in APPLETS, tagged `tag`. */
export async function makeBaseImage(cli: string, tag: string): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dl-base-'));
  try {
    const root = path.join(dir, 'root');
    mkdirSync(path.join(root, 'bin'), { recursive: true });
    copyFileSync(busyboxPath(), path.join(root, 'bin', 'busybox'));
    for (const applet of APPLETS) symlinkSync('busybox', path.join(root, 'bin', applet));
    const tarball = path.join(dir, 'rootfs.tar');
    const tar = await runProcess('tar', ['-C', root, '-cf', tarball, '.']);
    if (tar.code !== 0) throw new Error(`tar failed: ${tar.stderr}`);
    await docker(cli, ['import', tarball, tag]);
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
export async function buildImage(cli: string, req: BuildRequest): Promise<string> {
  const args = ['build', '-t', req.tag];
  if (req.builder === 'buildkit') args.push('--progress=plain');
  if (req.target !== undefined) args.push('--target', req.target);
  for (const [k, v] of Object.entries(req.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
  args.push(req.context);
  const env = { ...process.env, DOCKER_BUILDKIT: req.builder === 'buildkit' ? '1' : '0' };
  const r = await runProcess(cli, args, env);
  const log = `${r.stdout}\n${r.stderr}`;
  if (r.code !== 0) throw new Error(`${req.builder} build of ${req.context} (target ${req.target ?? 'last'}) failed:\n${tail(log, 40)}`);
  return log;
}

/** One entry of an image config's `history`. */
export interface HistoryEntry {
  createdBy: string;
  /** True when the entry added no RootFS layer (Docker's `empty_layer`). */
  emptyLayer: boolean;
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
export async function readHistory(cli: string, image: string): Promise<ImageHistory> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dl-save-'));
  try {
    const tarball = path.join(dir, 'image.tar');
    await docker(cli, ['save', '-o', tarball, image]);
    await extract(tarball, dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as SavedManifest[];
    await extract(tarball, dir, manifest[0].Config);
    const config = JSON.parse(readFileSync(path.join(dir, manifest[0].Config), 'utf8')) as ImageConfig;
    const entries = (config.history ?? []).map((h) => ({ createdBy: h.created_by ?? '', emptyLayer: h.empty_layer === true }));
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
