/**
 * Seeded, deterministic fuzzing of the analysis: mutated realistic Dockerfiles, random strings and a few
 * 1 MB single-line inputs. The core must never throw, must return well-formed results, and must stay fast
 * enough to run on every keystroke. A server-level part then checks that the built language server still
 * answers correctly after it has been fed a few hundred of those inputs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DockerfileParser } from 'dockerfile-ast';
import { spawnServer } from '../protocol/serverProcess';
import type { Hover, InlayHint, MarkupContent } from 'vscode-languageserver-protocol';
import { analyzeDockerfile, MAX_ANALYZED_CHARS, MAX_ANALYZED_LINE } from '../../server/src/core/analyze';
import type { Analysis, Builder } from '../../server/src/core/types';
import { LayersRequest } from '../../server/src/protocol';

/** The per-call budget, in milliseconds: the server analyzes on every change. */
const BUDGET_MS = 50;
/**
 * Inputs up to this many UTF-16 code units must meet the budget. Larger ones (50 KB values, 2,000-line
 * continuation chains) are timed and reported: dockerfile-ast alone needs about 1 ms per KB for them.
 */
const BUDGET_CHARS = 20_000;
const SEED = 0x5eed1a7e;
const INPUT_COUNT = 10_000;
const MB = 1 << 20;

/** A deterministic pseudo-random source (mulberry32); the same seed always gives the same inputs. */
export class Random {
  constructor(private state: number) {}
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

const CORPUS = [
  `# syntax=docker/dockerfile:1
ARG NODE_VERSION=20
FROM node:\${NODE_VERSION}-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

FROM node:\${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
RUN apt-get update \\
    # curl is used by the health check
 && apt-get install -y --no-install-recommends curl \\
 && rm -rf /var/lib/apt/lists/*
COPY --from=deps /app/node_modules ./node_modules
COPY . .
USER node
EXPOSE 3000
HEALTHCHECK CMD curl -fsS http://localhost:3000/health || exit 1
CMD ["node", "dist/server.js"]
`,
  `FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app

FROM registry.example.invalid/distroless/static
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
`,
  `# syntax=docker/dockerfile:1.4
FROM python:3.12-slim
ARG PIP_INDEX=https://pip.example.invalid/simple
ENV PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONUNBUFFERED=1
RUN <<EOF
set -eux
pip install --index-url "$PIP_INDEX" poetry
mkdir -p /app/data
EOF
COPY <<-"CONF" /etc/app.conf
	key=value
	CONF
WORKDIR /app
COPY pyproject.toml poetry.lock ./
RUN poetry install --no-root && rm -rf ~/.cache
LABEL org.opencontainers.image.title="app" version="1.0"
CMD python -m app
`,
  `# escape=\`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command"]
RUN New-Item -ItemType Directory C:\\app ; \`
    Set-Location C:\\app
WORKDIR C:\\app
COPY app.exe .
ENTRYPOINT ["C:\\\\app\\\\app.exe"]
`,
  `FROM alpine:3.20 AS base
RUN apk add --no-cache ca-certificates
ONBUILD COPY . /app
ONBUILD RUN make -C /app
FROM base AS test
RUN echo "\${HOME:-/root}" "\${UNSET:+set}" $PATH > /tmp/env.txt
FROM scratch
COPY --from=base /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=0 /bin/busybox /bin/busybox
STOPSIGNAL SIGTERM
VOLUME ["/data"]
MAINTAINER someone@example.com
`,
  `ARG BASE=debian:bookworm
ARG VERSION
FROM \${BASE}
ARG VERSION=1.0
ENV APP_VERSION=\${VERSION} OLD form value
ADD --chmod=755 https://example.com/tool-\${VERSION}.tar.gz /opt/
ADD --link files/ /srv/
RUN mkdir -p /srv/cache && touch /srv/cache/.keep 2>/dev/null; true
RUN ["/bin/sh", "-c", "echo hello > /hello"]
EXPOSE 80/tcp 443
USER 1000:1000
`,
];

const KEYWORDS = [
  'FROM', 'RUN', 'COPY', 'ADD', 'ENV', 'ARG', 'WORKDIR', 'LABEL', 'CMD', 'ENTRYPOINT', 'EXPOSE', 'USER', 'VOLUME',
  'SHELL', 'STOPSIGNAL', 'HEALTHCHECK', 'ONBUILD', 'MAINTAINER', 'run', 'From', 'onbuild onbuild', 'ONBUILD FROM',
  'FOO', 'RUNX', 'COPYY', 'X', '-', '\\', '`', '$', '#', '<<EOF', '[', '"', 'FROM\\', 'R\\\nUN',
];

const FRAGMENTS = [
  '\\', '`', '\\\n', '`\n', ' \\ ', '\\\r\n', '"', "'", '[', ']', '["a", "b"', '["a",]', '[]', '[ "x" ', '{', '}',
  '${', '${A', '${A:-x}', '${A:+y}', '${A:?err}', '${A-}', '${:-}', '$', '$$', '${${A}}', '$A$B', '=', '==', ' --', '--from=',
  '--mount=type=cache,target=/x,from=', '<<EOF', '<<-EOF', '<<"EOF"', "<<'E O F'", '<<', '<<<', '2>&1', '>/dev/null',
  '&&', '||', ';', '|', '&', '(', ')', '#', '# escape=`', '\t', '\r', '\r\n', '\n', '\n\n', ' AS ', ' as x', '\u0000',
  '\uFFFD', '\uD800', '\uDC00', '\u00A0', '\u2028', '\uFEFF', 'é', '😀',
];

const DIRECTIVES = ['# escape=`\n', '# escape=\\\n', '# escape=x\n', '# escape=\n', '# syntax=docker/dockerfile:1\n# escape=`\n', '#escape=`\n', '# ESCAPE = `\n', '\uFEFF# escape=`\n'];

type Mutation = (r: Random, text: string) => string;

function lineEdit(edit: (r: Random, line: string) => string): Mutation {
  return (r, text) => {
    const lines = text.split('\n');
    const i = r.int(lines.length);
    lines[i] = edit(r, lines[i]);
    return lines.join('\n');
  };
}

function insertAt(r: Random, text: string, piece: string): string {
  const at = r.int(text.length + 1);
  return text.slice(0, at) + piece + text.slice(at);
}

function randomBytes(r: Random, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => r.int(256));
}

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

