/**
 * Image references as `docker pull` reads them: registry or the default one, `library/`, tag default, digests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultRegistryNames, isLoopbackRegistry, parseImageRef, registryHost } from '../../server/src/core/imageRef';

/** The default registry's names as a daemon's IndexServerAddress would give them (a made-up host here). */
const DEFAULTS = defaultRegistryNames('https://index.example.test/v1/');
const DIGEST = `sha256:${'a'.repeat(64)}`;

function check(ref: string, expected: [string | null, string, string | null, string | null] | RegExp): void {
  const r = parseImageRef(ref, DEFAULTS);
  if (expected instanceof RegExp) return assert.match('error' in r ? r.error : JSON.stringify(r), expected, ref);
  assert.deepEqual(r, { registry: expected[0], repository: expected[1], tag: expected[2], digest: expected[3] }, ref);
}

test('references', () => {
  check('debian', [null, 'library/debian', 'latest', null]);
  check('debian:bookworm', [null, 'library/debian', 'bookworm', null]);
  check('user/app:1.2', [null, 'user/app', '1.2', null]);
  check('example.test/debian', [null, 'library/debian', 'latest', null]);
  check('index.example.test/user/app', [null, 'user/app', 'latest', null]);
  check('127.0.0.1:5000/app', ['127.0.0.1:5000', 'app', 'latest', null]);
  check('localhost/a/b:t', ['localhost', 'a/b', 't', null]);
  check('registry.test:443/a/b/c:t', ['registry.test:443', 'a/b/c', 't', null]);
  check(`debian@${DIGEST}`, [null, 'library/debian', null, DIGEST]);
  check(`debian:12@${DIGEST}`, [null, 'library/debian', '12', DIGEST]);
  check('Debian', /not a valid image reference: the repository name/);
  check('debian:', /the tag  is malformed/);
  check('debian@sha256:abc', /the digest sha256:abc is malformed/);
  check('a//b', /repository name/);
});

test('default registry names, hosts and loopback', () => {
  assert.deepEqual(DEFAULTS, ['index.example.test', 'example.test']);
  assert.deepEqual(defaultRegistryNames(null), []);
  assert.equal(registryHost('https://r.test:5000/v1/'), 'r.test:5000');
  assert.equal(registryHost('r.test'), 'r.test');
  for (const h of ['127.0.0.1:5000', 'localhost', 'localhost:1', '[::1]:5000', '127.1.2.3']) assert.ok(isLoopbackRegistry(h), h);
  for (const h of ['10.0.0.1:5000', 'r.test', 'localhost.test']) assert.ok(!isLoopbackRegistry(h), h);
});
