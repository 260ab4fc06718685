/**
 * Line breaks as dockerfile-ast and LSP count them: `\r\n`, `\n` and a lone `\r` each end a line. Every
 * part that maps Dockerfile text to line numbers splits with this, so they all agree on the numbers.
 */

/** A line break of Dockerfile text: `\r\n`, `\n` or a lone `\r`. */
export const LINE_BREAK = /\r\n|\r|\n/;

/** The lines of Dockerfile text, without their line breaks; text ending with a break has an empty last line. */
export function splitLines(text: string): string[] {
  return text.split(LINE_BREAK);
}