const MUTATIONS: Mutation[] = [
  (r, t) => t.slice(0, r.int(t.length + 1)),
  lineEdit((r, l) => l.slice(0, r.int(l.length + 1))),
  lineEdit((r, l) => l + r.pick(['\\', '`', ' \\', '\\ ', '\\\\'])),
  (r, t) => insertAt(r, t, r.pick(FRAGMENTS)),
  (r, t) => insertAt(r, t, Array.from({ length: 1 + r.int(8) }, () => r.pick(FRAGMENTS)).join('')),
  (r, t) => r.pick(DIRECTIVES) + t,
  (r, t) => insertAt(r, t, utf8.decode(randomBytes(r, 1 + r.int(32)))),
  (r, t) => insertAt(r, t, latin1.decode(randomBytes(r, 1 + r.int(32)))),
  (r, t) => insertAt(r, t, '\u0000'.repeat(1 + r.int(4))),
  lineEdit((r, l) => `${r.pick(KEYWORDS)} ${l.replace(/^\S+\s*/, '')}`),
  lineEdit((r, l) => `${r.pick(KEYWORDS)}\n${l}`),
  (r, t) => `${t}\nRUN ${r.pick(['<<EOF', '<<-EOF', '<<"EOF"', "<<'EOF'", '<<EOF <<EOT', '<<EOF cat', 'cat <<EOF'])}\necho hi\n${r.pick(['', 'EO', '\tEOF', 'EOF ', 'EOT', 'EOF'])}`,
  (r, t) => `${t}\nCOPY ${r.pick(['<<EOF /x', '<<-EOF /x', '<<"EOF" <<EOT /d/', '<<EOF'])}\nbody\n${r.pick(['', 'EOF', '\tEOF'])}`,
  (r, t) => `${t}\n${r.pick(['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'COPY', 'VOLUME'])} ${r.pick(['[', '["a"', '["a",', '["a" "b"]', '[\'a\']', '["\\u0000"]', '[1, 2]', '[]]', '[[]]', '["a\\"]', '["' + 'x'.repeat(2000) + '"]'])}`,
  (r, t) => `${t}\n${r.pick(['ARG', 'ENV', 'LABEL'])} ${r.pick(['A', 'A=', 'A="', 'A=\'', '"A"=1'])}${'x'.repeat(1000 + r.int(50_000))}`,
  (r, t) => insertAt(r, t, r.pick(['${A:-x}', '${A:+y}', '${', '${A', '${A:-${B:-${C', '${A:?}', '$', '${}', '${A/b/c}', '${A:0:1}'])),
  (r, t) => `${t}\nFROM ${r.pick(['${', '${A:-alpine}', '${A:+x}', '$A', '', 'stage0 AS', 'x AS y AS z'])}`,
  (r, t) => t.replace(/\n/g, r.pick(['\r\n', '\r', '\n\r', '\r\r\n'])),
  (r, t) => `${t}\nRUN a \\\n${Array.from({ length: 50 + r.int(2000) }, (_, i) => (i % 7 === 0 ? '# note\n' : `  && step${i} \\\n`)).join('')}  && done`,
  (r, t) => `${t}\nRUN ${r.pick(['\\\n'.repeat(500 + r.int(2000)), '`\n'.repeat(500), ' \\ \n'.repeat(1000), '\\\n#\n'.repeat(500)])}true`,
  (r, t) => {
    const lines = t.split('\n');
    for (let i = lines.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [lines[i], lines[j]] = [lines[j], lines[i]];
    }
    return lines.join('\n');
  },
  (r, t) => t + '\n' + r.pick(CORPUS),
];

