/**
 * A light reading of RUN commands: split a shell command into simple commands and judge whether each one
 * can change the filesystem. Written by hand because only this coarse judgement is needed, not a full
 * POSIX shell parser; anything not understood is reported as unknown, never guessed.
 */

/** What a command does to the filesystem: certainly nothing, certainly writes, or not known. */
export type WriteEffect = 'none' | 'writes' | 'unknown';

/** One simple command: its words (quotes removed) and the files it redirects output to. */
export interface SimpleCommand {
  words: string[];
  redirects: string[];
}

/** Commands that never change the filesystem by themselves (output redirection is judged separately). */
const READ_ONLY = new Set([
  'true', ':', 'false', 'echo', 'printf', 'exit', 'ls', 'cat', 'pwd', 'id', 'whoami', 'env', 'printenv',
  'uname', 'date', 'sleep', 'test', '[', '[[', 'which', 'command', 'type', 'cd', 'export', 'set', 'unset',
  'umask', 'grep', 'egrep', 'head', 'tail', 'wc', 'stat', 'df', 'du', 'nproc', 'sort', 'uniq', 'tr', 'cut',
  'basename', 'dirname', 'readlink', 'realpath', 'md5sum', 'sha256sum', 'sha1sum', 'file', 'free', 'ps',
  'getent', 'arch', 'seq', 'yes', 'expr', 'source', '.', 'alias', 'shift', 'return', 'wait', 'tty',
]);

/** Commands whose whole purpose is to write files. */
const WRITERS = new Set([
  'apt-get', 'apt', 'aptitude', 'dpkg', 'apk', 'yum', 'dnf', 'microdnf', 'zypper', 'pacman', 'rpm', 'pip',
  'pip3', 'pipx', 'poetry', 'uv', 'npm', 'npx', 'yarn', 'pnpm', 'bun', 'gem', 'bundle', 'composer', 'go',
  'cargo', 'rustup', 'mvn', 'gradle', 'make', 'cmake', 'gcc', 'cc', 'g++', 'clang', 'dotnet', 'conda',
  'mamba', 'touch', 'cp', 'mv', 'ln', 'rm', 'rmdir', 'chmod', 'chown', 'chgrp', 'tar', 'unzip', 'gunzip',
  'gzip', 'wget', 'git', 'useradd', 'groupadd', 'adduser', 'addgroup', 'usermod', 'install', 'tee',
  'truncate', 'dd', 'patch', 'update-ca-certificates', 'ldconfig', 'locale-gen', 'setcap', 'mkfifo', 'mknod',
]);

const COMMAND_SEPARATORS = new Set(['&&', '||', ';', '|', '&', '\n', '(', ')', '{', '}']);

/** Splits a shell command into simple commands at `&&`, `||`, `;`, `|`, `&` and newlines. */
export function splitCommands(script: string): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  let words: string[] = [];
  let redirects: string[] = [];
  const flush = (): void => {
    if (words.length > 0 || redirects.length > 0) commands.push({ words, redirects });
    words = [];
    redirects = [];
  };
  const tokens = tokenize(script);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.op && COMMAND_SEPARATORS.has(t.text)) flush();
    else if (t.op && /^\d*(>|>>|>\||&>)$/.test(t.text)) redirects.push(tokens[++i]?.text ?? '');
    else if (t.op) i++;
    else words.push(t.text);
  }
  flush();
  return commands;
}

interface Token {
  text: string;
  op: boolean;
}

const OPERATOR_CHARS = ';&|<>()\n';
/** Characters that end a run of ordinary word characters (inside a word `#`, `{` and `}` are ordinary). */
const STOPS_WORD_RUN = new Set(['\\', "'", '"', ' ', '\t', '\r', ...OPERATOR_CHARS]);

function tokenize(script: string): Token[] {
  const tokens: Token[] = [];
  let word = '';
  let inWord = false;
  const end = (): void => {
    if (inWord) tokens.push({ text: word, op: false });
    word = '';
    inWord = false;
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    if (c === '\\' && i + 1 < script.length) {
      if (script[i + 1] !== '\n') word += script[i + 1];
      inWord = inWord || script[i + 1] !== '\n';
      i++;
    } else if (c === "'" || c === '"') {
      const close = script.indexOf(c, i + 1);
      const stop = close < 0 ? script.length : close;
      word += script.slice(i + 1, stop);
      inWord = true;
      i = stop;
    } else if (c === '#' && !inWord) {
      const nl = script.indexOf('\n', i);
      i = (nl < 0 ? script.length : nl) - 1;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      end();
    } else if (OPERATOR_CHARS.includes(c) || ((c === '{' || c === '}') && !inWord)) {
      const op = readOperator(script, i, word, inWord);
      if (op.digits) word = '';
      else end();
      inWord = false;
      tokens.push({ text: op.text, op: true });
      i += op.length - 1;
    } else {
      // One slice for the whole run of ordinary characters: adding them one by one was the slowest part.
      let j = i + 1;
      while (j < script.length && !STOPS_WORD_RUN.has(script[j])) j++;
      word += script.slice(i, j);
      inWord = true;
      i = j - 1;
    }
  }
  end();
  return tokens;
}

const TWO_CHAR_OPERATORS = new Set(['&&', '||', '>>', '>|', '&>', '<<', '>&', '<&']);

