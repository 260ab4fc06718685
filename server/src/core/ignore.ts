/**
 * Docker's path-pattern language, as Engine 20.10 implements it: Go's `filepath.Clean` and `filepath.Match`
 * (COPY/ADD sources) and `.dockerignore` rules (moby's PatternMatcher plus the context walk that skips
 * excluded folders). Written by hand because the candidates differ from the real builders:
 * `@balena/dockerignore` judges each path on its own (so `!**\/x/keep` re-includes a file inside an excluded
 * folder, which Docker never walks into), checks every parent for `**` patterns (Engine 20.10 checks one),
 * matches case-insensitively by default and needs Node's `path`; glob libraries (picomatch, minimatch) add
 * braces, extglobs and dot-file rules that Go's `filepath.Match` does not have.
 */

/** Go's `filepath.Clean` for `/`-separated paths: `.`, `..` and repeated slashes resolved; `.` for empty. */
export function cleanPath(path: string): string {
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') out.push(part);
    else if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (!rooted) out.push('..');
  }
  const joined = out.join('/');
  return rooted ? `/${joined}` : joined === '' ? '.' : joined;
}

/** Whether a COPY/ADD source is a pattern (Go's wildcard characters, or an escape) rather than a path. */
export function hasWildcards(path: string): boolean {
  return /[*?[\\]/.test(path);
}

/** Go's `filepath.Match` on Unix: true/false, or null when the pattern is malformed (Go's ErrBadPattern). */
export function goMatch(pattern: string, name: string): boolean | null {
  let p = Array.from(pattern);
  let s = Array.from(name);
  while (p.length > 0) {
    const { star, chunk, rest } = scanChunk(p);
    p = rest;
    if (star && chunk.length === 0) return !s.includes('/');
    const here = matchChunk(chunk, s);
    if (here === null) return null;
    if (here !== false && (here.length === 0 || p.length > 0)) {
      s = here;
      continue;
    }
    let advanced = false;
    for (let i = 0; star && i < s.length && s[i] !== '/'; i++) {
      const t = matchChunk(chunk, s.slice(i + 1));
      if (t === null) return null;
      if (t === false || (p.length === 0 && t.length > 0)) continue;
      s = t;
      advanced = true;
      break;
    }
    if (advanced) continue;
    // Like Go, report a malformed remainder even when the name already failed to match.
    while (p.length > 0) {
      const next = scanChunk(p);
      p = next.rest;
      if (matchChunk(next.chunk, []) === null) return null;
    }
    return false;
  }
  return s.length === 0;
}

function scanChunk(p: string[]): { star: boolean; chunk: string[]; rest: string[] } {
  let i = 0;
  while (i < p.length && p[i] === '*') i++;
  const star = i > 0;
  let inRange = false;
  let j = i;
  for (; j < p.length; j++) {
    if (p[j] === '\\') { if (j + 1 < p.length) j++; }
    else if (p[j] === '[') inRange = true;
    else if (p[j] === ']') inRange = false;
    else if (p[j] === '*' && !inRange) break;
  }
  return { star, chunk: p.slice(i, j), rest: p.slice(j) };
}

/** Matches one chunk at the start of `s`: the rest of `s`, false for no match, null for a bad pattern. */
function matchChunk(chunk: string[], s: string[]): string[] | false | null {
  let failed = false;
  let c = 0;
  let k = 0;
  while (c < chunk.length) {
    if (!failed && k >= s.length) failed = true;
    const ch = chunk[c];
    if (ch === '[') {
      const r = failed ? '' : s[k++];
      c++;
      const negated = chunk[c] === '^';
      if (negated) c++;
      let match = false;
      for (let n = 0; ; n++) {
        if (chunk[c] === ']' && n > 0) { c++; break; }
        const lo = getEsc(chunk, c);
        if (lo === null) return null;
        let hi = lo;
        if (chunk[lo.next] === '-') {
          const h = getEsc(chunk, lo.next + 1);
          if (h === null) return null;
          hi = h;
        }
        c = hi.next;
        const code = r.codePointAt(0);
        if (code !== undefined && lo.code <= code && code <= hi.code) match = true;
      }
      if (match === negated) failed = true;
    } else if (ch === '?') {
      if (!failed) failed = s[k++] === '/';
      c++;
    } else {
      if (ch === '\\') {
        c++;
        if (c >= chunk.length) return null;
      }
      if (!failed) failed = chunk[c] !== s[k++];
      c++;
    }
  }
  return failed ? false : s.slice(k);
}

function getEsc(chunk: string[], c: number): { code: number; next: number } | null {
  if (c >= chunk.length || chunk[c] === '-' || chunk[c] === ']') return null;
  if (chunk[c] === '\\') {
    c++;
    if (c >= chunk.length) return null;
  }
  const next = c + 1;
  return next >= chunk.length ? null : { code: chunk[c].codePointAt(0) ?? 0, next };
}

/** One `.dockerignore` rule after Docker's normalization. */
export interface IgnoreRule {
  /** The cleaned pattern, without `!`. */
  pattern: string;
  exclusion: boolean;
  /** 0-based line in the ignore file. */
  line: number;
  regex: RegExp | null;
  /** Number of `/`-separated parts, for moby's single parent-folder check. */
  depth: number;
}

/** Parsed ignore rules, plus problems that make Docker reject the file (the build then fails). */
export interface IgnoreRules {
  rules: IgnoreRule[];
  hasExclusions: boolean;
  problems: Array<{ line: number; message: string }>;
}

/** Parses `.dockerignore` text like moby's `dockerignore.ReadAll` + `NewPatternMatcher` (Engine 20.10). */
export function parseIgnore(text: string): IgnoreRules {
  const result: IgnoreRules = { rules: [], hasExclusions: false, problems: [] };
  text.replace(/^\uFEFF/, '').split('\n').forEach((raw, line) => {
    // Comments are recognized before trimming, so `  # x` is a pattern, as in Docker.
    if (raw.startsWith('#')) return;
    let p = raw.replace(/\r$/, '').trim();
    if (p === '') return;
    const invert = p.startsWith('!');
    if (invert) p = p.slice(1).trim();
    if (p.length > 0) {
      p = cleanPath(p);
      if (p.length > 1 && p.startsWith('/')) p = p.slice(1);
    }
    // NewPatternMatcher cleans again, the `!` included, before it looks for the `!`.
    p = cleanPath((invert ? '!' : '') + p);
    const exclusion = p.startsWith('!');
    if (exclusion && p.length === 1) {
      result.problems.push({ line, message: 'A line with only "!" is an illegal exclusion pattern: Docker rejects the .dockerignore file.' });
      return;
    }
    if (exclusion) p = p.slice(1);
    if (goMatch(p, '.') === null) {
      result.problems.push({ line, message: `"${p}" is not a valid pattern (syntax error in pattern): Docker rejects the .dockerignore file.` });
      return;
    }
    result.hasExclusions ||= exclusion;
    result.rules.push({ pattern: p, exclusion, line, regex: compileRule(p), depth: p.split('/').length });
  });
  return result;
}

/**
 * moby's pattern-to-regexp translation. It escapes only `.` and `$`, so `(`, `+`, `{`, `|` keep their regexp
 * meaning (`f(1).txt` does not match the file `f(1).txt`); the real builders behave the same way.
 */
function compileRule(pattern: string): RegExp | null {
  let re = '^';
  const p = Array.from(pattern);
  for (let i = 0; i < p.length; i++) {
    const ch = p[i];
    if (ch === '*' && p[i + 1] === '*') {
      i++;
      if (p[i + 1] === '/') i++;
      re += i + 1 >= p.length ? '.*' : '(.*/)?';
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '.' || ch === '$') re += `\\${ch}`;
    else if (ch === '\\') re += i + 1 < p.length ? `\\${p[++i]}` : '\\';
    else re += ch;
  }
  for (const flags of ['u', '']) {
    try {
      return new RegExp(`${re}$`, flags);
    } catch {
      // Go's regexp accepts some texts JavaScript's unicode mode rejects (a lone `{`); try without it.
    }
  }
  return null;
}

/** moby's `PatternMatcher.Matches` (Engine 20.10): later rules win; a parent folder is checked at one depth. */
export function isIgnored(rules: IgnoreRules, path: string): boolean {
  const parents = path.split('/').slice(0, -1);
  let matched = false;
  for (const rule of rules.rules) {
    if (rule.exclusion !== matched) continue;
    let match = rule.regex?.test(path) ?? false;
    if (!match && parents.length > 0 && rule.depth <= parents.length) {
      match = rule.regex?.test(parents.slice(0, rule.depth).join('/')) ?? false;
    }
    if (match) matched = !rule.exclusion;
  }
  return matched;
}

/** A path of the context and whether it is a folder, as the walk needs them. */
export interface WalkEntry {
  path: string;
  isDir: boolean;
}

/**
 * The paths Docker sends to the builder, walking parents before children as Docker does: an ignored folder
 * is skipped whole unless an exception starts with its path. BuildKit then sends that folder itself; the
 * legacy builder sends only what the exception re-includes, and the folder exists in its context as the
 * parent of those paths (so `COPY docs /d` works there too), and not at all when nothing inside is sent.
 * Paths come back in walk order.
 */
export function includedPaths(rules: IgnoreRules, entries: WalkEntry[], builder: 'buildkit' | 'legacy'): string[] {
  const sorted = [...entries].sort((a, b) => comparePaths(a.path, b.path));
  const skipped: string[] = [];
  const included: string[] = [];
  // Legacy: ignored folders walked into, waiting for a sent path inside them (outermost first).
  let walked: string[] = [];
  const include = (p: string): void => {
    const parents = walked.filter((d) => p.startsWith(`${d}/`));
    if (parents.length > 0) walked = walked.filter((d) => !parents.includes(d));
    included.push(...parents, p);
  };
  for (const e of sorted) {
    if (skipped.some((dir) => e.path.startsWith(`${dir}/`))) continue;
    if (!isIgnored(rules, e.path)) { include(e.path); continue; }
    if (!e.isDir) continue;
    const walk = rules.hasExclusions && rules.rules.some((r) => r.exclusion && `${r.pattern}/`.startsWith(`${e.path}/`));
    if (!walk) skipped.push(e.path);
    else if (builder === 'buildkit') include(e.path);
    else walked.push(e.path);
  }
  return included;
}

/** Orders paths so that a folder comes right before its contents (`a`, `a/b`, `a.txt`), like a tree walk. */
export function comparePaths(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return x.length - y.length;
}
