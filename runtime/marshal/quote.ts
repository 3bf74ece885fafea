/**
 * Caller-supplied text as error messages quote it: errors never echo more than ~200 characters of
 * input (docs/ERRORS.md), so a hostile export name, path or literal cannot flood a log or a response.
 */
export const MAX_QUOTED_CHARS = 80;

/** JSON-quoted (control characters escaped), cut to `max` characters with the full length noted. */
export function quoteInput(text: string, max = MAX_QUOTED_CHARS): string {
  if (text.length <= max) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, max))}… (${text.length} characters)`;
}
