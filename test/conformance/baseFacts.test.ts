/**
 * Local FROM facts against the real engines: the Debian image's bytes equal `docker image inspect`'s Size, its
 * files say debian/bookworm and list the packages `dpkg-query` lists inside a container, a busybox image has no
 * OS or dpkg list, and the second lookup comes from the state folder. Skipped without a daemon; failing in CI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { lookUpBases } from '../../server/src/docker/baseFacts';
import { Engine, engineAddress } from '../../server/src/docker/engine';
import type { KnownBase } from '../../server/src/core/baseImage';
import { BASE_IMAGE, docker, ensureBaseImage, requireEngines, type TestEngine } from './docker';
import { DEBIAN_IMAGE, ensureDebianImage } from './debian';

function engineOf(e: TestEngine): Engine {
  const address = engineAddress(e.env);
  if ('error' in address) throw new Error(address.error);
  return new Engine({ address });
}

test('local facts of the Debian and busybox images, uncached then from the state folder (every engine)', async (t) => {
  const engines = await requireEngines();
  if ('skip' in engines) return t.skip(engines.skip);
  for (const engine of engines) {
    await ensureDebianImage(engine);
    await ensureBaseImage(engine);
    const state = mkdtempSync(path.join(tmpdir(), 'dl-bases-'));
    try {
      const size = Number((await docker(engine, ['image', 'inspect', '--format', '{{.Size}}', DEBIAN_IMAGE])).trim());
      const packages = (await docker(engine, ['run', '--rm', DEBIAN_IMAGE, 'dpkg-query', '-W', '-f', '${Package}\n'])).trim().split('\n');
      const times: number[] = [];
      for (let round = 0; round < 2; round++) {
        const started = Date.now();
        const r = await lookUpBases([DEBIAN_IMAGE, BASE_IMAGE], { engine: engineOf(engine), stateDir: state });
        times.push(Date.now() - started);
        const debian = r[DEBIAN_IMAGE] as KnownBase;
        assert.equal(debian.source, 'local', `${engine.label}: ${JSON.stringify(debian)}`);
        assert.equal(debian.bytes, size, `${engine.label}: docker image inspect's Size`);
        assert.equal(debian.layers.reduce((s, l) => s + l.bytes, 0), size, 'the layers add up to the size');
        assert.deepEqual(debian.os, { id: 'debian', codename: 'bookworm' });
        assert.deepEqual(debian.dpkg, [...new Set(packages)].sort(), `${engine.label}: dpkg-query's packages`);
        assert.equal(debian.aptClean, false, 'a debootstrap base has no docker-clean');
        const busybox = r[BASE_IMAGE] as KnownBase;
        assert.equal(busybox.source, 'local');
        assert.equal(busybox.os, null);
        assert.equal(busybox.dpkg, undefined);
        assert.equal(busybox.apk, undefined);
      }
      assert.equal(readdirSync(path.join(state, 'bases')).length, 2, 'one entry per image ID');
      t.diagnostic(`${engine.label}: lookup of ${DEBIAN_IMAGE} and ${BASE_IMAGE}: ${times[0]} ms uncached, ${times[1]} ms from the state folder`);
      assert.ok(times[1] < times[0], 'the second lookup is faster');
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  }
});
