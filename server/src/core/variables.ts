/**
 * Variable substitution and word splitting as the Dockerfile builders do it for ADD, COPY, ENV, EXPOSE,
 * FROM, LABEL, STOPSIGNAL, USER, VOLUME and WORKDIR. Written by hand because no package implements the
 * builders' lexer (quotes, the escape directive, `${V:-x}` forms) without pulling in a shell.
 */

/** A variable lookup: a string value, null when declared without a value, undefined when not declared. */
export type Lookup = (name: string) => string | null | undefined;

/** The result of expanding one word: its value, and the names that could not be resolved. */
export interface Expansion {
  value: string;
  unresolved: string[];
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/** Expands `$V`, `${V}`, `${V:-x}`, `${V-x}`, `${V:+x}`, `${V+x}` and `${V:?x}` in `word`, removing quotes. */
export function expandWord(word: string, lookup: Lookup, escape = '\\'): Expansion {
  const state = { text: word, pos: 0, lookup, escape, unresolved: [] as string[] };
  const value = readUntil(state, null, false);
  return { value, unresolved: state.unresolved };
}

interface LexState {
  text: string;
  pos: number;
  lookup: Lookup;
  escape: string;
  unresolved: string[];
}

/** Reads text until `stop` (outside quotes) or the end, expanding variables. */
function readUntil(s: LexState, stop: string | null, inDouble: boolean): string {
  let out = '';
  while (s.pos < s.text.length) {
    const c = s.text[s.pos];
    if (stop !== null && c === stop && !inDouble) return out;
    if (c === s.escape && s.pos + 1 < s.text.length) {
      const next = s.text[s.pos + 1];
      // Inside double quotes the escape only protects $, " and the escape itself, as in the builders.
      if (inDouble && next !== '$' && next !== '"' && next !== s.escape) out += c;
      out += next;
      s.pos += 2;
    } else if (c === "'" && !inDouble) {
      const end = s.text.indexOf("'", s.pos + 1);
      const close = end < 0 ? s.text.length : end;
      out += s.text.slice(s.pos + 1, close);
      s.pos = close + 1;
    } else if (c === '"') {
      s.pos++;
      if (inDouble) return out;
      out += readUntil(s, null, true);
    } else if (c === '$') {
      out += readVariable(s);
    } else {
      out += c;
      s.pos++;
    }
  }
  return out;
}

/** Reads a `$...` reference at s.pos and returns its value. */
function readVariable(s: LexState): string {
  const start = s.pos;
  s.pos++;
  const c = s.text[s.pos];
  if (c === '{') return readBraced(s, start);
  if (c === undefined || !NAME_START.test(c)) return '$';
  let name = '';
  while (s.pos < s.text.length && NAME_CHAR.test(s.text[s.pos])) name += s.text[s.pos++];
  return valueOf(s, name);
}

function readBraced(s: LexState, start: number): string {
  s.pos++;
  let name = '';
  while (s.pos < s.text.length && NAME_CHAR.test(s.text[s.pos])) name += s.text[s.pos++];
  if (s.text[s.pos] === '}') {
    s.pos++;
    return valueOf(s, name);
  }
  const colon = s.text[s.pos] === ':';
  if (colon) s.pos++;
  const op = s.text[s.pos];
  if (op !== '-' && op !== '+' && op !== '?') {
    // Not a form the builders know: keep the text as written.
    const end = s.text.indexOf('}', s.pos);
    s.pos = end < 0 ? s.text.length : end + 1;
    return s.text.slice(start, s.pos);
  }
  s.pos++;
  const word = readUntil(s, '}', false);
  s.pos++;
  const value = s.lookup(name);
  const set = colon ? value !== undefined && value !== null && value !== '' : value !== undefined;
  if (op === '-') return set ? (value ?? '') : word;
  if (op === '+') return set ? word : '';
  if (!set) s.unresolved.push(name);
  return value ?? '';
}

function valueOf(s: LexState, name: string): string {
  const value = s.lookup(name);
  if (value === undefined) s.unresolved.push(name);
  return value ?? '';
}

/** Splits `text` into words at unquoted, unescaped white space, keeping quotes and escapes in each word. */
export function splitWords(text: string, escape = '\\'): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | null = null;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === escape && i + 1 < text.length && quote !== "'") {
      word += c + text[++i];
      inWord = true;
    } else if (quote !== null) {
      if (c === quote) quote = null;
      word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word += c;
      inWord = true;
    } else if (isSpace(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Same as `/\s/.test(c)` for one character, without a regular expression for the ASCII cases. */
function isSpace(c: string): boolean {
  const code = c.charCodeAt(0);
  if (code < 128) return code === 32 || (code >= 9 && code <= 13);
  return /\s/.test(c);
}

/** Parses `KEY=VALUE ...` pairs (or the old `KEY VALUE` form) of ENV, LABEL and ARG; values stay unexpanded. */
export function parsePairs(text: string, escape = '\\', allowBare = false): Array<[string, string | null]> {
  const words = splitWords(text, escape);
  if (words.length > 0 && !words[0].includes('=') && !allowBare) {
    // Old form `ENV KEY value with spaces`: the rest of the line is the value.
    const rest = text.trim().slice(words[0].length).trim();
    return [[words[0], rest]];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    return eq < 0 ? [w, null] : [w.slice(0, eq), w.slice(eq + 1)];
  });
}