/** Strings of characters that mean something to Dockerfiles and shells, plus arbitrary code units. */
function randomString(r: Random): string {
  const alphabet = ' \t\n\r\\`"\'$[]{}<>=-#:,;&|()/AaRrUuNnFfOoMm0123456789\u0000\uFFFD';
  const length = r.int(r.int(4) === 0 ? 4000 : 200);
  let s = '';
  for (let i = 0; i < length; i++) s += r.int(10) === 0 ? String.fromCharCode(r.int(0x10000)) : alphabet[r.int(alphabet.length)];
  return r.int(3) === 0 ? r.pick(KEYWORDS) + ' ' + s : s;
}

/** `count` fuzz inputs for `seed`: mostly 1-4 stacked mutations of a corpus file, every tenth a random string. */
export function fuzzInputs(seed: number, count: number): string[] {
  const r = new Random(seed);
  const inputs: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 10 === 9) {
      inputs.push(randomString(r));
      continue;
    }
    let text = r.pick(CORPUS);
    for (let m = 1 + r.int(4); m > 0; m--) text = r.pick(MUTATIONS)(r, text);
    inputs.push(text);
  }
  return inputs;
}

/**
 * Single-line inputs of about 1 MB. dockerfile-ast alone would need up to seconds for these (it builds an
 * object per argument), so the core refuses files and lines over its limits with a `too-large` finding:
 * these must come back well-formed and within the budget.
 */
export const HUGE_INPUTS: Record<string, string> = {
  'comment': '# ' + 'c'.repeat(MB) + '\nFROM alpine',
  'ENV value': 'FROM alpine\nENV A=' + 'x'.repeat(MB),
  'unknown keyword': 'X'.repeat(MB),
  'RUN word': 'FROM alpine\nRUN ' + 'a'.repeat(MB),
  'ARG value': 'ARG A=' + '${A:-x}'.repeat(MB / 8) + '\nFROM alpine',
};

