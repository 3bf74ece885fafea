/**
 * PTX lexer: turns PTX text into tokens with their line numbers. Words keep their dots
 * (`ld.global.f32`, `%tid.x`, `.reg`) because PTX uses dots as part of names and opcodes.
 */
import { DeviceError } from '../../../contract/device.js';

export type TokenKind = 'word' | 'int' | 'f32' | 'f64' | 'float' | 'string' | 'punct';

export interface Token {
  kind: TokenKind;
  text: string;
  line: number;
  /** 1-based column of the token's first character. */
  col: number;
}

/** Where a syntax error is: a token (line and column) or a bare line. */
export type Where = Pick<Token, 'line'> & Partial<Pick<Token, 'col'>>;

const WORD_START = /[A-Za-z_$%.]/;
const WORD_PART = /[A-Za-z0-9_$.]/;

/** Input is quoted at most this long in messages (never a whole hostile line). */
const QUOTE_MAX = 40;

/** A token's text as messages quote it: shortened, control characters escaped. */
export function quote(text: string): string {
  const short = text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}…` : text;
  return `'${short.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
}

export function syntaxError(at: Where | number, message: string): DeviceError {
  const where = typeof at === 'number' ? { line: at } : at;
  return new DeviceError(-4, where.col === undefined ? `line ${where.line}: ${message}` : `line ${where.line}, column ${where.col}: ${message}`);
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    const col = i - lineStart + 1;
    if (c === '\n') {
      line++;
      i++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw syntaxError({ line, col }, 'unterminated /* comment');
      for (let k = i; k < end; k++) {
        if (text[k] === '\n') {
          line++;
          lineStart = k + 1;
        }
      }
      i = end + 2;
      continue;
    }
    if (c === '"') {
      const end = text.indexOf('"', i + 1);
      const nl = text.indexOf('\n', i + 1);
      if (end < 0 || (nl >= 0 && nl < end)) throw syntaxError({ line, col }, 'unterminated string (expected a closing \" on the same line)');
      tokens.push({ kind: 'string', text: text.slice(i + 1, end), line, col });
      i = end + 1;
      continue;
    }
    if (c >= '0' && c <= '9') {
      const rest = text.slice(i, i + 40);
      let m = /^0[fF][0-9a-fA-F]{8}/.exec(rest);
      if (m) {
        tokens.push({ kind: 'f32', text: m[0].slice(2), line, col });
        i += m[0].length;
        continue;
      }
      m = /^0[dD][0-9a-fA-F]{16}/.exec(rest);
      if (m) {
        tokens.push({ kind: 'f64', text: m[0].slice(2), line, col });
        i += m[0].length;
        continue;
      }
      m = /^0[xX][0-9a-fA-F]+U?/.exec(rest);
      if (m) {
        tokens.push({ kind: 'int', text: m[0].replace(/U$/, ''), line, col });
        i += m[0].length;
        continue;
      }
      m = /^[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?U?/.exec(rest)!;
      const isFloat = m[1] !== undefined || m[2] !== undefined;
      tokens.push({ kind: isFloat ? 'float' : 'int', text: m[0].replace(/U$/, ''), line, col });
      i += m[0].length;
      continue;
    }
    if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < n && WORD_PART.test(text[j]!)) j++;
      tokens.push({ kind: 'word', text: text.slice(i, j), line, col });
      i = j;
      continue;
    }
    if ('{}()[],;:+-!@|<>='.includes(c)) {
      tokens.push({ kind: 'punct', text: c, line, col });
      i++;
      continue;
    }
    throw syntaxError({ line, col }, `unexpected character ${quote(c)}`);
  }
  return tokens;
}
