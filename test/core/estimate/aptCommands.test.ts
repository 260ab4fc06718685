import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bareName, readAptActions, recommendsOption, type AptAction } from '../../../server/src/core/estimate/aptCommands';

function check(script: string, expected: AptAction[], vars: Record<string, string> = {}): void {
  assert.deepEqual(readAptActions(script, (n) => vars[n]), expected);
}

const install = (names: string[], recommends: boolean | null = null, problem: string | null = null): AptAction => ({ kind: 'install', names, recommends, problem });

test('apt commands of a RUN, in order, with their package names', () => {
  check('apt-get update && apt-get install -y --no-install-recommends nginx curl && rm -rf /var/lib/apt/lists/*',
    [{ kind: 'update' }, install(['nginx', 'curl'], false), { kind: 'rm', patterns: ['/var/lib/apt/lists/*'] }]);
  check('DEBIAN_FRONTEND=noninteractive apt install -qq -y -o Dpkg::Options::=--force-confold git', [install(['git'])]);
  check('apt-get -y install -t bookworm-backports \\\n  nginx=1.22.1-9 libssl3:amd64 vim/bookworm', [install(['nginx', 'libssl3', 'vim'])]);
  check('apt-get clean; apt-get purge -y --auto-remove gcc; apt-get autoremove -y',
    [{ kind: 'clean' }, { kind: 'remove', names: ['gcc'], autoremove: true }, { kind: 'autoremove' }]);
  check('set -eux; apt-get dist-upgrade -y', [{ kind: 'none' }, { kind: 'upgrade', command: 'apt-get dist-upgrade' }]);
});

test('other commands: writers, read-only commands, and variables from the scope', () => {
  check('pip install x && echo hi', [{ kind: 'other', command: 'pip', writes: true }, { kind: 'none' }]);
  check('apt-get install -y $PKGS', [install(['curl', 'git'])], { PKGS: 'curl git' });
  check('apt-get install -y ./x.deb', [install(['./x.deb'], null, '`./x.deb` is a local .deb file, which no catalog describes')]);
  check('apt-get install -y $MISSING', [install(['$MISSING'], null, '`$MISSING` is not a plain package name')]);
});

test('an apt configuration file that a command writes: its Install-Recommends', () => {
  check(`echo 'APT::Install-Recommends "0";' > /etc/apt/apt.conf.d/01norecommends`, [{ kind: 'config', recommends: false, command: 'echo' }]);
  check(`printf 'APT::Install-Recommends "true";\\n' >> /etc/apt/apt.conf.d/x`, [{ kind: 'config', recommends: true, command: 'printf' }]);
  check(`echo 'APT::Install-Recommends "0";' > /tmp/x`, [{ kind: 'other', command: 'echo', writes: true }]);
});

test('recommends options and bare names', () => {
  assert.equal(recommendsOption(['apt-get', 'install', '--no-install-recommends', 'x']), false);
  assert.equal(recommendsOption(['apt-get', '-o', 'APT::Install-Recommends=false', 'install', 'x']), false);
  assert.equal(recommendsOption(['apt-get', '-o', 'APT::Install-Recommends=true', 'install', 'x']), true);
  assert.equal(recommendsOption(['apt-get', 'install', 'x']), null);
  assert.equal(bareName('python3.11=3.11.2-6'), 'python3.11');
  assert.equal(bareName('g++:amd64'), 'g++');
});
