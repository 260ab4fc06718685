/**
 * Grammar tests for the heredoc injection: tokenizes Dockerfiles with VS Code's own Dockerfile and shell
 * grammars (from the code-server that the e2e setup installs) plus ours, through vscode-textmate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

const CACHE = process.env.E2E_CACHE ?? join(homedir(), '.cache', 'dockerfile-layers-e2e');
const EXTENSIONS = join(CACHE, 'code-server', 'node_modules', 'code-server', 'lib', 'vscode', 'extensions');
const GRAMMARS: Record<string, string> = {
  'source.dockerfile': join(EXTENSIONS, 'docker', 'syntaxes', 'docker.tmLanguage.json'),
  'source.shell': join(EXTENSIONS, 'shellscript', 'syntaxes', 'shell-unix-bash.tmLanguage.json'),
  'dockerfile.heredoc.injection': join(__dirname, '..', '..', '..', 'syntaxes', 'dockerfile-heredoc.injection.json'),
};
const available = Object.values(GRAMMARS).every((p) => existsSync(p));
const skip = !available && !process.env.CI ? 'VS Code grammars not installed: run bash .ci/e2e-setup.sh' : false;

async function loadGrammar(): Promise<textmate.IGrammar> {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (s) => new oniguruma.OnigScanner(s), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope) => (GRAMMARS[scope] ? textmate.parseRawGrammar(readFileSync(GRAMMARS[scope], 'utf8'), GRAMMARS[scope]) : null),
    getInjections: (scope) => (scope === 'source.dockerfile' ? ['dockerfile.heredoc.injection'] : undefined),
  });
  const grammar = await registry.loadGrammar('source.dockerfile');
  assert.ok(grammar, 'the Dockerfile grammar loads');
  return grammar;
}

/** Tokenizes `lines` and returns, per line, the scopes of the token covering the first non-blank character. */
function scopesAt(grammar: textmate.IGrammar, lines: string[], find: (line: string) => number = (l) => l.search(/\S/)): string[][] {
  let stack = textmate.INITIAL;
  return lines.map((line) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    const col = Math.max(0, find(line));
    return r.tokens.find((t) => t.startIndex <= col && col < t.endIndex)?.scopes ?? [];
  });
}

const isShell = (scopes: string[]): boolean => scopes.includes('source.shell');

test('RUN <<EOF body is shell, the delimiter ends it', { skip }, async () => {
  const g = await loadGrammar();
  const s = scopesAt(g, ['FROM alpine', 'RUN <<EOF', 'apt-get update', 'EOF', 'RUN echo after']);
  assert.ok(!isShell(s[0]));
  assert.ok(s[1].includes('keyword.other.special-method.dockerfile'), s[1].join(' '));
  assert.ok(isShell(s[2]), s[2].join(' '));
  assert.ok(s[3].includes('keyword.control.heredoc-token.dockerfile'), s[3].join(' '));
  assert.ok(!isShell(s[4]), 'the next instruction is Dockerfile again');
  assert.ok(s[4].includes('keyword.other.special-method.dockerfile'));
});

test('<<-EOF allows tab-indented delimiters; quoted delimiters work', { skip }, async () => {
  const g = await loadGrammar();
  const s = scopesAt(g, ['RUN <<-"END"', '\techo hi', '\tEND', "COPY <<'X' /etc/conf", 'key=value', 'X', 'ENV A=1']);
  assert.ok(isShell(s[1]));
  assert.ok(s[2].includes('keyword.control.heredoc-token.dockerfile'), s[2].join(' '));
  assert.ok(isShell(s[4]));
  assert.ok(s[5].includes('keyword.control.heredoc-token.dockerfile'));
  assert.ok(!isShell(s[6]));
});

test('several heredocs on one line: every body is shell until the last delimiter', { skip }, async () => {
  const g = await loadGrammar();
  const s = scopesAt(g, ['RUN <<A bash && <<B sh', 'echo one', 'A', 'echo two', 'B', 'USER 1000']);
  assert.ok(isShell(s[1]) && isShell(s[3]));
  assert.ok(s[4].includes('keyword.control.heredoc-token.dockerfile'));
  assert.ok(!isShell(s[5]));
});

test('commands before the heredoc on the RUN line are shell; a plain RUN is untouched', { skip }, async () => {
  const g = await loadGrammar();
  const [line] = scopesAt(g, ['RUN python3 <<EOF'], (l) => l.indexOf('python3'));
  assert.ok(line.includes('meta.embedded.line.shell'), line.join(' '));
  const [plain] = scopesAt(g, ['RUN echo no heredoc'], (l) => l.indexOf('echo'));
  assert.ok(!plain.includes('meta.embedded.block.shell'));
});
