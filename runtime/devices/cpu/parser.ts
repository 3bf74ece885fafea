/**
 * PTX parser: module directives, variables, `.entry`/`.func` with params and bodies. Nested
 * `{ }` scopes inside bodies (call sequences, inline asm) get their declarations renamed so
 * that each name is unique in the function; operands are resolved through the scope stack.
 */
import type { Instruction, Operand, ParamDecl, PtxFunction, PtxModule, RegDecl, Space, Statement, VarDecl } from './ast.js';
import { TYPE_SIZES } from './ast.js';
import { quote, syntaxError, tokenize, type Token, type Where } from './lexer.js';
import { PTX_LIMITS, checkLimit, limitError } from './limits.js';

/** Directives that carry no semantics for execution; accepted and skipped to the end of the statement. */
const SKIPPED_DIRECTIVES = new Set([
  '.maxntid', '.reqntid', '.minnctapersm', '.maxnctapersm', '.maxnreg', '.pragma', '.loc', '.file',
  '.noreturn', '.explicitcluster', '.maxclusterrank', '.reqnctapercluster', '.alias', '.abi_preserve',
  '.abi_preserve_control', '.blocksareclusters',
]);
const LINKAGE = new Set(['.visible', '.weak', '.extern', '.common']);
const SPACES: Record<string, Space> = { '.reg': 'reg', '.param': 'param', '.global': 'global', '.shared': 'shared', '.local': 'local', '.const': 'const' };

class Cursor {
  pos = 0;
  constructor(readonly tokens: Token[]) {}
  peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }
  next(what?: string): Token {
    const t = this.tokens[this.pos++];
    if (!t) throw syntaxError(this.end, `unexpected end of PTX${what ? `; expected ${what}` : ''}`);
    return t;
  }
  /** Just past the last token, where an unexpected end of the PTX is reported. */
  get end(): Where {
    const last = this.tokens.at(-1);
    return last ? { line: last.line, col: last.col + last.text.length } : { line: 1, col: 1 };
  }
  /** The next token's position (or the end). */
  get here(): Where {
    return this.peek() ?? this.end;
  }
  is(text: string, offset = 0): boolean {
    return this.tokens[this.pos + offset]?.text === text;
  }
  accept(text: string): boolean {
    if (this.is(text)) {
      this.pos++;
      return true;
    }
    return false;
  }
  expect(text: string): Token {
    const t = this.next(`'${text}'`);
    if (t.text !== text) throw syntaxError(t, `expected '${text}' but found ${quote(t.text)}`);
    return t;
  }
  word(what: string): Token {
    const t = this.next(what);
    if (t.kind !== 'word') throw syntaxError(t, `expected ${what} but found ${quote(t.text)}`);
    return t;
  }
  int(what: string): number {
    const t = this.next(what);
    if (t.kind !== 'int') throw syntaxError(t, `expected ${what} but found ${quote(t.text)}`);
    return Number(BigInt(t.text));
  }
  get line(): number {
    return this.peek()?.line ?? this.tokens.at(-1)?.line ?? 1;
  }
  skipStatement(): void {
    while (this.peek() && !this.is(';')) this.pos++;
    this.accept(';');
  }
}

export function parsePtx(text: string): PtxModule {
  const c = new Cursor(tokenize(text));
  const module: PtxModule = { version: '', target: '', addressSize: 64, functions: new Map(), vars: [] };
  while (c.peek()) {
    const t = c.next();
    switch (t.text) {
      case '.version': {
        const v = c.next();
        module.version = v.text;
        const [major, minor] = v.text.split('.').map(Number);
        if (!(major! < 9 || (major === 9 && (minor ?? 0) <= 0)) || Number.isNaN(major)) {
          throw syntaxError(t, `PTX ISA version ${quote(v.text)} is not supported (up to 9.0)`);
        }
        break;
      }
      case '.target': {
        const targets: string[] = [c.word('target').text];
        while (c.accept(',')) targets.push(c.word('target').text);
        module.target = targets.join(',');
        const sm = /^sm_(\d+)/.exec(targets[0]!);
        if (!sm) throw syntaxError(t, `unsupported target ${quote(targets[0]!)}`);
        break;
      }
      case '.address_size':
        module.addressSize = c.int('address size');
        if (module.addressSize !== 64) throw syntaxError(t, `.address_size ${module.addressSize} is not supported (64 only)`);
        break;
      case '.file':
      case '.loc':
        skipLine(c, t.line); // no semicolon: they end at the line end
        break;
      case '.pragma':
        c.skipStatement();
        break;
      case '.section':
        skipSection(c);
        break;
      default:
        parseTopLevel(c, t, module);
    }
  }
  return module;
}