/** Lines as the LSP (and dockerfile-ast) count them: `\r\n`, `\r` and `\n` all end a line. */
function lineLengths(text: string): number[] {
  return text.split(/\r\n|\r|\n/).map((l) => l.length);
}

/** Whether the core refuses `text` as too large (see MAX_ANALYZED_CHARS and MAX_ANALYZED_LINE). */
function overLimits(text: string, lines: number[]): boolean {
  return text.length > MAX_ANALYZED_CHARS || lines.some((l) => l > MAX_ANALYZED_LINE);
}

/** Checks that `a` is a well-formed analysis of `text`; returns a problem description or null. */
function problemOf(a: Analysis, builder: Builder, instructionCount: number, lines: number[], tooLarge = false): string | null {
  if (a.builder !== builder) return `builder ${a.builder}`;
  const internal = a.findings.find((f) => f.code === 'internal-error');
  if (internal) return internal.message;
  const refused = a.findings.some((f) => f.code === 'too-large');
  if (refused !== tooLarge) return tooLarge ? 'over the limits but not refused' : 'refused as too large within the limits';
  if (refused) return a.steps.length === 0 && a.findings.length === 1 ? null : 'a refused file still has steps or other findings';
  if (a.steps.length !== instructionCount) return `${a.steps.length} steps for ${instructionCount} instructions`;
  for (const s of a.steps) {
    if (!(s.line >= 0 && s.line <= s.endLine && s.endLine < lines.length)) return `step lines ${s.line}-${s.endLine} of ${lines.length}`;
    if (!(s.endColumn >= 0 && s.endColumn <= lines[s.endLine])) return `step end column ${s.endColumn} on a line of ${lines[s.endLine]}`;
    if (s.layer !== 'yes' && s.layer !== 'no' && s.layer !== 'maybe') return `layer ${String(s.layer)}`;
    if (s.stage !== null && !(s.stage >= 0 && s.stage < a.stages.length)) return `stage ${s.stage} of ${a.stages.length}`;
    if (typeof s.reason !== 'string' || s.reason === '' || typeof s.summary !== 'string') return 'empty reason or summary';
  }
  for (const f of a.findings) {
    if (!(f.line >= 0 && f.line <= f.endLine && f.endLine < lines.length)) return `finding ${f.code} at lines ${f.line}-${f.endLine} of ${lines.length}`;
  }
  if (a.stages.length === 0 ? a.target !== null : !(a.target !== null && a.target < a.stages.length)) return `target ${a.target}`;
  if (a.totals.layers < 0 || a.totals.maybeLayers < 0) return 'negative totals';
  JSON.stringify(a);
  return null;
}

interface Timed {
  ms: number;
  problem: string | null;
}

function timeAnalysis(text: string, builder: Builder): { ms: number; analysis: Analysis } {
  const start = process.hrtime.bigint();
  const analysis = analyzeDockerfile(text, { builder, buildArgs: {} });
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, analysis };
}

/** Analyzes `text` for a builder, timing it; a slow call is measured twice more (keeping the fastest) so a GC pause or a busy machine is not blamed on the input. */
function check(text: string, builder: Builder, instructionCount: number, lines: number[], tooLarge: boolean): Timed {
  let { ms, analysis } = timeAnalysis(text, builder);
  for (let retry = 0; retry < 2 && ms >= BUDGET_MS; retry++) ms = Math.min(ms, timeAnalysis(text, builder).ms);
  return { ms, problem: problemOf(analysis, builder, instructionCount, lines, tooLarge) };
}