/** Reads an operator at `i`; a redirection directly after digits (`2>`) takes the digits as its file descriptor. */
function readOperator(s: string, i: number, word: string, inWord: boolean): { text: string; length: number; digits: boolean } {
  const two = s.slice(i, i + 2);
  const digits = inWord && (s[i] === '>' || s[i] === '<') && /^\d+$/.test(word);
  if (TWO_CHAR_OPERATORS.has(two)) {
    return { text: (digits ? word : '') + two, length: 2, digits };
  }
  return { text: (digits ? word : '') + s[i], length: 1, digits };
}

const NULL_TARGETS = /^(\/dev\/(null|stdout|stderr|tty|fd\/\d+)|&?\d+|-)$/;

/** Whether a folder exists before the command runs: true, false (certainly absent), undefined (unknown). */
export type DirExists = (path: string) => boolean | undefined;

/** Judges one simple command: does it write to the filesystem? `mkdir -p` of existing folders writes nothing. */
export function commandEffect(cmd: SimpleCommand, exists: DirExists = () => undefined): { effect: WriteEffect; name: string } {
  const words = cmd.words.slice(commandStart(cmd.words));
  const name = words[0] ?? '';
  if (cmd.redirects.some((r) => !NULL_TARGETS.test(r))) return { effect: 'writes', name };
  if (name === '') return { effect: 'none', name };
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (base === 'sed') return { effect: words.some((w) => /^-[a-zA-Z]*i/.test(w) || w === '--in-place') ? 'writes' : 'none', name: base };
  if (base === 'find') return { effect: words.some((w) => w === '-delete' || w.startsWith('-exec') || w.startsWith('-fprint')) ? 'unknown' : 'none', name: base };
  if (base === 'mkdir') return { effect: mkdirEffect(words, exists), name: base };
  // `rm -f` of files that are not there changes nothing; without -f a missing file fails the build instead.
  if (base === 'rm') return { effect: words.some((w) => /^-[a-zA-Z]*f/.test(w) || w === '--force') ? 'unknown' : 'writes', name: base };
  if (base === 'curl') return { effect: words.some((w) => /^-[a-zA-Z]*[oO]/.test(w) || w.startsWith('--output') || w === '--remote-name') ? 'writes' : 'none', name: base };
  if (READ_ONLY.has(base)) return { effect: 'none', name: base };
  if (WRITERS.has(base)) return { effect: 'writes', name: base };
  return { effect: 'unknown', name };
}

/**
 * Commands that run the command after their options (and, for `env`, after `NAME=value` assignments), each
 * with its options that take the next word as their value (`sudo -u app`, `nice -n 5`).
 */
export const COMMAND_WRAPPERS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['sudo', new Set(['-u', '-g', '-C', '-D', '-p', '-r', '-t', '-R', '-T', '-U', '--user', '--group', '--chdir'])],
  ['env', new Set(['-u', '-C', '--unset', '--chdir'])],
  ['nice', new Set(['-n', '--adjustment'])],
  ['time', new Set(['-f', '-o', '--format', '--output'])],
  ['exec', new Set(['-a'])],
  ['nohup', new Set<string>()],
  ['command', new Set<string>()],
  ['builtin', new Set<string>()],
]);

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * The index of the word naming the command that `words` run, past leading assignments and COMMAND_WRAPPERS
 * with their options; `words.length` when they run none (only assignments, or `command -v name`, which looks up).
 */
export function commandStart(words: readonly string[]): number {
  let i = 0;
  while (i < words.length && ASSIGNMENT.test(words[i])) i++;
  for (let valued = COMMAND_WRAPPERS.get(words[i]); valued !== undefined; valued = COMMAND_WRAPPERS.get(words[i])) {
    const wrapper = words[i++];
    while (i < words.length && (words[i].startsWith('-') || ASSIGNMENT.test(words[i]))) {
      if (wrapper === 'command' && /^-[a-zA-Z]*[vV]/.test(words[i])) return words.length;
      i += valued.has(words[i]) ? 2 : 1;
    }
  }
  return Math.min(i, words.length);
}

/** Judges a whole RUN script: `writes` if any command writes, `none` if all are read-only, else `unknown`. */
export function scriptEffect(script: string, exists?: DirExists): { effect: WriteEffect; culprit: string | null } {
  let unknown: string | null = null;
  for (const cmd of splitCommands(script)) {
    const { effect, name } = commandEffect(cmd, exists);
    if (effect === 'writes') return { effect, culprit: cmd.redirects.length > 0 && !WRITERS.has(name) ? `${name} >` : name };
    if (effect === 'unknown' && unknown === null) unknown = name;
  }
  return unknown === null ? { effect: 'none', culprit: null } : { effect: 'unknown', culprit: unknown };
}

/** `mkdir` without -p writes (or fails); `mkdir -p` writes only folders that are missing. */
function mkdirEffect(words: string[], exists: DirExists): WriteEffect {
  const args = words.slice(1);
  const parents = args.some((w) => /^-[a-zA-Z]*p/.test(w) || w === '--parents');
  const paths = args.filter((w) => !w.startsWith('-'));
  if (!parents || paths.length === 0) return 'writes';
  const known = paths.map((p) => (p.startsWith('/') ? exists(p) : undefined));
  if (known.every((k) => k === true)) return 'none';
  return known.some((k) => k === false) ? 'writes' : 'unknown';
}

/** The folders `mkdir` commands of a script create (their non-option words, as written). */
export function createdDirs(script: string): string[] {
  return splitCommands(script)
    .filter((c) => /(^|\/)mkdir$/.test(c.words[0] ?? ''))
    .flatMap((c) => c.words.slice(1).filter((w) => !w.startsWith('-')));
}
