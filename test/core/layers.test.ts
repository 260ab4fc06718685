import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import type { Builder } from '../../server/src/core/types';
import { EOLS, dockerfile } from '../helpers';

/**
 * Each row: an instruction line, then the expected flag for BuildKit and for the legacy builder.
 * Every row is one instruction; the table runs with LF and CRLF and both builders.
 */
function check(rows: Array<[string, string, string]>, target?: string): void {
  for (const { name, eol } of EOLS) {
    for (const [col, builder] of [[1, 'buildkit'], [2, 'legacy']] as Array<[1 | 2, Builder]>) {
      const a = analyzeDockerfile(dockerfile(rows.map((r) => r[0]), eol), { builder, target, buildArgs: {} });
      assert.equal(a.steps.length, rows.length, `${name} ${builder}: step count`);
      rows.forEach((row, i) => {
        assert.equal(a.steps[i].layer, row[col], `${name} ${builder}: "${row[0]}" -> ${a.steps[i].reason}`);
        assert.ok(a.steps[i].reason.length > 0, 'every step has a reason');
      });
    }
  }
}

test('every instruction kind', () => {
  check([
    ['ARG BASE=alpine', 'no', 'no'],
    ['FROM $BASE', 'no', 'no'],
    ['ARG V=1', 'no', 'no'],
    ['ENV A=1', 'no', 'no'],
    ['LABEL a=b', 'no', 'no'],
    ['MAINTAINER me', 'no', 'no'],
    ['EXPOSE 80', 'no', 'no'],
    ['USER 1000', 'no', 'no'],
    ['VOLUME /data', 'no', 'no'],
    ['SHELL ["/bin/sh", "-c"]', 'no', 'no'],
    ['STOPSIGNAL SIGTERM', 'no', 'no'],
    ['HEALTHCHECK CMD true', 'no', 'no'],
    ['ONBUILD RUN echo hi', 'no', 'no'],
    ['ENTRYPOINT ["/bin/sh"]', 'no', 'no'],
    ['CMD ["echo"]', 'no', 'no'],
    ['COPY a /a', 'yes', 'yes'],
    ['ADD b.tar.gz /b/', 'yes', 'yes'],
    ['RUN echo hi > /hi', 'yes', 'yes'],
    ['RUN ["touch", "/x"]', 'yes', 'yes'],
  ]);
});

test('no-op RUN: BuildKit still commits a layer, legacy drops it', () => {
  check([
    ['FROM alpine', 'no', 'no'],
    ['RUN true', 'yes', 'no'],
    ['RUN echo hello && ls / | grep bin', 'yes', 'no'],
    ['RUN echo x > /dev/null 2>&1', 'yes', 'no'],
    ['RUN ["echo", "x"]', 'yes', 'no'],
    ['RUN ["/bin/sh", "-c", "true"]', 'yes', 'no'],
    ['RUN mystery-tool --flag', 'yes', 'maybe'],
    ['RUN apt-get update', 'yes', 'yes'],
    ['RUN rm -rf /var/lib/apt/lists/*', 'yes', 'maybe'],
    ['RUN rm /etc/motd', 'yes', 'yes'],
    ['RUN sed -n p /etc/hosts', 'yes', 'no'],
    ['RUN sed -i s/a/b/ /etc/hosts', 'yes', 'yes'],
  ]);
});

test('mkdir -p of a folder the build made earlier changes nothing under legacy', () => {
  check([
    ['FROM alpine', 'no', 'no'],
    ['RUN mkdir -p /opt/app/data', 'yes', 'maybe'],
    ['RUN mkdir -p /opt/app', 'yes', 'no'],
    ['RUN mkdir -p /srv', 'yes', 'maybe'],
    ['RUN mkdir /opt/app', 'yes', 'yes'],
  ]);
});

test('WORKDIR: new, existing, relative, root', () => {
  check([
    ['FROM alpine', 'no', 'no'],
    ['WORKDIR /', 'no', 'no'],
    ['WORKDIR /app', 'yes', 'maybe'],
    ['WORKDIR /app', 'yes', 'no'],
    ['WORKDIR src', 'yes', 'maybe'],
    ['WORKDIR ..', 'yes', 'no'],
    ['WORKDIR /app/src/', 'yes', 'no'],
    ['WORKDIR ../..', 'no', 'no'],
    ['COPY x /opt/tool/', 'yes', 'yes'],
    ['WORKDIR /opt/tool', 'yes', 'no'],
  ]);
});

test('WORKDIR from scratch creates the folder: a layer for both builders', () => {
  check([
    ['FROM scratch', 'no', 'no'],
    ['WORKDIR /app', 'yes', 'yes'],
    ['WORKDIR /app', 'yes', 'no'],
    ['COPY --from=tools /bin /bin', 'yes', 'yes'],
    ['WORKDIR /bin', 'yes', 'no'],
    ['RUN ["/bin/mkdir", "-p", "/bin", "/data"]', 'yes', 'yes'],
    ['RUN ["/bin/mkdir", "-p", "/data"]', 'yes', 'no'],
  ]);
});

test('WORKDIR with variables', () => {
  check([
    ['FROM alpine', 'no', 'no'],
    ['ENV DIR=/srv/app', 'no', 'no'],
    ['WORKDIR $DIR', 'yes', 'maybe'],
    ['WORKDIR ${DIR}', 'yes', 'no'],
    ['ARG ROOT=/', 'no', 'no'],
    ['WORKDIR ${ROOT}', 'no', 'no'],
  ]);
});

test('a stage built FROM an earlier stage inherits its folders', () => {
  check([
    ['FROM scratch AS base', 'no', 'no'],
    ['WORKDIR /app', 'yes', 'yes'],
    ['FROM base', 'no', 'no'],
    ['WORKDIR /app', 'yes', 'no'],
    ['WORKDIR data', 'yes', 'yes'],
  ]);
});

test('BuildKit skips stages the target does not need; legacy builds them, but none after the target (checked on 20.10 and 26.1)', () => {
  check([
    ['FROM alpine AS unused', 'no', 'no'],
    ['RUN touch /x', 'no', 'yes'],
    ['FROM alpine AS deps', 'no', 'no'],
    ['RUN touch /y', 'yes', 'yes'],
    ['FROM alpine AS final', 'no', 'no'],
    ['COPY --from=deps /y /y', 'yes', 'yes'],
    ['FROM alpine AS after', 'no', 'no'],
    ['RUN touch /z', 'no', 'no'],
  ], 'final');
});