/** The fastest of three dockerfile-ast parses of `text`, in milliseconds: the part of the time that is the library's. */
function parseMs(text: string): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = process.hrtime.bigint();
    DockerfileParser.parse(text);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return best;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function describeInput(text: string): string {
  return `${text.length} chars: ${JSON.stringify(text.slice(0, 120))}${text.length > 120 ? '…' : ''}`;
}

describe('fuzzing analyzeDockerfile', () => {
  it(`${INPUT_COUNT} seeded inputs: never throws, well-formed, each call under ${BUDGET_MS} ms`, (t) => {
    const times: number[] = [];
    const largeTimes: number[] = [];
    const failures = new Map<string, string>();
    const slow: string[] = [];
    const slowLarge: string[] = [];
    const slowSeen: Array<{ text: string; builder: Builder; ms: number }> = [];
    for (const text of fuzzInputs(SEED, INPUT_COUNT)) {
      const lines = lineLengths(text);
      const tooLarge = overLimits(text, lines);
      const instructions = tooLarge ? 0 : DockerfileParser.parse(text).getInstructions().length;
      const large = text.length > BUDGET_CHARS;
      for (const builder of ['buildkit', 'legacy'] as const) {
        const { ms, problem } = check(text, builder, instructions, lines, tooLarge);
        (large ? largeTimes : times).push(ms);
        // One example per distinct problem, so a frequent one does not hide the others.
        if (problem !== null && !failures.has(problem)) failures.set(problem, `${builder}: ${problem} for ${describeInput(text)}`);
        if (ms < BUDGET_MS) continue;
        if (!large) slowSeen.push({ text, builder, ms });
        if (large && slowLarge.length < 10) slowLarge.push(`${ms.toFixed(1)} ms (dockerfile-ast parse ${parseMs(text).toFixed(1)} ms) for ${describeInput(text)}`);
      }
    }
    // A call slow in the loop is timed again once the loop is done, as the editor runs it: on code warm for that
    // text (typing analyzes the same document again and again). In the loop a few inputs ran 3-5x
    // slower than the same input a moment later (up to 67 ms against 10 ms, for this code and for the code before
    // the size estimates alike): the garbage and the optimizer's state of thousands of unlike inputs before them.
    for (const s of slowSeen) {
      let ms = s.ms;
      for (let warm = 0; warm < 3; warm++) analyzeDockerfile(s.text, { builder: s.builder, buildArgs: {} });
      for (let retry = 0; retry < 3 && ms >= BUDGET_MS; retry++) ms = Math.min(ms, timeAnalysis(s.text, s.builder).ms);
      t.diagnostic(`slow in the loop: ${s.builder} ${s.ms.toFixed(1)} ms, again after it ${ms.toFixed(1)} ms, for ${describeInput(s.text)}`);
      if (ms >= BUDGET_MS && slow.length < 20) slow.push(`${s.builder}: ${ms.toFixed(1)} ms (in the loop ${s.ms.toFixed(1)} ms) for ${describeInput(s.text)}`);
    }
    times.sort((a, b) => a - b);
    largeTimes.sort((a, b) => a - b);
    const stats = (ts: number[]): string => `median ${percentile(ts, 0.5).toFixed(3)} ms, p99 ${percentile(ts, 0.99).toFixed(3)} ms, max ${ts[ts.length - 1].toFixed(3)} ms`;
    t.diagnostic(`${INPUT_COUNT} inputs x 2 builders = ${times.length + largeTimes.length} calls`);
    t.diagnostic(`${times.length} calls on inputs up to ${BUDGET_CHARS} chars: ${stats(times)}`);
    t.diagnostic(`${largeTimes.length} calls on larger inputs (budget not enforced): ${stats(largeTimes)}, ${largeTimes.filter((ms) => ms >= BUDGET_MS).length} over ${BUDGET_MS} ms`);
    for (const s of slowLarge) t.diagnostic(`over budget (large): ${s}`);
    assert.deepEqual([...failures.values()], []);
    assert.deepEqual(slow, []);
  });

  it(`1 MB single-line inputs: refused with a clear finding, well-formed, each under ${BUDGET_MS} ms`, (t) => {
    for (const [name, text] of Object.entries(HUGE_INPUTS)) {
      const lines = lineLengths(text);
      assert.ok(overLimits(text, lines), `${name} is over the limits`);
      for (const builder of ['buildkit', 'legacy'] as const) {
        const { ms, analysis } = timeAnalysis(text, builder);
        t.diagnostic(`${name} (${text.length} chars), ${builder}: ${ms.toFixed(1)} ms`);
        assert.equal(problemOf(analysis, builder, 0, lines, true), null, `${name}, ${builder}`);
        assert.match(analysis.findings[0].message, /analyzes (files|lines) of up to/);
        assert.ok(ms < BUDGET_MS, `${name}, ${builder}: ${ms.toFixed(1)} ms`);
      }
    }
  });
});

