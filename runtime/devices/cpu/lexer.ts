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
}

const WORD_START = /[A-Za-z_$%.]/;
const WORD_PART = /[A-Za-z0-9_$.]/;

export function syntaxError(line: number, message: string): DeviceError {
  return new DeviceError(-4, `line ${line}: ${message}`);
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
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
      if (end < 0) throw syntaxError(line, 'unterminated /* comment');
      for (let k = i; k < end; k++) if (text[k] === '\n') line++;
      i = end + 2;
      continue;
    }
    if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw syntaxError(line, 'unterminated string');
      tokens.push({ kind: 'string', text: text.slice(i + 1, end), line });
      i = end + 1;
      continue;
    }
    if (c >= '0' && c <= '9') {
      const rest = text.slice(i, i + 40);
      let m = /^0[fF][0-9a-fA-F]{8}/.exec(rest);
      if (m) {
        tokens.push({ kind: 'f32', text: m[0].slice(2), line });
        i += m[0].length;
        continue;
      }
      m = /^0[dD][0-9a-fA-F]{16}/.exec(rest);
      if (m) {
        tokens.push({ kind: 'f64', text: m[0].slice(2), line });
        i += m[0].length;
        continue;
      }
      m = /^0[xX][0-9a-fA-F]+U?/.exec(rest);
      if (m) {
        tokens.push({ kind: 'int', text: m[0].replace(/U$/, ''), line });
        i += m[0].length;
        continue;
      }
      m = /^[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?U?/.exec(rest)!;
      const isFloat = m[1] !== undefined || m[2] !== undefined;
      tokens.push({ kind: isFloat ? 'float' : 'int', text: m[0].replace(/U$/, ''), line });
      i += m[0].length;
      continue;
    }
    if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < n && WORD_PART.test(text[j]!)) j++;
      tokens.push({ kind: 'word', text: text.slice(i, j), line });
      i = j;
      continue;
    }
    if ('{}()[],;:+-!@|<>='.includes(c)) {
      tokens.push({ kind: 'punct', text: c, line });
      i++;
      continue;
    }
    throw syntaxError(line, `unexpected character '${c}'`);
  }
  return tokens;
}
