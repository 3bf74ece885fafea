/**
 * Browser-safe lexical checking of invocation arguments (guide §3.1), with source offsets so the
 * workbench editor can mark each mistake where it is. The rules are the engine marshal's:
 * integer text in i32 range → i32; other integer text → i64; any literal with `.`/`e` → f64;
 * strings, arrays, objects, null, booleans → invalid_args; f32/v128/reference parameters cannot be
 * given from JSON. A literal's type must equal the parameter's type (nothing escalates).
 */
import type { ErrorCode } from './errors.js';
import type { FunctionSignature, WasmValueType } from './values.js';

export type LiteralClass = 'i32' | 'i64' | 'f64' | 'string' | 'array' | 'object' | 'null' | 'boolean';

export interface ArgToken {
  index: number;
  /** Offsets into the text: [start, end). */
  start: number;
  end: number;
  text: string;
  cls: LiteralClass;
}

export interface ArgDiagnostic {
  code: Extract<ErrorCode, 'invalid_args' | 'type_mismatch'>;
  message: string;
  start: number;
  end: number;
  argIndex?: number;
}

export interface ArgCheck {
  tokens: ArgToken[];
  diagnostics: ArgDiagnostic[];
}

const I32_MIN = -2147483648n;
const I32_MAX = 2147483647n;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** The engine's limit (runtime/marshal/classify.ts MAX_NUMBER_LITERAL_CHARS), restated: contract/ stays browser-safe. */
const MAX_NUMBER_LITERAL_CHARS = 1024;

/** Classifies one JSON number literal's text. */
export function classifyNumberText(text: string): 'i32' | 'i64' | 'f64' {
  if (/[.eE]/.test(text)) return 'f64';
  // An i32 has at most 10 digits: a longer literal is no i32, and is not worth a BigInt to say so.
  if (text.length > 11) return 'i64';
  const value = BigInt(text);
  return value >= I32_MIN && value <= I32_MAX ? 'i32' : 'i64';
}

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}
  skipWs(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }
  peek(): string | undefined {
    return this.text[this.pos];
  }
}

class SyntaxProblem extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

/** Scans one JSON value at the cursor and returns its class; throws SyntaxProblem. */
function scanValue(s: Scanner): LiteralClass {
  const c = s.peek();
  const start = s.pos;
  if (c === undefined) throw new SyntaxProblem('expected a value', start, start);
  if (c === '"') {
    s.pos++;
    while (s.pos < s.text.length) {
      const ch = s.text[s.pos]!;
      if (ch === '\\') s.pos += 2;
      else if (ch === '"') {
        s.pos++;
        return 'string';
      } else s.pos++;
    }
    throw new SyntaxProblem('unterminated string', start, s.pos);
  }
  if (c === '[' || c === '{') {
    const close = c === '[' ? ']' : '}';
    s.pos++;
    s.skipWs();
    if (s.peek() === close) {
      s.pos++;
      return c === '[' ? 'array' : 'object';
    }
    for (;;) {
      s.skipWs();
      if (c === '{') {
        if (s.peek() !== '"') throw new SyntaxProblem('expected a property name', s.pos, s.pos + 1);
        scanValue(s);
        s.skipWs();
        if (s.peek() !== ':') throw new SyntaxProblem("expected ':'", s.pos, s.pos + 1);
        s.pos++;
        s.skipWs();
      }
      scanValue(s);
      s.skipWs();
      const next = s.peek();
      if (next === ',') s.pos++;
      else if (next === close) {
        s.pos++;
        return c === '[' ? 'array' : 'object';
      } else throw new SyntaxProblem(`expected ',' or '${close}'`, s.pos, s.pos + 1);
    }
  }
  for (const [word, cls] of [
    ['true', 'boolean'],
    ['false', 'boolean'],
    ['null', 'null'],
  ] as const) {
    if (s.text.startsWith(word, s.pos)) {
      s.pos += word.length;
      return cls;
    }
  }
  NUMBER_RE.lastIndex = s.pos;
  const m = NUMBER_RE.exec(s.text);
  if (m) {
    s.pos += m[0].length;
    return classifyNumberText(m[0]);
  }
  let end = s.pos + 1;
  while (end < s.text.length && !/[\s,\]]/.test(s.text[end]!)) end++;
  throw new SyntaxProblem(`'${s.text.slice(start, end)}' is not JSON`, start, end);
}

