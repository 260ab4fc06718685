import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCliArgs } from '../../server/src/cli/args';

test('analyze options', () => {
  const a = parseCliArgs(['analyze', 'x/Dockerfile', '--context', 'ctx', '--target', 't', '--build-arg', 'A=1', '--build-arg', 'B=', '--build-arg', 'FROM_ENV', '--build-arg', 'UNSET', '--builder', 'legacy', '--image', 'img:1', '--state-dir', 's', '--no-docker', '--json'], { FROM_ENV: 'e' });
  assert.deepEqual(a, {
    command: 'analyze', dockerfile: 'x/Dockerfile', context: 'ctx', target: 't', buildArgs: { A: '1', B: '', FROM_ENV: 'e' },
    builder: 'legacy', image: 'img:1', stateDir: 's', noDocker: true, offline: false, json: true, engineVersion: null,
  });
  const e = parseCliArgs(['analyze', '--engine-version', ' 20.10 '], {});
  assert.ok('command' in e && e.command === 'analyze' && e.engineVersion === '20.10');
  const d = parseCliArgs(['analyze'], {});
  assert.ok('command' in d && d.command === 'analyze' && d.dockerfile === 'Dockerfile' && d.builder === 'buildkit' && d.context === null);
});

test('--max-files: a whole number of at least 1, absent by default', () => {
  const cases: Array<[string, number | RegExp]> = [['1', 1], ['200000', 200_000], [' 12 ', 12], ['0', /at least 1, not "0"/], ['-5', /whole number/], ['1.5', /whole number/], ['1e3', /whole number/], ['', /whole number/], ['many', /not "many"/]];
  for (const [value, want] of cases) {
    const r = parseCliArgs(['analyze', `--max-files=${value}`], {});
    if (typeof want === 'number') assert.equal('command' in r && r.command === 'analyze' ? r.maxFiles : r, want, value);
    else assert.match('error' in r ? r.error : 'no error', want, value);
  }
  assert.equal('maxFiles' in parseCliArgs(['analyze'], {}), false);
  assert.match((parseCliArgs(['analyze', '--max-files'], {}) as { error: string }).error, /max-files/);
});

test('usage errors are messages', () => {
  const cases: Array<[string[], RegExp]> = [
    [[], /missing command/],
    [['build'], /unknown command "build"/],
    [['analyze', '--builder', 'kaniko'], /buildkit or legacy/],
    [['analyze', '--bogus'], /bogus/],
    [['analyze', 'a', 'b'], /one Dockerfile/],
    [['analyze', '--build-arg', '=x'], /KEY=VALUE/],
    [['analyze', '--engine-version', 'latest'], /--engine-version: "latest" is not a Docker Engine version/],
  ];
  for (const [argv, re] of cases) {
    const r = parseCliArgs(argv, {});
    assert.ok('error' in r, argv.join(' '));
    assert.match(r.error, re);
  }
  assert.deepEqual(parseCliArgs(['--help'], {}), { command: 'help' });
  assert.deepEqual(parseCliArgs(['-v'], {}), { command: 'version' });
});
