/**
 * Docker's path-pattern language: Go's `filepath.Clean` and `filepath.Match` (COPY/ADD sources) and
 * `.dockerignore` rules with the context walk that skips excluded folders, in two flavors: Engine 20.10's
 * (moby's fileutils PatternMatcher) and Engine 23's and later (moby/patternmatcher, and BuildKit's fsutil
 * walk), which differ in regexp escaping, parent matching and which excluded folders they walk into. Written by hand because the candidates differ from the real builders:
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

/**
 * Which implementation of the rules: `moby20` (Docker 20.10) or `moby23` (Docker 23 and later; measured on
 * 26.1: `f(1).txt` matches itself, `**\/node` excludes every path below a `node` folder, BuildKit walks into
 * excluded folders when an exception has wildcards and sends an excluded folder only for what it holds).
 */
export type IgnoreFlavor = 'moby20' | 'moby23';

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
  flavor: IgnoreFlavor;
  rules: IgnoreRule[];
  hasExclusions: boolean;
  problems: Array<{ line: number; message: string }>;
}

/** Parses `.dockerignore` text like moby's `dockerignore.ReadAll` + `NewPatternMatcher` of the given flavor. */
export function parseIgnore(text: string, flavor: IgnoreFlavor = 'moby20'): IgnoreRules {
  const result: IgnoreRules = { flavor, rules: [], hasExclusions: false, problems: [] };
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
    result.rules.push({ pattern: p, exclusion, line, regex: compileRule(p, flavor), depth: p.split('/').length });
  });
  return result;
}

/**
 * moby's pattern-to-regexp translation. Engine 20.10 escapes only `.` and `$`, so `(`, `+`, `{`, `|` keep their
 * regexp meaning (`f(1).txt` does not match the file `f(1).txt`); moby/patternmatcher (23+) escapes them too.
 */
function compileRule(pattern: string, flavor: IgnoreFlavor): RegExp | null {
  const escaped = flavor === 'moby20' ? '.$' : '.+()|{}$';
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
    else if (escaped.includes(ch)) re += `\\${ch}`;
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

/**
 * Whether the rules exclude `path`: later rules win. Engine 20.10's `PatternMatcher.Matches` checks a parent
 * folder at one depth only; 23+ (`MatchesOrParentMatches`) checks every parent folder.
 */
export function isIgnored(rules: IgnoreRules, path: string): boolean {
  if (rules.flavor === 'moby23') return matchesOrParentMatches(rules, path);
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

function matchesOrParentMatches(rules: IgnoreRules, path: string): boolean {
  const parts = path.split('/');
  let matched = false;
  for (const rule of rules.rules) {
    if (rule.exclusion !== matched) continue;
    let match = rule.regex?.test(path) ?? false;
    for (let i = 1; !match && i < parts.length; i++) match = rule.regex?.test(parts.slice(0, i).join('/')) ?? false;
    if (match) matched = !rule.exclusion;
  }
  return matched;
}

/**
 * moby/patternmatcher's `MatchesUsingParentResults`, as the 23+ walks use it: a rule that matched a folder
 * holds for everything inside it; other rules are tried on the path itself. Returns the verdict and the
 * per-rule matches the path's children inherit.
 */
function matchesUsingParent(rules: IgnoreRules, path: string, parent: boolean[] | undefined): { ignored: boolean; info: boolean[] } {
  let matched = false;
  const info = rules.rules.map(() => false);
  rules.rules.forEach((rule, i) => {
    let match = parent?.[i] ?? false;
    if (!match) {
      if (rule.exclusion !== matched) return;
      match = rule.regex?.test(path) ?? false;
    }
    info[i] = match;
    if (match) matched = !rule.exclusion;
  });
  return { ignored: matched, info };
}

/**
 * Whether a walk enters excluded folder `dir`: when an exception pattern starts with its path (BuildKit 23+
 * first drops a trailing `/**` or `/*` from the exception), or, in BuildKit 23+, whenever any exception has
 * wildcards, since the walk can no longer tell which folders it may need.
 */
function walksInto(rules: IgnoreRules, dir: string, builder: 'buildkit' | 'legacy'): boolean {
  if (!rules.hasExclusions) return false;
  const exceptions = rules.rules.filter((r) => r.exclusion).map((r) => r.pattern);
  const modernBuildkit = rules.flavor === 'moby23' && builder === 'buildkit';
  const trimmed = modernBuildkit ? exceptions.map((p) => p.replace(/\/\*\*?$/, '')) : exceptions;
  if (modernBuildkit && trimmed.some((p) => /[*[\]?^\\]/.test(p))) return true;
  return trimmed.some((p) => `${p}/`.startsWith(`${dir}/`));
}

/**
 * The paths Docker sends to the builder, walking parents before children as Docker does: an ignored folder
 * is skipped whole unless the walk enters it (see walksInto). Engine 20.10's BuildKit then sends that folder
 * itself; otherwise the folder exists in the builder's context as the parent of the paths sent from inside
 * it (so `COPY docs /d` works there too), and not at all when nothing inside is sent. Paths come back in
 * walk order.
 */
export function includedPaths(rules: IgnoreRules, entries: WalkEntry[], builder: 'buildkit' | 'legacy'): string[] {
  const sorted = [...entries].sort((a, b) => comparePaths(a.path, b.path));
  const skipped: string[] = [];
  const included: string[] = [];
  const eager = rules.flavor === 'moby20' && builder === 'buildkit';
  // Excluded folders walked into, waiting for a sent path inside them (outermost first).
  let walked: string[] = [];
  const include = (p: string): void => {
    const parents = walked.filter((d) => p.startsWith(`${d}/`));
    if (parents.length > 0) walked = walked.filter((d) => !parents.includes(d));
    included.push(...parents, p);
  };
  // Per folder, the rules it matched (23+ only), inherited by what it holds.
  const infos = new Map<string, boolean[]>();
  for (const e of sorted) {
    if (skipped.some((dir) => e.path.startsWith(`${dir}/`))) continue;
    let ignored: boolean;
    if (rules.flavor === 'moby23') {
      const slash = e.path.lastIndexOf('/');
      const verdict = matchesUsingParent(rules, e.path, slash < 0 ? undefined : infos.get(e.path.slice(0, slash)));
      if (e.isDir) infos.set(e.path, verdict.info);
      ignored = verdict.ignored;
    } else {
      ignored = isIgnored(rules, e.path);
    }
    if (!ignored) { include(e.path); continue; }
    if (!e.isDir) continue;
    if (!walksInto(rules, e.path, builder)) skipped.push(e.path);
    else if (eager) include(e.path);
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
