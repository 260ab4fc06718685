/**
 * Shared test helpers: run a check for both line endings.
 */

/** The two line endings every Dockerfile test runs with. */
export const EOLS = [
  { name: 'LF', eol: '\n' },
  { name: 'CRLF', eol: '\r\n' },
] as const;

/** Joins lines with `eol`. */
export function dockerfile(lines: string[], eol: string): string {
  return lines.join(eol);
}
