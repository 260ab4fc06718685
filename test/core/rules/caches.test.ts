import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFindings, checkFix, fixTitles } from './check';

const CODES = ['apt-lists-left', 'apk-cache', 'pip-cache', 'npm-cache', 'yarn-cache', 'apt-install-recommends'];

test('package-manager caches left in a layer', () => {
  checkFindings(['FROM a', 'RUN apt-get update && apt-get install -y --no-install-recommends x'], CODES, [[2, 'apt-lists-left']]);
  checkFindings(['FROM a', 'RUN apt-get update && apt-get install -y --no-install-recommends x && rm -rf /var/lib/apt/lists/*'], CODES, []);
  checkFindings(['FROM a', 'RUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y --no-install-recommends x'], CODES, []);
  checkFindings(['FROM a', 'RUN apk add curl', 'RUN apk add --no-cache git'], CODES, [[2, 'apk-cache']]);
  checkFindings(['FROM a', 'RUN pip install -r r.txt', 'RUN python3 -m pip install --no-cache-dir x', 'RUN pip3 install x'], CODES, [[2, 'pip-cache'], [4, 'pip-cache']]);
  checkFindings(['FROM a', 'ENV PIP_NO_CACHE_DIR=1', 'RUN pip install x'], CODES, []);
  checkFindings(['FROM a', 'RUN --mount=type=cache,target=/root/.cache/pip pip install x'], CODES, []);
  checkFindings(['FROM a', 'RUN npm ci', 'RUN npm ci && npm cache clean --force', 'RUN yarn install', 'RUN yarn && yarn cache clean'], CODES, [[2, 'npm-cache'], [4, 'yarn-cache']]);
  checkFindings(['FROM a', 'RUN apt-get -y install x'], CODES, [[2, 'apt-install-recommends']]);
});

test('package-manager caches left by commands behind wrappers (time, nice -n, sudo -u)', () => {
  checkFindings(['FROM a', 'RUN time apt-get update && sudo -u root apt-get install -y --no-install-recommends x'], CODES, [[2, 'apt-lists-left']]);
  checkFindings(['FROM a', 'RUN nice -n 5 pip install x'], CODES, [[2, 'pip-cache']]);
});

test('caches: not for stages left out of the final image', () => {
  checkFindings(['FROM a AS build', 'RUN pip install x', 'FROM a', 'COPY --from=build /x /x'], CODES, []);
});

test('cache fixes add the flag or the cleanup to the installing step', () => {
  checkFix(['FROM a', 'RUN apt-get update && apt-get install -y --no-install-recommends x'], 'apt-lists-left',
    ['FROM a', 'RUN apt-get update && apt-get install -y --no-install-recommends x && \\', '    rm -rf /var/lib/apt/lists/*']);
  checkFix(['FROM a', 'RUN apk add curl && apk add \\', '    git'], 'apk-cache', ['FROM a', 'RUN apk add --no-cache curl && apk add --no-cache \\', '    git']);
  checkFix(['FROM a', 'RUN python3 -m pip install -r r.txt'], 'pip-cache', ['FROM a', 'RUN python3 -m pip install --no-cache-dir -r r.txt']);
  checkFix(['FROM a', 'RUN apt-get -y install x'], 'apt-install-recommends', ['FROM a', 'RUN apt-get -y install --no-install-recommends x']);
  checkFix(['FROM a', 'RUN npm ci'], 'npm-cache', ['FROM a', 'RUN npm ci && \\', '    npm cache clean --force']);
  checkFix(['FROM a', 'RUN yarn install \\', '  --frozen-lockfile'], 'yarn-cache', ['FROM a', 'RUN yarn install \\', '  --frozen-lockfile && \\', '  yarn cache clean']);
});

test('apt lists fix: not offered when a later RUN installs without updating', () => {
  checkFix(['FROM a', 'RUN apt-get update', 'RUN apt-get install -y --no-install-recommends x'], 'apt-lists-left', null);
  checkFix(['FROM a', 'RUN pip install x && pip install y --no-cache-dir'], 'pip-cache', null);
});

test('cache fix titles say what they save', () => {
  assert.deepEqual(fixTitles(['FROM a', 'RUN apt-get update && apt-get install -y --no-install-recommends x'], 'apt-lists-left'), ["Remove apt's package lists in this RUN: saves about 33.0 MB"]);
});
