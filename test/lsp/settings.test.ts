import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, toSettings } from '../../server/src/lsp/settings';

test('settings: defaults for missing or wrong values', () => {
  assert.deepEqual(toSettings(undefined), DEFAULT_SETTINGS);
  assert.deepEqual(toSettings({ builder: 'kaniko', inlayHints: 'yes', buildArgs: [1] }), DEFAULT_SETTINGS);
});

test('settings: typed values pass through', () => {
  const s = toSettings({
    builder: 'legacy', target: 'build', buildArgs: { A: '1', B: 2 }, inlayHints: { enabled: false, size: false },
    docker: { path: ' /usr/bin/docker ' }, buildContexts: { '**/Dockerfile': '..', bad: 1 }, context: { maxFiles: 10 },
    diagnostics: { severity: { 'merge-runs': 'off', x: 'loud' } }, engineVersion: ' 26.1 ',
  });
  assert.deepEqual(s, {
    analysis: { builder: 'legacy', target: 'build', buildArgs: { A: '1' }, severities: { 'merge-runs': 'off' } },
    inlayHints: { enabled: false, parts: { layer: true, size: false, cache: true } },
    docker: { path: '/usr/bin/docker' },
    context: { buildContexts: { '**/Dockerfile': '..' }, maxFiles: 10 },
    engineVersion: '26.1',
    registry: true,
  });
  assert.equal(toSettings({ baseImages: { registry: false } }).registry, false);
  assert.equal(toSettings({ context: { maxFiles: -1 } }).context.maxFiles, DEFAULT_SETTINGS.context.maxFiles);
  assert.equal(toSettings({ engineVersion: 'latest' }).engineVersion, null, 'not a version: ask the daemon');
});
