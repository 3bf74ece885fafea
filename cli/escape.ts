/**
 * Text from a module or a caller (export and import names, custom section names, paths, error
 * messages) as human output shows it: control characters (C0, DEL, C1 — ESC starts every ANSI
 * sequence), Unicode line separators and bidirectional overrides are written as escapes, so a
 * name cannot move the cursor, recolour the terminal, fake a line or reorder what follows.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(c: string): string {
  const code = c.charCodeAt(0);
  return SHORT[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** One line of human output with every unsafe character escaped (newlines too). */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/** Multi-line human output: each line escaped, the line breaks kept. */
export function escapeLines(text: string): string {
  return text.split('\n').map(escapeControl).join('\n');
}
