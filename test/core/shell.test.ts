import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandStart, createdDirs, scriptEffect, splitCommands } from '../../server/src/core/shell';

test('splitCommands splits at operators and collects redirections', () => {
  assert.deepEqual(splitCommands('a b && c || d; e | f & g\nh'), [
    { words: ['a', 'b'], redirects: [] }, { words: ['c'], redirects: [] }, { words: ['d'], redirects: [] },
    { words: ['e'], redirects: [] }, { words: ['f'], redirects: [] }, { words: ['g'], redirects: [] }, { words: ['h'], redirects: [] },
  ]);
  assert.deepEqual(splitCommands('echo "a && b" > /out 2>/dev/null'), [{ words: ['echo', 'a && b'], redirects: ['/out', '/dev/null'] }]);
  assert.deepEqual(splitCommands("echo 'x' >>/log # comment > /nope"), [{ words: ['echo', 'x'], redirects: ['/log'] }]);
  assert.deepEqual(splitCommands('cat <<EOF'), [{ words: ['cat'], redirects: [] }]);
  assert.deepEqual(splitCommands('echo a\\\nb'), [{ words: ['echo', 'ab'], redirects: [] }]);
});

test('scriptEffect judges whole scripts', () => {
  const cases: Array<[string, string, string | null]> = [
    ['true', 'none', null],
    ['echo hi && ls -la / | wc -l', 'none', null],
    ['echo hi >&2', 'none', null],
    ['echo hi > /x', 'writes', 'echo >'],
    ['FOO=1 apt-get install -y x', 'writes', 'apt-get'],
    ['sudo -E pip install x', 'writes', 'pip'],
    ['/usr/bin/touch /a', 'writes', 'touch'],
    ['./configure', 'unknown', './configure'],
    ['echo a; my-script; touch b', 'writes', 'touch'],
    ['curl -fsSL https://example.invalid/x', 'none', null],
    ['curl -fsSLo /x https://example.invalid/x', 'writes', 'curl'],
    ['find / -name x', 'none', null],
    ['find / -name x -delete', 'unknown', 'find'],
    ['', 'none', null],
  ];
  for (const [script, effect, culprit] of cases) assert.deepEqual(scriptEffect(script), { effect, culprit }, script);
});

test('mkdir -p of existing folders writes nothing', () => {
  const exists = (p: string): boolean | undefined => (p === '/opt' || p === '/srv' ? true : p === '/new' ? false : undefined);
  assert.equal(scriptEffect('mkdir -p /opt /srv', exists).effect, 'none');
  assert.equal(scriptEffect('mkdir /opt', exists).effect, 'writes');
  assert.equal(scriptEffect('mkdir -p /opt /new', exists).effect, 'writes');
  assert.equal(scriptEffect('mkdir -p /opt/other', exists).effect, 'unknown');
  assert.equal(scriptEffect('mkdir -p rel', () => true).effect, 'unknown');
});

test('rm -f of files that may be missing is unknown; plain rm writes or fails', () => {
  assert.deepEqual(scriptEffect('rm -f /x'), { effect: 'unknown', culprit: 'rm' });
  assert.deepEqual(scriptEffect('rm -rf /var/lib/apt/lists/*'), { effect: 'unknown', culprit: 'rm' });
  assert.deepEqual(scriptEffect('rm /x'), { effect: 'writes', culprit: 'rm' });
});

test('broken scripts never throw', () => {
  for (const s of ['"unterminated', "'x", '&&&&', '>', '2>', '\\', '((', '}{', '<<<']) assert.ok(scriptEffect(s));
});

test('createdDirs lists what mkdir makes', () => {
  assert.deepEqual(createdDirs("mkdir -p /a /b && cd /a && /bin/mkdir 'c d'; echo mkdir /no"), ['/a', '/b', 'c d']);
});

test('commandStart skips assignments and wrappers with their options, values included', () => {
  const check = (command: string, expected: string): void => {
    const words = splitCommands(command)[0]?.words ?? [];
    assert.equal(words.slice(commandStart(words)).join(' '), expected, command);
  };
  check('FOO=1 apt-get update', 'apt-get update');
  check('sudo -E -u app touch /a', 'touch /a');
  check('sudo --user app -- rm -f /x', 'rm -f /x');
  check('env -u HOME K=V nice -n 10 time -f %e make', 'make');
  check('nohup exec -a name builtin cd /', 'cd /');
  check('command -v apt-get', '');
  check('K=V', '');
  check('sudo', '');
});

test('scriptEffect judges the command a wrapper runs', () => {
  const cases: Array<[string, string, string | null]> = [
    ['nice -n 10 apt-get install -y x', 'writes', 'apt-get'],
    ['sudo -u app touch /a', 'writes', 'touch'],
    ['time make', 'writes', 'make'],
    ['env -u HOME ls', 'none', null],
    ['command -v apt-get', 'none', null],
  ];
  for (const [script, effect, culprit] of cases) assert.deepEqual(scriptEffect(script), { effect, culprit }, script);
  assert.equal(scriptEffect('sudo mkdir -p /opt', () => true).effect, 'none');
});