function skipSection(c: Cursor): void {
  while (c.peek() && !c.is('{')) c.next();
  let depth = 0;
  do {
    const t = c.next();
    if (t.text === '{') depth++;
    else if (t.text === '}') depth--;
  } while (depth > 0);
}

function parseTopLevel(c: Cursor, first: Token, module: PtxModule): void {
  let t = first;
  let isExtern = false;
  while (LINKAGE.has(t.text)) {
    if (t.text === '.extern') isExtern = true;
    t = c.next();
  }
  if (t.text === '.entry' || t.text === '.func') {
    const fn = parseFunction(c, t.text === '.entry', t.line);
    module.functions.set(fn.name, fn);
    return;
  }
  const space = SPACES[t.text];
  if (space && space !== 'reg' && space !== 'param') {
    for (const v of parseVarDecl(c, space, isExtern, t.line, (n) => n)) module.vars.push(v);
    return;
  }
  throw syntaxError(t, `unexpected ${quote(t.text)} at module level`);
}

function parseParamList(c: Cursor): ParamDecl[] {
  const params: ParamDecl[] = [];
  let total = 0;
  c.expect('(');
  while (!c.accept(')')) {
    const sp = c.next();
    if (sp.text !== '.param' && sp.text !== '.reg') throw syntaxError(sp, `expected .param but found ${quote(sp.text)}`);
    let align = 0;
    let type = '';
    let ptr = false;
    for (;;) {
      const w = c.word('parameter type');
      if (w.text === '.align') align = alignment(c);
      else if (w.text === '.ptr') ptr = true;
      else if (w.text.startsWith('.') && TYPE_SIZES[w.text.slice(1)] !== undefined) {
        type = w.text.slice(1);
        break;
      } else if (w.text.startsWith('.') && ptr) continue; // .ptr .global .align N
      else throw syntaxError(w, `unknown parameter type ${quote(w.text)}`);
    }
    const name = c.word('parameter name').text;
    let size = TYPE_SIZES[type]!;
    if (c.accept('[')) {
      const count = c.int('array length');
      c.expect(']');
      size *= count;
    }
    total += size;
    checkLimit(total, 'maxParamBytes', sp.line, (n) => `the parameters up to '${name}' take ${n.toLocaleString('en-US')} bytes`);
    params.push({ name, type, sizeBytes: size, align: align || TYPE_SIZES[type]! });
    if (!c.accept(',')) {
      c.expect(')');
      break;
    }
  }
  return params;
}

function parseFunction(c: Cursor, isEntry: boolean, line: number): PtxFunction {
  let returns: ParamDecl[] = [];
  if (!isEntry && c.is('(')) returns = parseParamList(c);
  const name = c.word('function name').text;
  const params = c.is('(') ? parseParamList(c) : [];
  const fn: PtxFunction = { name, isEntry, params, returns, regs: [], vars: [], body: [], defined: false, line };
  while (c.peek() && c.peek()!.text.startsWith('.') && SKIPPED_DIRECTIVES.has(c.peek()!.text)) {
    c.next();
    while (c.peek() && (c.peek()!.kind === 'int' || c.is(','))) c.next();
  }
  if (c.accept(';')) return fn;
  c.expect('{');
  fn.defined = true;
  parseBody(c, fn);
  return fn;
}

