/**
 * Baselines of past builds on disk: one JSON file per (Dockerfile, target, builder) in `<state>/baselines/`,
 * shared by the CLI and the extension. Reads and writes never throw: what goes wrong comes back as one
 * sentence in `problem`, and the analysis then goes on without cache status.
 */
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, posix, win32 } from 'node:path';
import { BASELINE_FORMAT, type Baseline } from '../core/cache/baseline';
import type { Builder } from '../core/types';
import { describeFsError } from './fsError';
import { acquireLock, DEFAULT_LOCK, releaseLock, sleep, type LockOptions } from './lock';
import { checkBaseline } from './validate';

const APP = 'dockerfile-layers';
const STATE_DIR_ENV = 'DOCKERFILE_LAYERS_STATE_DIR';
/** The largest baseline file read or written, in bytes. */
export const MAX_BASELINE_BYTES = 64 * 2 ** 20;
/** The most keys a baseline's knownKeys holds. */
export const MAX_KNOWN_KEYS = 5_000;

/**
 * The state folder: the flag (--state-dir / setting), else $DOCKERFILE_LAYERS_STATE_DIR, else the per-user cache
 * folder ($XDG_CACHE_HOME/dockerfile-layers, else ~/.cache/dockerfile-layers on Linux; ~/Library/Caches/
 * dockerfile-layers on macOS; %LOCALAPPDATA%\dockerfile-layers on Windows); an empty flag or variable counts as unset.
 */
export function stateDir(flag: string | null, env: Record<string, string | undefined>, home: string, platform: NodeJS.Platform): string {
  const chosen = given(flag) ?? given(envValue(env, STATE_DIR_ENV, platform));
  if (chosen !== null) return chosen;
  if (platform === 'win32') return win32.join(given(envValue(env, 'LOCALAPPDATA', platform)) ?? win32.join(home, 'AppData', 'Local'), APP);
  if (platform === 'darwin') return posix.join(home, 'Library', 'Caches', APP);
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = given(env.XDG_CACHE_HOME);
  return posix.join(xdg !== null && posix.isAbsolute(xdg) ? xdg : posix.join(home, '.cache'), APP);
}

function given(value: string | null | undefined): string | null {
  return value === null || value === undefined || value.trim() === '' ? null : value;
}

/** Windows names environment variables case-insensitively; a copied env object does not. */
function envValue(env: Record<string, string | undefined>, name: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32' || env[name] !== undefined) return env[name];
  const key = Object.keys(env).find((k) => k.toUpperCase() === name);
  return key === undefined ? undefined : env[key];
}

/** The file of one baseline: a readable prefix (the Dockerfile's folder and name) and a sha256 of the three. */
export function baselinePath(dir: string, dockerfile: string, target: string | null, builder: Builder): string {
  const parts = dockerfile.split(/[\\/]/).filter((p) => p !== '');
  const prefix = `${parts.at(-2) ?? 'root'}-${parts.at(-1) ?? 'Dockerfile'}`.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
  const hash = createHash('sha256').update(JSON.stringify([dockerfile, target, builder])).digest('hex').slice(0, 32);
  return join(dir, 'baselines', `${prefix}-${hash}.json`);
}

type Read = { baseline: Baseline | null; problem: string | null };

/**
 * Reads the baseline of (dockerfile absolute path, target, builder), never throwing; baseline null when there is
 * none (no problem) or when it cannot be used (problem says why in one sentence: unreadable, too large, corrupt
 * JSON, wrong shape, older or newer format, or recorded for another Dockerfile, target or builder).
 */
export function readBaseline(dir: string, dockerfile: string, target: string | null, builder: Builder): Read {
  try {
    return readFile(baselinePath(dir, dockerfile, target, builder), dockerfile, target, builder);
  } catch (e) {
    return { baseline: null, problem: `The baseline of ${dockerfile} cannot be read: ${describeFsError(e)}.` };
  }
}

