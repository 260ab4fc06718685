import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../server/src/core/dockerfile';
import { EOLS, dockerfile } from '../helpers';

type Expected = Partial<{ keyword: string; line: number; endLine: number; args: string; words: string[]; form: string; flags: Array<{ name: string; value: string | null }>; trigger: string; heredocs: Array<{ name: string; body: string; terminated: boolean }> }>;

/** Parses `lines` with both line endings and compares the listed fields of each instruction. */
function check(lines: string[], expected: Expected[], findings: string[] = []): void {
  for (const { name, eol } of EOLS) {
    const parsed = parseDockerfile(dockerfile(lines, eol));
    assert.equal(parsed.instructions.length, expected.length, `${name}: instruction count`);
    expected.forEach((want, i) => {
      const got = parsed.instructions[i] as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k], v, `${name}: instruction ${i} ${k}`);
    });
    assert.deepEqual(parsed.findings.map((f) => f.code), findings, `${name}: findings`);
  }
}

test('continuations join lines; comment and empty lines inside them are dropped, even indented', () => {
  check(
    ['FROM alpine', 'RUN apt-get update \\', '    # a comment', '', '  && apt-get install -y curl \\', '# another', '  && echo done'],
    [
      { keyword: 'FROM', line: 0, endLine: 0, args: 'alpine' },
      { keyword: 'RUN', line: 1, endLine: 6, args: 'apt-get update   && apt-get install -y curl   && echo done' },
    ],
  );
});

test('the escape directive changes the continuation character', () => {
  check(['# escape=`', 'FROM alpine', 'RUN echo a `', '  b'], [{ keyword: 'FROM' }, { keyword: 'RUN', line: 2, endLine: 3, args: 'echo a   b' }]);
});

test('flags are split from the arguments', () => {
  check(
    ['FROM --platform=linux/amd64 alpine AS base', 'RUN --mount=type=cache,target=/root/.cache --network=none pip install x', 'COPY --from=base --chown=1:1 /a /b'],
    [
      { keyword: 'FROM', args: 'alpine AS base', words: ['alpine', 'AS', 'base'], flags: [{ name: 'platform', value: 'linux/amd64' }] },
      { keyword: 'RUN', args: 'pip install x', flags: [{ name: 'mount', value: 'type=cache,target=/root/.cache' }, { name: 'network', value: 'none' }] },
      { keyword: 'COPY', args: '/a /b', words: ['/a', '/b'], flags: [{ name: 'from', value: 'base' }, { name: 'chown', value: '1:1' }] },
    ],
  );
});

test('exec form is parsed as JSON; broken JSON is shell form', () => {
  check(
    ['FROM alpine', 'RUN ["echo", "a b"]', 'CMD ["x", 1]', 'ENTRYPOINT [ "sh" ,"-c"]', "RUN ['single']"],
    [
      { keyword: 'FROM' },
      { keyword: 'RUN', form: 'exec', words: ['echo', 'a b'] },
      { keyword: 'CMD', form: 'shell' },
      { keyword: 'ENTRYPOINT', form: 'exec', words: ['sh', '-c'] },
      { keyword: 'RUN', form: 'shell', words: ["['single']"] },
    ],
  );
});

test('heredocs: bodies, several per line, unterminated', () => {
  check(
    ['FROM alpine', 'RUN <<EOF', 'echo hi', 'echo there', 'EOF', 'COPY <<A <<B /dst/', 'one', 'A', 'two', 'B', 'RUN <<-"X"', '\techo quoted', 'X'],
    [
      { keyword: 'FROM' },
      { keyword: 'RUN', line: 1, endLine: 4, args: '<<EOF', heredocs: [{ name: 'EOF', body: 'echo hi\necho there', terminated: true }] },
      { keyword: 'COPY', line: 5, endLine: 9, args: '<<A <<B /dst/', heredocs: [{ name: 'A', body: 'one', terminated: true }, { name: 'B', body: 'two', terminated: true }] },
      { keyword: 'RUN', line: 10, endLine: 12, heredocs: [{ name: 'X', body: '\techo quoted', terminated: true }] },
    ],
  );
  check(['FROM alpine', 'RUN <<EOF', 'echo never closed'], [{ keyword: 'FROM' }, { keyword: 'RUN', heredocs: [{ name: 'EOF', body: 'echo never closed', terminated: false }] }], ['unterminated-heredoc']);
});

test('ONBUILD records its trigger keyword', () => {
  check(['FROM alpine', 'ONBUILD run echo x', 'ONBUILD ONBUILD RUN x'], [{ keyword: 'FROM' }, { keyword: 'ONBUILD', trigger: 'RUN' }, { keyword: 'ONBUILD', trigger: 'ONBUILD' }], ['invalid-onbuild']);
});

test('unknown instructions and missing arguments are build errors', () => {
  check(['FROM alpine', 'FOO bar', 'RUN', 'CMD'], [{ keyword: 'FROM' }, { keyword: 'FOO' }, { keyword: 'RUN' }, { keyword: 'CMD' }], ['unknown-instruction', 'missing-arguments']);
});

test('directives are read from the top only', () => {
  for (const { eol } of EOLS) {
    const p = parseDockerfile(dockerfile(['# syntax=docker/dockerfile:1', '# check=skip=all', 'FROM alpine', '# escape=`'], eol));
    assert.equal(p.directives.syntax, 'docker/dockerfile:1');
    assert.equal(p.directives.check, 'skip=all');
    assert.equal(p.directives.escape, '\\');
  }
});

test('empty and comment-only files have no instructions', () => {
  check([''], []);
  check(['# just a comment', '', '   '], []);
});