function parseBody(c: Cursor, fn: PtxFunction): void {
  const scopes: Map<string, string>[] = [new Map()];
  /** Where each open `{` is, for the message when the PTX ends inside one. */
  const opened: Where[] = [];
  let scopeCounter = 0;
  const declare = (name: string): string => {
    const depth = scopes.length - 1;
    const unique = depth === 0 ? name : `${name}__s${scopeCounter}`;
    scopes[depth]!.set(name, unique);
    return unique;
  };
  const resolve = (name: string): string => {
    for (let i = scopes.length - 1; i >= 0; i--) {
      const u = scopes[i]!.get(name);
      if (u !== undefined) return u;
    }
    return name;
  };
  const regCount = { n: 0 };
  for (;;) {
    if (!c.peek()) {
      const at = opened.at(-1);
      throw syntaxError(c.end, at ? `unexpected end of PTX; expected '}' to close the '{' at line ${at.line}, column ${at.col}` : `unexpected end of PTX; expected '}' to close the body of '${fn.name}' (line ${fn.line})`);
    }
    const t = c.next();
    if (t.text === '}') {
      if (scopes.length === 1) return;
      scopes.pop();
      opened.pop();
      continue;
    }
    if (t.text === '{') {
      if (scopes.length > PTX_LIMITS.maxScopeDepth) throw limitError(t.line, `'{' nested more than ${PTX_LIMITS.maxScopeDepth} deep`, 'maxScopeDepth');
      scopes.push(new Map());
      opened.push(t);
      scopeCounter++;
      continue;
    }
    if (t.text === ';') continue;
    if (SKIPPED_DIRECTIVES.has(t.text)) {
      if (t.text === '.loc' || t.text === '.file') skipLine(c, t.line);
      else c.skipStatement();
      continue;
    }
    if (t.kind === 'word' && c.is(':')) {
      c.next();
      fn.body.push({ kind: 'label', name: t.text, line: t.line });
      continue;
    }
    let isExtern = false;
    let tok = t;
    if (tok.text === '.extern') {
      isExtern = true;
      tok = c.next();
    }
    const space = SPACES[tok.text];
    if (space === 'reg') {
      parseRegDecl(c, declare, fn.regs);
      continue;
    }
    if (space) {
      for (const v of parseVarDecl(c, space, isExtern, tok.line, declare)) fn.vars.push(v);
      continue;
    }
    if (tok.text.startsWith('.')) throw syntaxError(tok, `unknown directive ${quote(tok.text)}`);
    fn.body.push(parseInstruction(c, tok, resolve));
  }
}

function skipLine(c: Cursor, line: number): void {
  while (c.peek() && c.peek()!.line === line && !c.is(';')) c.next();
  c.accept(';');
}

/** Appends the declared registers to `out`, holding the function to PTX_LIMITS.maxRegisters. */
function parseRegDecl(c: Cursor, declare: (n: string) => string, out: RegDecl[]): void {
  let type = '';
  let vec = 1;
  for (;;) {
    const w = c.word('register type');
    if (w.text === '.v2' || w.text === '.v4') vec = Number(w.text.slice(2));
    else if (w.text === '.align') alignment(c);
    else if (w.text.startsWith('.') && TYPE_SIZES[w.text.slice(1)] !== undefined) {
      type = w.text.slice(1);
      break;
    } else throw syntaxError(w, `unknown register type ${quote(w.text)}`);
  }
  if (vec !== 1) throw syntaxError(c.here, 'vector registers (.reg .v2/.v4) are not supported');
  do {
    const nameTok = c.word('register name');
    const name = nameTok.text;
    if (c.accept('<')) {
      const count = c.int('register count');
      c.expect('>');
      checkLimit(out.length + count, 'maxRegisters', nameTok.line, (n) => `${n.toLocaleString('en-US')} registers declared in one function`);
      for (let i = 0; i < count; i++) out.push({ name: declare(`${name}${i}`), type });
    } else {
      checkLimit(out.length + 1, 'maxRegisters', nameTok.line, (n) => `${n.toLocaleString('en-US')} registers declared in one function`);
      out.push({ name: declare(name), type });
    }
  } while (c.accept(','));
  c.expect(';');
}

/** `.align N`: a power of two, at most PTX_LIMITS.maxAlign. */
function alignment(c: Cursor): number {
  const t = c.peek();
  const a = c.int('alignment');
  if (!(a >= 1 && a <= PTX_LIMITS.maxAlign && (a & (a - 1)) === 0)) throw syntaxError(t!, `.align ${a} is not a power of two from 1 to ${PTX_LIMITS.maxAlign}`);
  return a;
}

/** Per-variable bound of each state space, so no declaration alone can exceed its space's limit. */
const SPACE_LIMIT = { global: 'maxGlobalBytes', const: 'maxConstBytes', shared: 'maxSharedBytes', local: 'maxLocalBytesPerThread', param: 'maxLocalBytesPerThread', reg: 'maxLocalBytesPerThread' } as const;