/** Tokenises the argument array. Syntax problems come back as invalid_args diagnostics. */
export function scanArgs(text: string): ArgCheck {
  const s = new Scanner(text);
  const tokens: ArgToken[] = [];
  try {
    s.skipWs();
    if (s.peek() !== '[') throw new SyntaxProblem('arguments must be a JSON array, e.g. [1, 2.5]', s.pos, Math.max(s.pos + 1, text.length));
    s.pos++;
    s.skipWs();
    if (s.peek() === ']') s.pos++;
    else {
      for (;;) {
        s.skipWs();
        const start = s.pos;
        const cls = scanValue(s);
        tokens.push({ index: tokens.length, start, end: s.pos, text: text.slice(start, s.pos), cls });
        s.skipWs();
        const next = s.peek();
        if (next === ',') s.pos++;
        else if (next === ']') {
          s.pos++;
          break;
        } else throw new SyntaxProblem(next === undefined ? "missing ']'" : "expected ',' or ']'", s.pos, s.pos + 1);
      }
    }
    s.skipWs();
    if (s.pos < text.length) throw new SyntaxProblem('unexpected text after the array', s.pos, text.length);
  } catch (error) {
    if (!(error instanceof SyntaxProblem)) throw error;
    return { tokens, diagnostics: [{ code: 'invalid_args', message: error.message, start: error.start, end: Math.max(error.end, error.start) }] };
  }
  return { tokens, diagnostics: [] };
}

const NOT_FROM_JSON: Partial<Record<WasmValueType, string>> = {
  f32: 'f32 parameters cannot be given from JSON (a JSON number with a fraction is f64); write a wrapper export taking f64',
  v128: 'v128 parameters cannot be given from JSON; write a wrapper export taking scalars',
};

function describeLiteral(cls: LiteralClass): string {
  switch (cls) {
    case 'i32':
      return 'an integer in i32 range (i32)';
    case 'i64':
      return 'an integer outside i32 range (i64)';
    case 'f64':
      return 'a number with a fraction or exponent (f64)';
    default:
      return `a ${cls}`;
  }
}

function hintFor(expected: WasmValueType, cls: LiteralClass): string {
  if (expected === 'f64' && (cls === 'i32' || cls === 'i64')) return '; write it with a fraction, e.g. 2.0';
  if (expected === 'i64' && cls === 'i32') return '; an i64 parameter needs an integer outside i32 range';
  return '';
}

/** Checks the argument text against an export's signature; every mistake carries its span. */
export function checkArgs(text: string, signature: FunctionSignature): ArgCheck {
  const scanned = scanArgs(text);
  if (scanned.diagnostics.length > 0) return scanned;
  const diagnostics: ArgDiagnostic[] = [];
  const { tokens } = scanned;
  for (const token of tokens) {
    // As the engine's marshal (runtime/marshal/classify.ts): over-long literals and floats past the f64 range are refused.
    if (token.text.length > MAX_NUMBER_LITERAL_CHARS && (token.cls === 'i32' || token.cls === 'i64' || token.cls === 'f64')) {
      diagnostics.push({ code: 'invalid_args', argIndex: token.index, start: token.start, end: token.end, message: `argument ${token.index} is a number literal longer than ${MAX_NUMBER_LITERAL_CHARS} characters` });
      continue;
    }
    if (token.cls === 'f64' && !Number.isFinite(Number(token.text))) {
      diagnostics.push({ code: 'invalid_args', argIndex: token.index, start: token.start, end: token.end, message: `argument ${token.index} is outside the f64 range` });
      continue;
    }
    if (token.cls === 'i64') {
      const v = token.text.length > 20 ? I64_MAX + 1n : BigInt(token.text);
      if (v < I64_MIN || v > I64_MAX) {
        diagnostics.push({ code: 'invalid_args', argIndex: token.index, start: token.start, end: token.end, message: `argument ${token.index} is outside the i64 range` });
        continue;
      }
    }
    if (token.cls !== 'i32' && token.cls !== 'i64' && token.cls !== 'f64') {
      diagnostics.push({
        code: 'invalid_args',
        argIndex: token.index,
        start: token.start,
        end: token.end,
        message: `argument ${token.index} is ${describeLiteral(token.cls)}; only numbers are accepted`,
      });
      continue;
    }
    const expected = signature.params[token.index];
    if (expected === undefined) continue;
    if (token.cls !== expected) {
      const why = NOT_FROM_JSON[expected];
      diagnostics.push({
        code: 'type_mismatch',
        argIndex: token.index,
        start: token.start,
        end: token.end,
        message: why
          ? `argument ${token.index}: ${why}`
          : `argument ${token.index} expects ${expected} but got ${describeLiteral(token.cls)}${hintFor(expected, token.cls)}`,
      });
    }
  }
  if (tokens.length !== signature.params.length) {
    const extra = tokens[signature.params.length];
    const closing = text.lastIndexOf(']');
    diagnostics.push({
      code: 'invalid_args',
      start: extra ? extra.start : Math.max(0, closing),
      end: extra ? (tokens[tokens.length - 1]?.end ?? text.length) : Math.max(1, closing + 1),
      message: `expected ${signature.params.length} argument${signature.params.length === 1 ? '' : 's'} (${signature.params.join(', ') || 'none'}), got ${tokens.length}`,
    });
  }
  return { tokens, diagnostics };
}

/** A starting argument text for a signature: one placeholder per parameter. */
export function placeholderArgs(signature: FunctionSignature): string {
  const sample: Partial<Record<WasmValueType, string>> = { i32: '1', i64: '4294967296', f64: '1.5' };
  return '[' + signature.params.map((p) => sample[p] ?? '0').join(', ') + ']';
}
