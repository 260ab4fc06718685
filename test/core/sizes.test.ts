import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import type { ContextIndex } from '../../server/src/core/context';
import type { Builder, SizeSource } from '../../server/src/core/types';
import { EOLS, contextEntries, dockerfile } from '../helpers';

/** A context of `name: bytes` files, `dir/` folders and `link: 'target'` symlinks. */
function contextOf(spec: Record<string, number | string | null>): ContextIndex {
  const entries = contextEntries(spec);
  return { root: '/ctx', entries, ignoreFile: null, archives: new Map(), problems: [] };
}

interface Expected {
  bytes?: number | null;
  source?: SizeSource;
  detail?: RegExp;
}

const CTX = contextOf({ 'a.txt': 10, 'b.txt': 20, 'dir/': null, 'dir/x': 3, 'dir/l': 'abc' });

/** Checks the size of every COPY/ADD step in file order, for both line endings. */
function check(lines: string[], expected: Expected[], opts: { builder?: Builder; context?: ContextIndex | null } = {}): void {
  for (const { eol } of EOLS) {
    const context = opts.context === null ? undefined : opts.context ?? CTX;
    const a = analyzeDockerfile(dockerfile(lines, eol), { builder: opts.builder ?? 'buildkit', buildArgs: {} }, context);
    const sizes = a.steps.filter((s) => s.keyword === 'COPY' || s.keyword === 'ADD').map((s) => s.size);
    assert.equal(sizes.length, expected.length);
    expected.forEach((want, i) => {
      if ('bytes' in want) assert.equal(sizes[i].bytes, want.bytes, `step ${i}: ${sizes[i].detail}`);
      if (want.source) assert.equal(sizes[i].source, want.source, `step ${i}: ${sizes[i].detail}`);
      if (want.detail) assert.match(sizes[i].detail ?? '', want.detail, `step ${i}`);
    });
  }
}

test('COPY/ADD sizes come from the context, exact; unknown without one (heredocs need none)', () => {
  check(['FROM a', 'COPY a.txt dir /d/', 'ADD b.txt /e'], [{ bytes: 13, source: 'exact' }, { bytes: 20, source: 'exact' }]);
  check(['FROM a', 'COPY a.txt dir /d/'], [{ bytes: 16 }], { builder: 'legacy' });
  check(['FROM a', 'COPY a.txt /d/'], [{ bytes: null, source: 'unknown', detail: /No build context/ }], { context: null });
  check(['FROM a', 'COPY <<EOF /h', 'hi', 'EOF'], [{ bytes: 3, source: 'exact' }], { context: null });
  check(['FROM a', 'ARG F=a.txt', 'COPY ${F} /d/'], [{ bytes: 10 }]);
});

test('--from: exact from a stage whose files are known, unknown otherwise with the reason', () => {
  check(['FROM scratch AS files', 'WORKDIR /w', 'COPY dir sub/', 'COPY a.txt /a', 'FROM a', 'COPY --from=files /w/sub /x/', 'COPY --from=0 /a /w /y/'],
    [{ bytes: 3 }, { bytes: 10 }, { bytes: 3 }, { bytes: 13 }]);
  check(['FROM scratch AS files', 'COPY a.txt /a', 'FROM files AS more', 'COPY b.txt /b', 'FROM a', 'COPY --from=more / /all/'],
    [{ bytes: 10 }, { bytes: 20 }, { bytes: 30 }]);
  check(['FROM a AS img', 'COPY a.txt /a', 'FROM b', 'COPY --from=img /a /x'], [{ bytes: 10 }, { bytes: null, detail: /starts from an image/ }]);
  check(['FROM scratch AS s', 'COPY a.txt /a', 'RUN x', 'FROM b', 'COPY --from=s /a /x'], [{ bytes: 10 }, { bytes: null, detail: /runs commands/ }]);
  check(['FROM b', 'COPY --from=nginx:1 /etc/nginx /x'], [{ bytes: null, detail: /image/ }]);
  check(['FROM scratch AS s', 'COPY a.txt /a', 'FROM b', 'COPY --from=s /nope /x'], [{ bytes: 10 }, { bytes: null, detail: /does not exist/ }]);
});

test('missing sources are errors in built stages only; digests on steps', () => {
  for (const { eol } of EOLS) {
    const text = dockerfile(['FROM a AS unused', 'COPY nope /x', 'FROM a', 'COPY missing /y', 'COPY a.txt /z'], eol);
    const bk = analyzeDockerfile(text, { builder: 'buildkit', buildArgs: {} }, CTX);
    assert.deepEqual(bk.findings.filter((f) => f.code === 'copy-source').map((f) => f.line), [3]);
    const legacy = analyzeDockerfile(text, { builder: 'legacy', buildArgs: {} }, CTX);
    assert.deepEqual(legacy.findings.filter((f) => f.code === 'copy-source').map((f) => f.line), [1, 3]);
    assert.match(bk.steps[4].digest ?? '', /^sha256:/);
    assert.equal(bk.steps[3].digest, undefined);
    assert.equal(bk.totals.bytes, null);
  }
});

test('an invalid .dockerignore is one finding; totals add exact COPY bytes', () => {
  const ctx = { ...CTX, ignoreFile: { name: '.dockerignore', text: 'ok\n[\n' } };
  const a = analyzeDockerfile('FROM scratch\nCOPY a.txt /a\nCOPY b.txt /b', { builder: 'buildkit', buildArgs: {} }, ctx);
  assert.deepEqual(a.findings.map((f) => f.code), ['dockerignore-invalid']);
  assert.match(a.findings[0].message, /line 2/);
  assert.equal(a.totals.bytes, 30);
});