function parseVarDecl(c: Cursor, space: Space, isExtern: boolean, line: number, declare: (n: string) => string): VarDecl[] {
  let align = 0;
  let type = '';
  for (;;) {
    const w = c.word('variable type');
    if (w.text === '.align') align = alignment(c);
    else if (w.text === '.v2' || w.text === '.v4') throw syntaxError(w, 'vector-typed variables are not supported');
    else if (w.text.startsWith('.') && TYPE_SIZES[w.text.slice(1)] !== undefined) {
      type = w.text.slice(1);
      break;
    } else if (w.text === '.ptr' || w.text === '.global' || w.text === '.shared' || w.text === '.local' || w.text === '.const') continue;
    else throw syntaxError(w, `unknown variable type ${quote(w.text)}`);
  }
  const elem = TYPE_SIZES[type]!;
  const out: VarDecl[] = [];
  do {
    const rawName = c.word('variable name').text;
    let count = 1;
    let dims = 0;
    let unsized = false;
    while (c.accept('[')) {
      dims++;
      if (c.accept(']')) {
        unsized = true;
        count = 0;
        continue;
      }
      count *= c.int('array length');
      c.expect(']');
      // checked as it grows, so `[1e9][1e9]` never becomes a huge number of bytes
      checkLimit(count * elem, SPACE_LIMIT[space], line, (n) => `.${space} variable '${rawName}' takes ${n.toLocaleString('en-US')} bytes`);
    }
    let init: Uint8Array | undefined;
    if (c.accept('=')) init = parseInitializer(c, type, elem, unsized ? Infinity : dims === 0 ? 1 : count);
    if (unsized && init) checkLimit(init.length, SPACE_LIMIT[space], line, (n) => `.${space} variable '${rawName}' takes ${n.toLocaleString('en-US')} bytes`);
    if (unsized && init) count = init.length / elem;
    const v: VarDecl = {
      name: declare(rawName),
      space,
      type,
      align: align || elem,
      count: dims === 0 ? 1 : count,
      sizeBytes: (dims === 0 ? 1 : count) * elem,
      extern: isExtern || unsized,
      line,
    };
    if (init) v.init = init;
    out.push(v);
  } while (c.accept(','));
  c.expect(';');
  return out;
}

function parseInitializer(c: Cursor, type: string, elem: number, count: number): Uint8Array {
  const values: Token[] = [];
  const negs: boolean[] = [];
  const one = (): void => {
    const neg = c.accept('-');
    const t = c.next('an initializer value');
    if (t.kind === 'punct' || t.kind === 'string') throw syntaxError(t, `bad initializer value ${quote(t.text)}`);
    if (t.kind === 'f32' && elem !== 4) throw syntaxError(t, `a 0f value initializes 32-bit elements, not .${type}`);
    if (values.length >= count) throw syntaxError(t, `more initializers than the ${count} elements declared`);
    values.push(t);
    negs.push(neg);
  };
  const open = c.peek();
  if (c.accept('{')) {
    // nested braces of multi-dimensional arrays flatten
    let depth = 1;
    while (depth > 0) {
      if (!c.peek()) c.next(`'}' to close the initializer at line ${open!.line}, column ${open!.col}`);
      if (c.accept('{')) {
        if (++depth > PTX_LIMITS.maxScopeDepth) throw limitError(open!.line, `initializer braces nested more than ${PTX_LIMITS.maxScopeDepth} deep`, 'maxScopeDepth');
      } else if (c.accept('}')) depth--;
      else if (!c.accept(',')) one();
    }
  } else one();
  // only the initialized elements: layout.ts zero-fills the rest
  const out = new Uint8Array(values.length * elem);
  const dv = new DataView(out.buffer);
  values.forEach((t, i) => {
    const o = i * elem;
    const neg = negs[i]!;
    if (type === 'f32' || t.kind === 'f32') {
      if (t.kind === 'f32') dv.setUint32(o, parseInt(t.text, 16), true);
      else dv.setFloat32(o, (neg ? -1 : 1) * Number(t.text), true);
      return;
    }
    if (type === 'f64') {
      if (t.kind === 'f64') dv.setBigUint64(o, BigInt('0x' + t.text), true);
      else dv.setFloat64(o, (neg ? -1 : 1) * Number(t.text), true);
      return;
    }
    if (t.kind !== 'int') throw syntaxError(t, `bad integer initializer ${quote(t.text)}`);
    let v = BigInt(t.text);
    if (neg) v = -v;
    v = BigInt.asUintN(elem * 8, v);
    for (let b = 0; b < elem; b++) out[o + b] = Number((v >> BigInt(b * 8)) & 0xffn);
  });
  return out;
}

