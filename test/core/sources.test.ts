import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContextEntry, ContextIndex } from '../../server/src/core/context';
import type { Builder, FlagModel, HeredocModel } from '../../server/src/core/types';
import { contextEntries } from '../helpers';
import { prepareContext, resolveCopy, utf8Length } from '../../server/src/core/sources';

/** A context from a compact spec: `name: bytes` files, `dir/` folders, `link -> target` symlinks. */
function contextOf(spec: Record<string, number | string | null>, ignore?: string): ContextIndex {
  const entries = contextEntries(spec);
  return { root: '/ctx', entries, ignoreFile: ignore === undefined ? null : { name: '.dockerignore', text: ignore }, archives: new Map(), problems: [] };
}

const CTX = contextOf({
  'a.txt': 10, 'b.txt': 20, 'c.md': 5, 'dir/': null, 'dir/x': 3, 'dir/sub/': null, 'dir/sub/y': 4, 'dir/l': 'x',
  'data1.bin': 100, 'data22.bin': 1000, 'secret': 7, 'link-a': 'a.txt', 'dangling': 'nope', 'app.tgz': 50,
});
CTX.archives.set('app.tgz', { bytes: 4096, linkBytes: 9, entries: 3 });

interface Expected {
  bytes: number | null;
  errors?: number;
  warnings?: number;
}

function check(words: string, expected: Expected | Record<Builder, Expected>, opts: { keyword?: string; flags?: FlagModel[]; heredocs?: HeredocModel[]; ctx?: ContextIndex } = {}): void {
  const parts = words.split(' ');
  for (const builder of ['buildkit', 'legacy'] as const) {
    const want = 'bytes' in expected ? expected : expected[builder];
    const r = resolveCopy({ keyword: opts.keyword ?? 'COPY', sources: parts.slice(0, -1), dest: parts[parts.length - 1], flags: opts.flags ?? [], heredocs: opts.heredocs ?? [] },
      prepareContext(opts.ctx ?? CTX, builder));
    assert.equal(r.bytes, want.bytes, `${builder}: ${words}: ${r.errors.join(' ')}`);
    assert.equal(r.errors.length, want.errors ?? 0, `${builder}: ${words}: errors ${r.errors.join(' ')}`);
    assert.equal(r.warnings.length, want.warnings ?? 0, `${builder}: ${words}: warnings`);
  }
}

test('files, folders (their contents), several sources, wildcards', () => {
  check('a.txt /d', { bytes: 10 });
  check('a.txt b.txt /d/', { bytes: 30 });
  check('*.txt /d/', { bytes: 30 });
  check('data?.bin /d/', { bytes: 100 });
  check('data[0-9]*.bin /d/', { bytes: 1100 });
  check('[ab].txt c.md /d/', { bytes: 35 });
  check('/a.txt ./b.txt /d/', { bytes: 30 });
  check('a.txt a.txt /d/', { bytes: 10 });
  check('dir/sub/* /d/', { bytes: 4 });
});

test('symlinks: link text length under legacy, 0 B under BuildKit; a top-level link is followed', () => {
  check('dir /d/', { buildkit: { bytes: 7 }, legacy: { bytes: 8 } });
  check('link-a /d/', { bytes: 10 });
  check('dangling /d/', { bytes: null, errors: 1 });
});

test('one wildcard source that lands on one path twice: the later file is the one in the layer', () => {
  const ctx = contextOf({ 'p/': null, 'p/a.txt': 5, 'q/': null, 'q/a.txt': 7 });
  check('*/a.txt /d/', { bytes: 7 }, { ctx });
  check('p/a.txt /d/', { bytes: 5 }, { ctx });
});

test('missing, ignored, outside the context, empty wildcard: per builder', () => {
  check('nope /d/', { bytes: null, errors: 1 });
  check('secret /d/', { bytes: null, errors: 1 }, { ctx: { ...CTX, ignoreFile: { name: '.dockerignore', text: 'secret\n' } } });
  check('../a.txt /d/', { buildkit: { bytes: 10 }, legacy: { bytes: null, errors: 1 } });
  check('*.none /d/', { buildkit: { bytes: 0, warnings: 1 }, legacy: { bytes: null, errors: 1 } });
  check('[ /d/', { bytes: null, errors: 1 });
});

