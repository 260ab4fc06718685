/**
 * Which paths a step creates and which paths a cleanup command removes, read from RUN commands and
 * COPY/ADD destinations. Coarse on purpose: only commands whose targets are plain words are read, and
 * package managers are mapped to the cache folders they fill.
 */
import * as posix from '../posixPath';
import { commandStart, type SimpleCommand } from '../shell';
import type { ResolvedInstruction } from '../stages';

/** Folders package managers fill as a side effect of their commands. */
export const CACHE_DIRS = {
  aptLists: '/var/lib/apt/lists',
  aptArchives: '/var/cache/apt',
  apk: '/var/cache/apk',
  pip: '/root/.cache/pip',
  npm: '/root/.npm',
  yarn: '/usr/local/share/.cache/yarn',
} as const;

/** The command's name (without its folder) and arguments, with leading assignments and wrappers (`sudo`, `nice`, ...) skipped. */
export function commandWords(cmd: SimpleCommand): string[] {
  return cmd.words.slice(commandStart(cmd.words)).map((x, j) => (j === 0 ? x.slice(x.lastIndexOf('/') + 1) : x));
}

/** The subcommand of a package manager: the first word after the name that is not an option. */
export function subcommand(words: string[]): string {
  return words.slice(1).find((w) => !w.startsWith('-')) ?? '';
}

/** True for `apt-get`/`apt` with subcommand `sub` (one of several). */
export function isApt(words: string[], ...subs: string[]): boolean {
  return (words[0] === 'apt-get' || words[0] === 'apt') && subs.includes(subcommand(words));
}

/** True for `pip install`, `pip3 install`, `python -m pip install` and versioned variants. */
export function isPipInstall(words: string[]): boolean {
  if (/^pip(3(\.\d+)?)?$/.test(words[0] ?? '')) return subcommand(words) === 'install';
  return /^python(3(\.\d+)?)?$/.test(words[0] ?? '') && words[1] === '-m' && words[2] === 'pip' && words.slice(3).find((w) => !w.startsWith('-')) === 'install';
}

/** Paths (absolute, normalized) a RUN command creates or fills; `cwd` is null when `cd` made it unknown. */
export function createdPaths(words: string[], redirects: string[], cwd: string | null): string[] {
  const abs = (p: string): string | null => (p.startsWith('/') ? posix.resolve('/', p) : cwd === null ? null : posix.resolve(cwd, p));
  const out: (string | null)[] = redirects.map(abs);
  const args = words.slice(1).filter((w) => !w.startsWith('-'));
  const name = words[0] ?? '';
  if (isApt(words, 'update')) out.push(CACHE_DIRS.aptLists);
  if (isApt(words, 'install', 'upgrade', 'dist-upgrade', 'full-upgrade')) out.push(CACHE_DIRS.aptArchives);
  if (name === 'apk' && subcommand(words) === 'add' && !words.includes('--no-cache')) out.push(CACHE_DIRS.apk);
  if (isPipInstall(words) && !words.includes('--no-cache-dir')) out.push(CACHE_DIRS.pip);
  if (name === 'npm' && ['install', 'i', 'ci', 'add'].includes(subcommand(words))) out.push(CACHE_DIRS.npm);
  if (name === 'yarn' && ['', 'install', 'add'].includes(subcommand(words))) out.push(CACHE_DIRS.yarn);
  if (name === 'touch' || name === 'mkdir') out.push(...args.map(abs));
  if ((name === 'cp' || name === 'mv') && args.length >= 2) out.push(abs(args[args.length - 1]));
  if (name === 'wget' || name === 'curl') out.push(...outputOption(words).map(abs));
  if (name === 'git' && subcommand(words) === 'clone' && args.length >= 3) out.push(abs(args[2]));
  return out.filter((p): p is string => p !== null);
}

