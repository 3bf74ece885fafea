import { TensorWasmError } from '../../contract/errors.js';

/** A JSON argument after lexical classification (guide §3.1). */
export type ArgValue = { type: 'i32'; value: number } | { type: 'i64'; value: bigint } | { type: 'f64'; value: number };

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

// JSON's number grammar, sticky so it matches exactly at the scanner's position.
const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function kindAt(c: string | undefined): string {
  switch (c) {
    case '"':
      return 'a string';
    case '[':
      return 'an array';
    case '{':
      return 'an object';
    case 't':
    case 'f':
      return 'a boolean';
    case 'n':
      return 'null';
    default:
      return 'not valid JSON';
  }
}

function invalid(message: string, details?: Record<string, unknown>): never {
  throw new TensorWasmError('invalid_args', message, details);
}

/**
 * The longest number literal read at all. No double needs more: the exact decimal expansion of the
 * smallest subnormal has 751 significant digits; anything longer is refused before it is converted,
 * so a hostile 30-million-digit literal costs a length check, not a quadratic `BigInt(text)`.
 */
export const MAX_NUMBER_LITERAL_CHARS = 1024;
/** Integer literals longer than this (sign included) are outside i64 whatever their digits. */
const MAX_I64_LITERAL_CHARS = 20;
/** How much of a literal an error message quotes: errors never echo more than ~200 characters of input. */
const QUOTE_CHARS = 40;

/** A literal as error messages show it: whole when short, else its start and its length. */
export function quoteLiteral(text: string): string {
  return text.length <= QUOTE_CHARS ? text : `${text.slice(0, QUOTE_CHARS)}… (${text.length} characters)`;
}

/** Characters a number literal is made of: digits, sign, point, exponent. */
function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x45 || c === 0x65;
}

/**
 * Refuses a literal longer than MAX_NUMBER_LITERAL_CHARS at `i` after reading at most that many
 * characters of it: neither the grammar's regex nor a conversion ever walks a hostile literal.
 */
function refuseLongLiteral(text: string, i: number, index: number): void {
  const end = Math.min(text.length, i + MAX_NUMBER_LITERAL_CHARS + 1);
  let j = i;
  while (j < end && isNumberChar(text.charCodeAt(j))) j++;
  if (j - i > MAX_NUMBER_LITERAL_CHARS) {
    invalid(`argument ${index} (${text.slice(i, i + QUOTE_CHARS)}…) is a number literal longer than ${MAX_NUMBER_LITERAL_CHARS} characters`, { argIndex: index });
  }
}

/** Classifies one number literal by how it is written, not by its parsed value. */
export function classifyNumber(text: string, index: number): ArgValue {
  if (text.length > MAX_NUMBER_LITERAL_CHARS) {
    return invalid(`argument ${index} (${quoteLiteral(text)}) is a number literal longer than ${MAX_NUMBER_LITERAL_CHARS} characters`, { argIndex: index });
  }
  const fraction = text.includes('.') || text.includes('e') || text.includes('E');
  if (fraction) {
    const value = Number(text);
    // Underflow to zero is ordinary rounding; overflow would turn the caller's number into ±Infinity.
    if (!Number.isFinite(value)) {
      return invalid(`argument ${index} (${quoteLiteral(text)}) is outside the f64 range (largest magnitude 1.7976931348623157e308)`, { argIndex: index });
    }
    return { type: 'f64', value };
  }
  // Up to 9 digits always fits i32; only longer literals need exact BigInt range checks.
  const digits = text.length - (text.charCodeAt(0) === 0x2d ? 1 : 0);
  if (digits <= 9) return { type: 'i32', value: Number(text) | 0 };
  if (text.length > MAX_I64_LITERAL_CHARS) return outsideI64(text, index);
  const big = BigInt(text);
  if (big >= BigInt(I32_MIN) && big <= BigInt(I32_MAX)) return { type: 'i32', value: Number(big) };
  if (big >= I64_MIN && big <= I64_MAX) return { type: 'i64', value: big };
  return outsideI64(text, index);
}

function outsideI64(text: string, index: number): never {
  return invalid(`argument ${index} (${quoteLiteral(text)}) is outside the i64 range [-9223372036854775808, 9223372036854775807]`, { argIndex: index });
}

/**
 * Reads the argument list from its JSON *text*: a top-level array of number literals, each
 * classified lexically (integer text in i32 range → i32; other integer text → i64, exact;
 * a fraction or exponent → f64). Anything else is `invalid_args`.
 */
export function classifyArgs(text: string): ArgValue[] {
  const n = text.length;
  let i = 0;
  const skip = () => {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
  };
  skip();
  if (text[i] !== '[') invalid(`arguments must be a JSON array of numbers, e.g. [1, 2]; got ${i >= n ? 'nothing' : kindAt(text[i]) === 'not valid JSON' && /[-0-9]/.test(text[i]!) ? 'a number' : kindAt(text[i])}`);
  i++;
  skip();
  const args: ArgValue[] = [];
  if (text[i] === ']') {
    i++;
  } else {
    for (;;) {
      const index = args.length;
      refuseLongLiteral(text, i, index);
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m) {
        if (i >= n) invalid('arguments are not valid JSON: the array is not closed');
        const kind = kindAt(text[i]);
        if (kind === 'not valid JSON') invalid(`arguments are not valid JSON: unexpected ${JSON.stringify(text[i])} at character ${i}`);
        invalid(`argument ${index} is ${kind}; only numbers are accepted (guide §3.1)`, { argIndex: index });
      }
      i += m[0].length;
      args.push(classifyNumber(m[0], index));
      skip();
      if (text[i] === ',') {
        i++;
        skip();
        continue;
      }
      if (text[i] === ']') {
        i++;
        break;
      }
      invalid(i >= n ? 'arguments are not valid JSON: the array is not closed' : `arguments are not valid JSON: unexpected ${JSON.stringify(text[i])} at character ${i}`);
    }
  }
  skip();
  if (i < n) invalid(`arguments are not valid JSON: unexpected ${JSON.stringify(text[i])} after the array at character ${i}`);
  return args;
}