function readFile(file: string, dockerfile: string, target: string | null, builder: Builder): Read {
  const unusable = (why: string): Read => ({ baseline: null, problem: `The baseline file ${file} ${why}; the next build replaces it.` });
  let text: string;
  try {
    text = readCapped(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { baseline: null, problem: null };
    if (code === 'EFBIG') return unusable(`is over the ${MAX_BASELINE_BYTES / 2 ** 20} MB limit`);
    return { baseline: null, problem: `The baseline file ${file} cannot be read: ${describeFsError(e)}.` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return unusable('is corrupt (not valid JSON)');
  }
  const checked = checkBaseline(value);
  if (checked.problem !== undefined) {
    if (checked.format === 'older') return unusable(`has an older format (${checked.problem}; this version reads format ${BASELINE_FORMAT})`);
    if (checked.format === 'newer') return unusable(`has a newer format (${checked.problem}; this version reads format ${BASELINE_FORMAT})`);
    return unusable(`is corrupt (${checked.problem})`);
  }
  const found = checked.baseline;
  // A copied state folder or a hash collision: the file is someone else's.
  if (found.dockerfile !== dockerfile) return unusable(`records the Dockerfile ${found.dockerfile}, not ${dockerfile}`);
  if (found.target !== target) return unusable(`records the target ${found.target ?? '(last stage)'}, not ${target ?? '(last stage)'}`);
  if (found.builder !== builder) return unusable(`records the builder ${found.builder}, not ${builder}`);
  return { baseline: found, problem: null };
}

/** Reads a regular file as UTF-8, refusing (EFBIG) one over MAX_BASELINE_BYTES; size and contents from one open. */
function readCapped(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw Object.assign(new Error('not a file'), { code: stat.isDirectory() ? 'EISDIR' : 'EINVAL' });
    if (stat.size > MAX_BASELINE_BYTES) throw Object.assign(new Error('too large'), { code: 'EFBIG' });
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a baseline atomically (a synced temp file in the same folder, then a rename), creating the folder, with
 * knownKeys merged with the baseline already there (see mergeKnownKeys) under a lock file, so that two builds at
 * once in two processes never leave a corrupt or partial file nor lose each other's keys; a lock not had within
 * `lock.waitMs` still writes, unmerged, and says so in `problem`; `written` says whether the file now holds this
 * baseline, and `problem` why not (such as a folder that is not writable). Never throws.
 */
export function writeBaseline(dir: string, baseline: Baseline, lock: LockOptions = DEFAULT_LOCK): { written: boolean; problem: string | null } {
  try {
    return writeLocked(dir, baseline, lock);
  } catch (e) {
    return { written: false, problem: `The baseline of ${String(baseline?.dockerfile)} was not written: ${describeFsError(e)}.` };
  }
}

function writeLocked(dir: string, baseline: Baseline, options: LockOptions): { written: boolean; problem: string | null } {
  const checked = checkBaseline(baseline);
  if (checked.problem !== undefined) return { written: false, problem: `The baseline to write is malformed (${checked.problem}); nothing was written.` };
  const file = baselinePath(dir, baseline.dockerfile, baseline.target, baseline.builder);
  try {
    mkdirSync(join(dir, 'baselines'), { recursive: true });
  } catch (e) {
    return { written: false, problem: notWritable(dir, e) };
  }
  const lock = acquireLock(`${file}.lock`, options);
  try {
    const old = 'token' in lock ? readFile(file, baseline.dockerfile, baseline.target, baseline.builder).baseline : null;
    const knownKeys = mergeKnownKeys(baseline, old);
    const text = JSON.stringify({ ...baseline, knownKeys, knownBytes: mergeKnownBytes(knownKeys, baseline, old) });
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_BASELINE_BYTES) {
      const problem = `The baseline of ${baseline.dockerfile} is ${bytes} bytes, over the ${MAX_BASELINE_BYTES / 2 ** 20} MB limit, and was not written.`;
      return { written: false, problem };
    }
    replaceFile(file, text);
    const unmerged = 'problem' in lock ? `This baseline was written without the known cache keys of earlier builds: ${lock.problem}.` : null;
    return { written: true, problem: unmerged };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === undefined) throw e;
    return { written: false, problem: notWritable(dir, e) };
  } finally {
    if ('token' in lock) releaseLock(`${file}.lock`, lock.token);
  }
}

function notWritable(dir: string, e: unknown): string {
  return `The state folder ${dir} is not writable (${describeFsError(e)}); choose another with --state-dir or ${STATE_DIR_ENV}.`;
}

/** The new build's step keys, then its own knownKeys, then the old knownKeys and step keys: deduplicated, capped. */
export function mergeKnownKeys(baseline: Baseline, old: Baseline | null): string[] {
  const keys = new Set<string>();
  const lists = [baseline.steps.map((s) => s.key), baseline.knownKeys, old?.knownKeys ?? [], old?.steps.map((s) => s.key) ?? []];
  for (const list of lists) {
    for (const key of list) {
      if (keys.size >= MAX_KNOWN_KEYS) return [...keys];
      keys.add(key);
    }
  }
  return [...keys];
}

/** The measured bytes of the merged keys: the new build's own figures first, then what the old baseline knew. */
export function mergeKnownBytes(keys: string[], baseline: Baseline, old: Baseline | null): Record<string, number> {
  const known = new Map<string, number>();
  const add = (key: string, bytes: number | null | undefined): void => { if (bytes !== null && bytes !== undefined && !known.has(key)) known.set(key, bytes); };
  for (const s of baseline.steps) add(s.key, s.bytes);
  for (const [k, b] of Object.entries(baseline.knownBytes ?? {})) add(k, b);
  for (const s of old?.steps ?? []) add(s.key, s.bytes);
  for (const [k, b] of Object.entries(old?.knownBytes ?? {})) add(k, b);
  const out: Record<string, number> = {};
  for (const k of keys) { const b = known.get(k); if (b !== undefined) out[k] = b; }
  return out;
}

/** Replaces `file` with `text` by a synced temp file in the same folder and a rename, so readers never see a part. */
function replaceFile(file: string, text: string): void {
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const fd = openSync(temp, 'wx', 0o644);
    try {
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameRetrying(temp, file);
  } catch (e) {
    try {
      unlinkSync(temp);
    } catch {
      // Never created, or already renamed.
    }
    throw e;
  }
}

/** Windows refuses to replace a file another process has open for a moment (EPERM, EACCES, EBUSY): retry briefly. */
function renameRetrying(from: string, to: string): void {
  for (let attempt = 0; ; attempt++) {
    try {
      renameSync(from, to);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (process.platform !== 'win32' || attempt >= 20 || !['EPERM', 'EACCES', 'EBUSY'].includes(code ?? '')) throw e;
      sleep(25);
    }
  }
}
