/**
 * POSIX path arithmetic for paths inside images. Written by hand so that the core imports no Node module
 * and runs anywhere (a browser-hosted language server included).
 */

/** Normalizes `path` against the absolute folder `base`: `.`/`..` resolved, no trailing slash but for `/`. */
export function resolve(base: string, path: string): string {
  const joined = path.startsWith('/') ? path : `${base}/${path}`;
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return '/' + parts.join('/');
}

/** The parent folder of an absolute normalized path (`/` for `/`). */
export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}