test('.dockerignore filters folder contents and wildcards', () => {
  const ctx = { ...CTX, ignoreFile: { name: '.dockerignore', text: '**/y\n*.md\n' } };
  check('dir /d/', { buildkit: { bytes: 3 }, legacy: { bytes: 4 } }, { ctx });
  check('*.md *.txt /d/', { buildkit: { bytes: 30, warnings: 1 }, legacy: { bytes: null, errors: 1 } }, { ctx });
  check('. /d/', { buildkit: { bytes: 1190 }, legacy: { bytes: 1200 } }, { ctx });
});

test('ADD: local archives are extracted, URLs are unknown, COPY of a URL fails', () => {
  // The archive's link texts (9 bytes) count in the legacy builder's layer only (measured in test/conformance/context.test.ts).
  check('app.tgz /d/', { buildkit: { bytes: 4096 }, legacy: { bytes: 4105 } }, { keyword: 'ADD' });
  check('app.tgz /d/', { bytes: 50 });
  check('https://example.invalid/x.tgz /d/', { bytes: null }, { keyword: 'ADD' });
  check('https://example.invalid/x /d/', { bytes: null, errors: 1 });
});

test('flags: --chown/--chmod/--link keep the size, --exclude drops paths, --parents keeps them apart', () => {
  for (const name of ['chown', 'chmod', 'link']) check('dir /d/', { buildkit: { bytes: 7 }, legacy: { bytes: 8 } }, { flags: [{ name, value: '1' }] });
  // The legacy builder drops --exclude (Docker 28.5+ parses it, moby's classic builder never applies it).
  check('dir /d/', { buildkit: { bytes: 3 }, legacy: { bytes: 8 } }, { flags: [{ name: 'exclude', value: 'sub' }] });
  check('a.txt b.txt c.md /d/', { buildkit: { bytes: 10 }, legacy: { bytes: 35 } }, { flags: [{ name: 'exclude', value: '*.md' }, { name: 'exclude', value: 'b*' }] });
  const clash = contextOf({ 'p/f': 1, 'q/f': 2 });
  check('p/f q/f /d/', { bytes: 2 }, { ctx: clash });
  check('p/f q/f /d/', { bytes: 3 }, { ctx: clash, flags: [{ name: 'parents', value: null }] });
});

test('heredocs: the body plus a final newline, in UTF-8 bytes', () => {
  const heredocs = [{ name: 'EOF', body: 'hello\nwörld', terminated: true }, { name: 'E2', body: '', terminated: true }];
  check('<<EOF /h.txt', { bytes: utf8Length('hello\nwörld\n') }, { heredocs });
  assert.equal(utf8Length('hello\nwörld\n'), 13);
  check('<<EOF <<E2 /d/', { bytes: 13 }, { heredocs });
  check('<<-"EOF" /h', { bytes: 13 }, { heredocs });
});

test('digest: same for same content, changes with content and mode, never with what it does not copy', () => {
  const digest = (ctx: ContextIndex): string | null =>
    resolveCopy({ keyword: 'COPY', sources: ['dir'], dest: '/d/', flags: [], heredocs: [] }, prepareContext(ctx, 'buildkit')).digest;
  const base = digest(CTX);
  assert.match(base ?? '', /^sha256:[0-9a-f]{64}$/);
  assert.equal(digest(contextOf({ ...Object.fromEntries([...CTX.entries].map(([k, e]) => [e.type === 'dir' ? `${k}/` : k, e.type === 'symlink' ? e.linkTarget! : e.size])) })), base);
  const changed = (mutate: (e: Map<string, ContextEntry>) => void): string | null => {
    const ctx = { ...CTX, entries: new Map([...CTX.entries].map(([k, e]) => [k, { ...e }])) };
    mutate(ctx.entries);
    return digest(ctx);
  };
  assert.notEqual(changed((e) => { e.get('dir/x')!.hash = 'other'; }), base);
  assert.notEqual(changed((e) => { e.get('dir/x')!.mode = 0o600; }), base);
  assert.equal(changed((e) => { e.get('a.txt')!.hash = 'other'; }), base);
  assert.equal(changed((e) => { delete e.get('dir/x')!.hash; }), null);
});
