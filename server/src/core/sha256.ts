/**
 * Incremental SHA-256 over UTF-8 text. Written here because the core imports no Node module (no node:crypto)
 * and the one well-kept pure package (@noble/hashes 2) ships only ES modules, which this CommonJS build cannot
 * load. Incremental so that a digest over 100,000 copied files never builds one large string or buffer.
 */

const K = Uint32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const encoder = new TextEncoder();

/** A running SHA-256: feed text with `update`, read the hex digest once with `hex`. */
export class Sha256 {
  private readonly h = Uint32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  private readonly block = new Uint8Array(64);
  private readonly w = new Uint32Array(64);
  private filled = 0;
  private length = 0;

  /** Adds `text`, encoded as UTF-8. */
  update(text: string): this {
    return this.updateBytes(encoder.encode(text));
  }

  /** The digest as 64 lowercase hex digits; the hasher is spent afterwards. */
  hex(): string {
    const bits = this.length * 8;
    const tail = new Uint8Array(((this.filled + 8) >> 6 === 0 ? 64 : 128) - this.filled);
    tail[0] = 0x80;
    const view = new DataView(tail.buffer);
    view.setUint32(tail.length - 8, Math.floor(bits / 0x100000000));
    view.setUint32(tail.length - 4, bits >>> 0);
    this.updateBytes(tail, false);
    return Array.from(this.h, (v) => v.toString(16).padStart(8, '0')).join('');
  }

  private updateBytes(data: Uint8Array, count = true): this {
    if (count) this.length += data.length;
    let i = 0;
    while (i < data.length) {
      const take = Math.min(64 - this.filled, data.length - i);
      this.block.set(data.subarray(i, i + take), this.filled);
      this.filled += take;
      i += take;
      if (this.filled === 64) {
        this.compress();
        this.filled = 0;
      }
    }
    return this;
  }

  private compress(): void {
    const { w, h, block } = this;
    for (let i = 0; i < 16; i++) w[i] = (block[i * 4] << 24) | (block[i * 4 + 1] << 16) | (block[i * 4 + 2] << 8) | block[i * 4 + 3];
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15];
      const y = w[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (let i = 0; i < 64; i++) {
      const t1 = (k + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
      const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
  }
}

/** SHA-256 (hex) of `text` as UTF-8. */
export function sha256Hex(text: string): string {
  return createSha256().update(text).hex();
}

/** A running SHA-256 over UTF-8 text, as the core uses it: feed text with `update`, read the hex digest once with `hex`. */
export interface Sha256Hasher {
  update(text: string): Sha256Hasher;
  hex(): string;
}

let makeHasher: () => Sha256Hasher = () => new Sha256();

/**
 * Lets an entry point give the core a native SHA-256 (the server and CLI pass node:crypto's: 16-21x as fast
 * as this one on 10 MB of digest lines, measured); the core itself stays free of Node modules.
 */
export function useSha256(make: () => Sha256Hasher): void {
  makeHasher = make;
}

/** A new hasher: the native one an entry point installed, or this pure one. */
export function createSha256(): Sha256Hasher {
  return makeHasher();
}
