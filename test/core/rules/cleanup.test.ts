import { test } from 'node:test';
import { checkFindings, checkFix } from './check';

const CLEANUP = ['cleanup-in-later-layer'];

test('cleanup-in-later-layer: removals of what earlier steps added', () => {
  checkFindings(['FROM a', 'RUN apt-get update && apt-get install -y x', 'RUN rm -rf /var/lib/apt/lists/*'], CLEANUP, [[3, 'cleanup-in-later-layer']]);
  checkFindings(['FROM a', 'RUN wget -O /tmp/x.tgz u', 'RUN rm /tmp/x.tgz'], CLEANUP, [[3, 'cleanup-in-later-layer']]);
  checkFindings(['FROM a', 'COPY big.tar /tmp/', 'RUN tar -xf /tmp/big.tar -C /opt && rm /tmp/big.tar'], CLEANUP, [[3, 'cleanup-in-later-layer']]);
  checkFindings(['FROM a', 'WORKDIR /w', 'RUN touch data', 'RUN rm data'], CLEANUP, [[4, 'cleanup-in-later-layer']]);
  checkFindings(['FROM a', 'RUN npm ci', 'RUN npm cache clean --force'], CLEANUP, [[3, 'cleanup-in-later-layer']]);
});

test('cleanup-in-later-layer: not for files of the same RUN, of the base image, or of another stage', () => {
  checkFindings(['FROM a', 'RUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*'], CLEANUP, []);
  checkFindings(['FROM a', 'RUN rm -rf /usr/share/doc'], CLEANUP, []);
  checkFindings(['FROM a AS b', 'RUN touch /tmp/x', 'FROM a', 'RUN rm /tmp/x'], CLEANUP, []);
  checkFindings(['FROM a AS b', 'RUN touch /tmp/x', 'FROM a', 'RUN touch /y', 'FROM b', 'RUN rm /tmp/x'], CLEANUP, [[6, 'cleanup-in-later-layer']]);
});

test('cleanup fix: the cleanup moves into the creating RUN, the cleanup RUN goes', () => {
  checkFix(['FROM a', 'RUN cp /bin/x /tmp/x', 'RUN ls /', 'RUN rm -f /tmp/x', 'CMD x'], 'cleanup-in-later-layer',
    ['FROM a', 'RUN cp /bin/x /tmp/x && \\', '    rm -f /tmp/x', 'RUN ls /', 'CMD x']);
  checkFix(['FROM a', 'RUN apt-get update \\', '  && apt-get install -y x', 'RUN apt-get clean && rm -rf /var/lib/apt/lists/*'], 'cleanup-in-later-layer',
    ['FROM a', 'RUN apt-get update \\', '  && apt-get install -y x \\', '  && apt-get clean && rm -rf /var/lib/apt/lists/*']);
  checkFix(['FROM a', 'RUN touch /a', 'RUN touch /b', 'RUN rm /a /b'], 'cleanup-in-later-layer', ['FROM a', 'RUN touch /a && \\', '    rm /a', 'RUN touch /b && \\', '    rm /b']);
});

test('cleanup fix: not offered when a step between uses the files, or the creator is a COPY', () => {
  checkFix(['FROM a', 'RUN wget -O /tmp/x.tgz u', 'RUN tar -xzf /tmp/x.tgz -C /opt', 'RUN rm /tmp/x.tgz'], 'cleanup-in-later-layer', null);
  checkFix(['FROM a', 'RUN apt-get update', 'RUN apt-get install -y x', 'RUN rm -rf /var/lib/apt/lists/*'], 'cleanup-in-later-layer', null);
  checkFix(['FROM a', 'COPY big.tar /tmp/', 'RUN rm /tmp/big.tar'], 'cleanup-in-later-layer', null);
  checkFix(['FROM a', 'RUN touch /a', 'RUN rm /a && touch /b'], 'cleanup-in-later-layer', null);
  checkFix(['FROM a', 'RUN touch /a # note', 'RUN rm /a'], 'cleanup-in-later-layer', null);
});

test('cleanup-in-later-layer: removals behind wrappers (nice, time, sudo -u) count too', () => {
  checkFindings(['FROM a', 'RUN apt-get update && apt-get install -y x', 'RUN nice rm -rf /var/lib/apt/lists/*'], CLEANUP, [[3, 'cleanup-in-later-layer']]);
  checkFindings(['FROM a', 'RUN time wget -O /tmp/x.tgz u', 'RUN sudo -u root rm /tmp/x.tgz'], CLEANUP, [[3, 'cleanup-in-later-layer']]);
  checkFindings(['FROM a', 'RUN touch /a', 'RUN command -v rm /a'], CLEANUP, []);
});