function parseInstruction(c: Cursor, first: Token, resolve: (n: string) => string): Instruction {
  let t = first;
  let guard: Instruction['guard'];
  if (t.text === '@') {
    const negate = c.accept('!');
    guard = { name: resolve(c.word('guard predicate').text), negate };
    t = c.word('instruction');
  }
  if (t.kind !== 'word') throw syntaxError(t, `expected an instruction but found ${quote(t.text)}`);
  const operands: Operand[] = [];
  if (!c.is(';')) {
    do operands.push(parseOperand(c, resolve));
    while (c.accept(','));
  }
  const end = c.next();
  if (end.text !== ';') throw syntaxError(end, `expected ';' after ${quote(t.text)} operands but found ${quote(end.text)}`);
  const instr: Instruction = { kind: 'instr', opcode: t.text, parts: t.text.split('.'), operands, line: t.line };
  if (guard) instr.guard = guard;
  return instr;
}

function parseOperand(c: Cursor, resolve: (n: string) => string): Operand {
  const single = parseSimpleOperand(c, resolve);
  if (c.accept('|')) return { kind: 'pair', first: single, second: parseSimpleOperand(c, resolve) };
  return single;
}

function parseSimpleOperand(c: Cursor, resolve: (n: string) => string): Operand {
  const t = c.next();
  if (t.text === '[') {
    let base: string | undefined;
    let offset = 0;
    if (c.peek()?.kind === 'word') base = resolve(c.next().text);
    while (!c.is(']')) {
      const sign = c.next();
      let s = 1;
      if (sign.text === '-') s = -1;
      else if (sign.text === '+') {
        if (c.accept('-')) s = -1;
      } else if (sign.kind === 'int' && base === undefined) {
        offset += Number(BigInt(sign.text));
        continue;
      } else throw syntaxError(sign, `bad address expression near ${quote(sign.text)}`);
      offset += s * c.int('address offset');
    }
    c.expect(']');
    return { kind: 'addr', base, offset };
  }
  if (t.text === '{' || t.text === '(') {
    // vectors `{a, b}` and call lists `(a, b)` hold plain operands: they never nest
    const close = t.text === '{' ? '}' : ')';
    const items: Operand[] = [];
    while (!c.accept(close)) {
      const at = c.peek();
      if (at && (at.text === '{' || at.text === '(' || at.text === '[')) throw syntaxError(at, `expected a register or a constant in ${t.text === '{' ? 'a vector operand' : 'a call list'} but found ${quote(at.text)}`);
      if (!at) c.next(`'${close}' to close the ${quote(t.text)} at line ${t.line}, column ${t.col}`);
      items.push(parseSimpleOperand(c, resolve));
      if (!c.is(close)) c.expect(',');
    }
    return t.text === '{' ? { kind: 'vec', items } : { kind: 'list', items };
  }
  if (t.text === '!') return { kind: 'not', name: resolve(c.word('predicate').text) };
  if (t.text === '-') {
    const v = c.next();
    if (v.kind === 'int') return { kind: 'int', value: -BigInt(v.text) };
    if (v.kind === 'float') return { kind: 'f64', value: -Number(v.text) };
    throw syntaxError(v, `bad negative operand ${quote(v.text)}`);
  }
  switch (t.kind) {
    case 'int':
      return { kind: 'int', value: BigInt(t.text) };
    case 'f32':
      return { kind: 'f32', bits: parseInt(t.text, 16) };
    case 'f64': {
      const dv = new DataView(new ArrayBuffer(8));
      dv.setBigUint64(0, BigInt('0x' + t.text));
      return { kind: 'f64', value: dv.getFloat64(0) };
    }
    case 'float':
      return { kind: 'f64', value: Number(t.text) };
    case 'word':
      if (t.text === '_') return { kind: 'sink' };
      if (t.text.startsWith('%')) return { kind: 'reg', name: resolve(t.text) };
      return { kind: 'sym', name: resolve(t.text) };
    default:
      throw syntaxError(t, `unexpected ${quote(t.text)} in operands`);
  }
}

export type { Statement };
