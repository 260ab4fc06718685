/**
 * node:crypto's SHA-256 for the core (see core/sha256.ts `useSha256`), installed by the server and CLI
 * entry points; the core's own pure SHA-256 gives the same digests, 16-21x slower (10 MB of digest lines).
 */
import { createHash } from 'node:crypto';
import { useSha256, type Sha256Hasher } from './core/sha256';

function nativeHasher(): Sha256Hasher {
  const hash = createHash('sha256');
  const hasher: Sha256Hasher = {
    update(text) {
      hash.update(text, 'utf8');
      return hasher;
    },
    hex: () => hash.digest('hex'),
  };
  return hasher;
}

/** Makes the core hash with node:crypto from now on. */
export function installNativeSha256(): void {
  useSha256(nativeHasher);
}