describe('fuzzing the language server', () => {
  it('answers hover, inlay hints and dockerfileLayers/layers correctly after ~300 fuzz inputs', { timeout: 180_000 }, async (t) => {
    const server = spawnServer();
    const { connection } = server;
    try {
      await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
      await connection.sendNotification('initialized', {});
      const uri = 'file:///fuzz/Dockerfile';
      const inputs = fuzzInputs(SEED + 1, 290).concat(Object.values(HUGE_INPUTS).slice(0, 3));
      let version = 1;
      let current = inputs[0];
      await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version, text: current } });
      for (const [i, text] of inputs.entries()) {
        // Alternate whole-document replacements with ranged edits over the previous text.
        const lines = current.split(/\r\n|\r|\n/);
        const end = { line: lines.length - 1, character: lines[lines.length - 1].length };
        const change = i % 2 === 0 ? { text } : { range: { start: { line: 0, character: 0 }, end }, text };
        await connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [change] });
        current = text;
        if (i % 25 === 0) {
          const result = await connection.sendRequest(LayersRequest.type, { textDocument: { uri } });
          assert.equal(result?.version, version, `the server is alive after input ${i}; stderr: ${server.stderr()}`);
        }
      }
      const normal = ['FROM alpine:3.20 AS build', 'ENV A=1', 'RUN apk add --no-cache curl \\', '  && true', 'FROM scratch', 'COPY --from=build /etc/os-release /'];
      const lines = current.split(/\r\n|\r|\n/);
      await connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: ++version },
        contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: lines.length - 1, character: lines[lines.length - 1].length } }, text: normal.join('\n') }],
      });
      const result = await connection.sendRequest(LayersRequest.type, { textDocument: { uri } });
      assert.equal(result?.version, version);
      assert.deepEqual(result?.analysis.steps.map((s) => [s.keyword, s.line, s.layer]), [
        ['FROM', 0, 'no'], ['ENV', 1, 'no'], ['RUN', 2, 'yes'], ['FROM', 4, 'no'], ['COPY', 5, 'yes'],
      ]);
      const hints = (await connection.sendRequest('textDocument/inlayHint', {
        textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 6, character: 0 } },
      })) as InlayHint[];
      assert.deepEqual(hints.map((h) => [h.position.line, h.position.character, h.label]), [
        [0, normal[0].length, 'stage not in final image'], [1, normal[1].length, 'no layer · metadata'], [3, normal[3].length, '+ layer'],
        [4, normal[4].length, 'stage · in final image'], [5, normal[5].length, '+ layer'],
      ]);
      const hover = (await connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 2 } })) as Hover;
      assert.match((hover.contents as MarkupContent).value, /\*\*RUN\*\* adds a layer \(BuildKit [\d.]+ · Docker [\d.]+, the default engine\)[\s\S]*Stage \*\*build\*\*/);
      t.diagnostic(`${inputs.length} documents sent (3 of about 1 MB), ${version} versions`);
    } finally {
      await server.stop();
    }
  });
});
