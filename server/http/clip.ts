/** Most characters of a client's input any error message quotes (issue 15: errors never echo a body back). */
export const MAX_QUOTED_CHARS = 200;

/** `text` cut to `max` characters (by code point, so no half surrogate pair is left), with `…` when cut. */
export function clip(text: string, max = MAX_QUOTED_CHARS): string {
  if (text.length <= max) return text;
  return `${Array.from(text.slice(0, max + 1)).slice(0, max).join('').slice(0, max)}…`;
}
