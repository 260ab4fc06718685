/**
 * A RUN's commands read as what they do to apt's state, in order: update, install, remove, clean, removal of
 * paths, and anything else that writes. Built on the shared shell reading (splitCommands via commandsOf) and
 * the rules' command helpers; this file only reads apt's own arguments.
 */
import { commandEffect } from '../shell';
import { commandsOf } from '../fixes/runText';
import { commandWords, isApt, removedPaths, subcommand } from '../rules/paths';
import { expandWord, type Lookup } from '../variables';

/** One thing a command does, as the estimate needs it. */
export type AptAction =
  | { kind: 'update' }
  | { kind: 'install'; names: string[]; recommends: boolean | null; problem: string | null }
  | { kind: 'remove'; names: string[]; autoremove: boolean }
  | { kind: 'autoremove' }
  | { kind: 'clean' }
  | { kind: 'config'; recommends: boolean; command: string }
  | { kind: 'rm'; patterns: string[] }
  | { kind: 'upgrade'; command: string }
  | { kind: 'other'; command: string; writes: boolean }
  | { kind: 'none' };

/** apt-get/apt options that take the next word as their value. */
const VALUED = new Set(['-o', '--option', '-t', '--target-release', '--default-release', '-c', '--config-file', '-a', '--host-architecture']);

/** Scripts without a `$` read the same whatever the variables: their actions are kept (callers must not change them). */
const plainScripts = new Map<string, readonly AptAction[]>();
const PLAIN_LIMIT = 512;

/** Reads every command of `script` (shell variables resolved with `lookup` where they can be); the result is shared, read it only. */
export function readAptActions(script: string, lookup: Lookup): readonly AptAction[] {
  if (script.includes('$')) return readActions(script, lookup);
  let actions = plainScripts.get(script);
  if (actions === undefined) {
    if (plainScripts.size >= PLAIN_LIMIT) plainScripts.clear();
    actions = readActions(script, lookup);
    plainScripts.set(script, actions);
  }
  return actions;
}

function readActions(script: string, lookup: Lookup): AptAction[] {
  return commandsOf(script).map((cmd) => {
    const words = commandWords(cmd).flatMap((w) => (w.includes('$') ? expand(w, lookup) : [w]));
    const config = cmd.redirects.some((r) => r.startsWith('/etc/apt/apt.conf.d/')) ? recommendsOption(words) : null;
    if (config !== null) return { kind: 'config', recommends: config, command: words[0] ?? '' };
    return actionOf(words, commandEffect(cmd).effect !== 'none');
  });
}

/** A word with ENV/ARG values in, split as the shell splits an unquoted expansion; as written when one is not known. */
function expand(word: string, lookup: Lookup): string[] {
  const e = expandWord(word, lookup);
  return e.unresolved.length > 0 ? [word] : e.value.split(/\s+/).filter((w) => w !== '');
}

function actionOf(words: string[], writes: boolean): AptAction {
  const name = words[0] ?? '';
  if (name === '') return { kind: 'none' };
  if (isApt(words, 'update')) return { kind: 'update' };
  if (isApt(words, 'install', 'reinstall')) return readInstall(words);
  if (isApt(words, 'remove', 'purge')) return { kind: 'remove', names: packageArgs(words).map(bareName), autoremove: words.includes('--auto-remove') || words.includes('--autoremove') };
  if (isApt(words, 'autoremove', 'autopurge')) return { kind: 'autoremove' };
  if (isApt(words, 'clean', 'autoclean')) return { kind: 'clean' };
  if (isApt(words, 'upgrade', 'dist-upgrade', 'full-upgrade', 'build-dep', 'source')) return { kind: 'upgrade', command: `${name} ${subcommand(words)}` };
  const removed = removedPaths(words, null);
  if (name === 'rm' && removed !== null) return { kind: 'rm', patterns: removed.paths };
  if (name === 'rm' || name === 'rmdir') return { kind: 'rm', patterns: [] };
  return writes ? { kind: 'other', command: name, writes } : { kind: 'none' };
}

/** The non-option words after the subcommand (values of valued options skipped). */
function packageArgs(words: string[]): string[] {
  const sub = subcommand(words);
  const out: string[] = [];
  let seenSub = false;
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    if (VALUED.has(w)) i++;
    else if (w.startsWith('-')) continue;
    else if (!seenSub && w === sub) seenSub = true;
    else out.push(w);
  }
  return out;
}

function readInstall(words: string[]): AptAction {
  const args = packageArgs(words);
  const local = args.find((a) => a.includes('/') && (a.startsWith('.') || a.startsWith('/') || a.endsWith('.deb')));
  const unresolved = args.find((a) => a.includes('$') || /[*?[]/.test(a));
  let problem: string | null = null;
  if (local !== undefined) problem = `\`${local}\` is a local .deb file, which no catalog describes`;
  else if (unresolved !== undefined) problem = `\`${unresolved}\` is not a plain package name`;
  else if (args.length === 0) problem = 'it names no package';
  // A trailing `-` asks install to remove the package instead; those are left out of what it adds.
  const names = problem !== null ? args : args.filter((a) => !a.endsWith('-')).map(bareName);
  return { kind: 'install', names, recommends: recommendsOption(words), problem };
}

/** `nginx=1.22*`, `nginx/bookworm`, `nginx:amd64` -> `nginx` (the catalog has one version per suite). */
export function bareName(arg: string): string {
  return arg.replace(/[=/].*$/, '').replace(/:[a-z0-9]+$/, '');
}

/** True/false when the command line says whether to install Recommends; null when it leaves apt's default (yes). */
export function recommendsOption(words: string[]): boolean | null {
  if (words.includes('--no-install-recommends')) return false;
  if (words.includes('--install-recommends')) return true;
  // `-o APT::Install-Recommends=false` on the command line, `APT::Install-Recommends "0";` in a config file.
  const set = words.map((w) => /APT::Install-Recommends(?:=|\s+)"?([^";\s]*)/i.exec(w)).find((m) => m !== null);
  if (set !== undefined && set !== null) return !/^(false|0|no|off)$/i.test(set[1]);
  return null;
}
