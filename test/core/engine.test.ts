import { test } from 'node:test';
import assert from 'node:assert/strict';
import { atLeast, bundledBuildkit, DEFAULT_ENGINE, describeModel, featureSupport, shortVersion, versionParts } from '../../server/src/core/engine';
import { analyzeDockerfile } from '../../server/src/core/analyze';

test('versions are read the way daemons and users write them', () => {
  assert.deepEqual(versionParts('26.1.5+dfsg1'), [26, 1, 5]);
  assert.deepEqual(versionParts('v20.10'), [20, 10, 0]);
  assert.deepEqual(versionParts('29'), [29, 0, 0]);
  assert.equal(versionParts('latest'), null);
  assert.equal(shortVersion('20.10.24+dfsg1'), '20.10');
  assert.equal(atLeast('23.0.0', 23), true);
  assert.equal(atLeast('20.10.24', 23), false);
  assert.equal(atLeast('28.4.9', 28, 5), false);
});

test('the model names the builder, its bundled BuildKit and the Docker version', () => {
  assert.equal(describeModel('buildkit', { version: '26.1.5+dfsg1', source: 'daemon' }), 'BuildKit 0.13 · Docker 26.1');
  assert.equal(describeModel('buildkit', { version: '20.10.24', source: 'daemon' }), 'BuildKit 0.8 · Docker 20.10');
  assert.equal(describeModel('legacy', { version: '26.1', source: 'setting' }), 'legacy builder · Docker 26.1');
  assert.equal(bundledBuildkit('28.5.2'), '0.25');
  assert.equal(bundledBuildkit('19.03'), null);
  assert.equal(analyzeDockerfile('FROM a\n', { builder: 'buildkit', buildArgs: {} }).model.engine, DEFAULT_ENGINE);
});

test('feature support per builder and version', () => {
  const v = (version: string) => ({ version, source: 'setting' as const });
  assert.deepEqual(featureSupport('run-heredoc', 'buildkit', v('20.10'), false), { kind: 'fails', quote: 'unknown instruction' });
  assert.deepEqual(featureSupport('run-heredoc', 'buildkit', v('20.10'), true), { kind: 'supported' });
  assert.deepEqual(featureSupport('run-heredoc', 'legacy', v('26.1'), true), { kind: 'ignored' });
  assert.deepEqual(featureSupport('copy-heredoc', 'legacy', v('26.1'), false), { kind: 'fails', quote: 'no source files were specified' });
  assert.deepEqual(featureSupport('copy-chmod', 'legacy', v('29.7'), false), { kind: 'fails', quote: 'option requires BuildKit' });
  assert.deepEqual(featureSupport('copy-chmod', 'buildkit', v('20.10'), false), { kind: 'supported' });
});

test('a legacy heredoc RUN of Docker 23+ adds a layer only for what its first line writes', () => {
  const text = 'FROM alpine\nRUN <<EOF\nmkdir /x\nEOF\nRUN cat <<EOF > /f\nbody\nEOF\n';
  const steps = (version: string) => analyzeDockerfile(text, { builder: 'legacy', buildArgs: {}, engine: { version, source: 'setting' } }).steps.filter((s) => s.keyword === 'RUN').map((s) => s.layer);
  assert.deepEqual(steps('26.1'), ['no', 'yes']);
});