function outputOption(words: string[]): string[] {
  const i = words.findIndex((w) => w === '-O' || w === '-o' || w === '--output' || w === '--output-document');
  return i >= 0 && words[i + 1] !== undefined ? [words[i + 1]] : [];
}

/** A cleanup command: what it removes (absolute paths, globs allowed) and its flags; null if not a cleanup. */
export function removedPaths(words: string[], cwd: string | null): { paths: string[]; raw: string[] } | null {
  const name = words[0] ?? '';
  if (name === 'rm') {
    const raw = words.slice(1).filter((w) => !w.startsWith('-'));
    const paths = raw.map((p) => (p.startsWith('/') ? p : cwd === null ? '' : `${cwd.replace(/\/$/, '')}/${p}`));
    return raw.length > 0 && paths.every((p) => p !== '') ? { paths, raw } : null;
  }
  if (isApt(words, 'clean')) return { paths: [`${CACHE_DIRS.aptArchives}/*`], raw: [] };
  if (name === 'npm' && subcommand(words) === 'cache' && words.includes('clean')) return { paths: [`${CACHE_DIRS.npm}/*`], raw: [] };
  if (name === 'yarn' && subcommand(words) === 'cache' && words.includes('clean')) return { paths: [`${CACHE_DIRS.yarn}/*`], raw: [] };
  if (/^pip(3(\.\d+)?)?$/.test(name) && subcommand(words) === 'cache') return { paths: [`${CACHE_DIRS.pip}/*`], raw: [] };
  return null;
}

/** One command of a RUN as the path rules read it: its words (wrappers skipped), what it removes, what it creates. */
export interface PathCommand {
  words: string[];
  removed: { paths: string[]; raw: string[] } | null;
  created: string[];
}

/** A RUN's commands in order, following `cd` from `workdir` (null once a `cd` cannot be read), with their paths. */
export function pathCommands(commands: SimpleCommand[], workdir: string): readonly PathCommand[] {
  // The same RUN is read by the cleanup rule and the wasted-space estimate, on every analysis: kept per command
  // list (commandsOf keeps one list per script text) and working folder. Callers read the result only.
  let byWorkdir = pathsRead.get(commands);
  if (byWorkdir === undefined) pathsRead.set(commands, (byWorkdir = new Map()));
  let read = byWorkdir.get(workdir);
  if (read === undefined) byWorkdir.set(workdir, (read = readPaths(commands, workdir)));
  return read;
}

const pathsRead = new WeakMap<SimpleCommand[], Map<string, readonly PathCommand[]>>();

function readPaths(commands: SimpleCommand[], workdir: string): PathCommand[] {
  let cwd: string | null = workdir;
  return commands.map((cmd) => {
    const words = commandWords(cmd);
    if (words[0] === 'cd') cwd = words[1] !== undefined && words.length === 2 ? posix.resolve(cwd ?? '/', words[1]) : null;
    return { words, removed: removedPaths(words, cwd), created: createdPaths(words, cmd.redirects, cwd) };
  });
}

/** The fixed part of a path pattern: everything before the first segment with a glob character. */
export function patternBase(pattern: string): string {
  const parts = pattern.split('/');
  const fixed: string[] = [];
  for (const part of parts) {
    if (/[*?[]/.test(part)) break;
    fixed.push(part);
  }
  return posix.resolve('/', fixed.join('/') || '/');
}

/** True when removing `pattern` removes `created` or something inside it (or `created` is inside it). */
export function removes(pattern: string, created: string): boolean {
  const base = patternBase(pattern);
  if (base === '/') return false;
  return created === base || created.startsWith(base + '/') || base.startsWith(created + '/');
}

/** The destination a COPY or ADD writes to, resolved against `workdir`; null when not readable. */
export function copyDestination(ins: ResolvedInstruction, workdir: string): string | null {
  if (ins.heredocs.length > 0) return null;
  const dest = ins.expanded[ins.expanded.length - 1];
  return dest === undefined ? null : posix.resolve(workdir, dest);
}
