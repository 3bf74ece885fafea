/**
 * Code generation for ld/st/atom/red/cvta in every state space. Global and generic accesses are
 * checked against the launch's pointer windows: a per-instruction cache of the last window hit
 * keeps the check to four comparisons; a miss calls M.gfind, which either finds the window,
 * resolves another space (generic addressing), or throws the memcheck-style launch failure.
 */
import type { Instruction, Operand } from '../ast.js';
import { CONST_HI, GLOBAL_HI, LOCAL_HI, PARAM_HI, SHARED_HI } from '../address-space.js';
import { tmp } from './emit-alu.js';
import { GUEST_BASE } from './num64.js';
import { clsOf, typeBits, type Values } from './values.js';

export type AccessSpace = 'global' | 'shared' | 'local' | 'const' | 'param' | 'generic';

export interface MemCtx {
  V: Values;
  /** Allocates a window-cache site and returns its index. */
  site(): number;
  /** Space of a symbol: where a `[sym]` address points. */
  symbolSpace(name: string): AccessSpace | 'kparam' | undefined;
  /** Byte offset of a kernel parameter symbol in the parameter buffer, and the buffer's size. */
  paramOffset(name: string): number | undefined;
  paramSize: number;
  /** Evaluates `expr` once per call of the compiled function (kernel parameters are launch constants). */
  hoist(expr: string): string;
  line: number;
}

const VIEW_OF: Record<string, [string, number]> = {
  u8: ['u8', 0], b8: ['u8', 0], s8: ['s8', 0],
  u16: ['u16', 1], b16: ['u16', 1], f16: ['u16', 1], bf16: ['u16', 1], s16: ['s16', 1],
  u32: ['i32', 2], s32: ['i32', 2], b32: ['i32', 2], f16x2: ['i32', 2], bf16x2: ['i32', 2], f32: ['f32', 2],
  u64: ['i32', 2], s64: ['i32', 2], b64: ['i32', 2], f64: ['f64', 3],
};
const LOCAL_VIEWS: Record<string, Record<string, string>> = {
  global: { u8: 'G8', s8: 'GS8', u16: 'G16', s16: 'GS16', i32: 'G32', f32: 'GF', f64: 'GD' },
  shared: { u8: 'S8', s8: 'SS8', u16: 'S16', s16: 'SS16', i32: 'S32', f32: 'SF', f64: 'SD' },
  local: { u8: 'L8', s8: 'LS8', u16: 'L16', s16: 'LS16', i32: 'L32', f32: 'LF', f64: 'LD' },
  const: { u8: 'C8', s8: 'CS8', u16: 'C16', s16: 'CS16', i32: 'C32', f32: 'CF', f64: 'CD' },
  kparam: { u8: 'P8', s8: 'PS8', u16: 'P16', s16: 'PS16', i32: 'P32', f32: 'PF', f64: 'PD' },
};
const SIZE_NAME: Record<string, string> = { shared: 'SHN', local: 'FRAME', const: 'CSN', kparam: 'PSN' };

/** Element access body: given a view-name function and a byte-offset expression, the statements. */
type Body = (view: (kind: string) => string, byteOff: string) => string;

interface Addr {
  hi: string;
  lo: string; // byte offset within the space, a JS number (may be negative or ≥ 2^32 on bad input)
  /** The whole address as one exact number, when the base is a number register. */
  num?: string;
  /** The address minus 2^40 (the guest offset of a guest pointer), when the base is a biased register. */
  guest?: string;
}

function spaceOf(ins: Instruction): AccessSpace {
  for (const p of ins.parts) {
    if (p === 'global' || p === 'shared' || p === 'local' || p === 'const' || p === 'param') return p;
  }
  return 'generic';
}

function address(ctx: MemCtx, o: Operand): { addr: Addr; symSpace?: AccessSpace | 'kparam' } {
  const V = ctx.V;
  if (o.kind !== 'addr') return V.fail('expected an address operand [..]');
  const off = o.offset;
  if (o.base === undefined) return { addr: { hi: '0', lo: String(off) } };
  const r = V.regs.get(o.base);
  if (r) {
    if (r.biased) {
      // the register holds address - 2^40: for a guest pointer, its guest offset
      const g = off ? `(${r.js} + ${off})` : r.js;
      const n = `(${g} + ${GUEST_BASE})`;
      return { addr: { hi: `Math.floor(${n} * 2.3283064365386963e-10)`, lo: `(${n} % 4294967296)`, num: n, guest: g } };
    }
    if (r.num) {
      const n = off ? `(${r.js} + ${off})` : r.js;
      return { addr: { hi: `Math.floor(${n} * 2.3283064365386963e-10)`, lo: `(${n} % 4294967296)`, num: n } };
    }
    if (r.kind === 'i64') return { addr: { hi: r.jsHi, lo: off ? `((${r.js} >>> 0) + ${off})` : `(${r.js} >>> 0)` } };
    return { addr: { hi: '0', lo: off ? `((${r.js} >>> 0) + ${off})` : `(${r.js} >>> 0)` } };
  }
  const sp = ctx.symbolSpace(o.base);
  if (!sp) return V.fail(`unknown symbol '${o.base}' in address`);
  const [lo, hi] = V.read64({ kind: 'sym', name: o.base });
  return { addr: { hi, lo: `(${Number(lo) >>> 0} + ${off})` }, symSpace: sp };
}

/**
 * Emits a checked access of `size` bytes. `body` is generated for the fast path (cached guest
 * window), the checked path, and the slow path (another space reached through a generic address).
 */
function access(ctx: MemCtx, ins: Instruction, addrOp: Operand, size: number, write: boolean, body: Body): string {
  let space = spaceOf(ins);
  const { addr, symSpace } = address(ctx, addrOp);
  if (symSpace) {
    if (symSpace === 'kparam' || (space === 'param' && symSpace === 'local')) space = symSpace === 'kparam' ? 'param' : 'local';
    else if (space === 'generic' || space === 'global') space = symSpace === 'global' ? 'global' : symSpace;
  }
  const o = tmp();
  const align = size - 1;
  const line = ins.line;
  if (space === 'param' && symSpace === 'kparam') {
    const views = LOCAL_VIEWS.kparam!;
    return `{ const ${o} = ${addr.lo}; ${body((k) => views[k]!, o)} }`;
  }
  if (space === 'shared' || space === 'local' || space === 'const' || (space === 'param' && symSpace === 'local')) {
    const key = space === 'param' ? 'local' : space;
    const views = LOCAL_VIEWS[key]!;
    const limit = SIZE_NAME[key]!;
    const base = key === 'local' ? 'LB + ' : '';
    return `{ const ${o} = ${addr.lo}; if (${o} < 0 || ${o} + ${size} > ${limit} || (${o} & ${align}) !== 0) M.spaceFault(E, ${JSON.stringify(key)}, ${o}, ${size}, t, ${line}, ${write}); ${body((k) => views[k]!, base ? `(LB + ${o})` : o)} }`;
  }
  if (space === 'param') {
    // ld.param through a register: a generic param-space address
    space = 'generic';
  }
  const k = ctx.site();
  const h = tmp(), w = tmp();
  const gv = LOCAL_VIEWS.global!;
  const spaceCode = space === 'global' ? 1 : 0;
  if (addr.guest !== undefined) {
    // A biased register already holds the guest offset: no arithmetic on doubles near 2^40.
    const a = tmp(), l = tmp();
    return `{ const ${o} = ${addr.guest};
  if (${o} >= w${k}a && ${o} <= w${k}b && (${o} & ${align}) === 0) { ${body((x) => gv[x]!, o)} }
  else { const ${a} = ${o} + ${GUEST_BASE}, ${h} = Math.floor(${a} * 2.3283064365386963e-10), ${l} = ${a} - ${h} * 4294967296; const ${w} = M.gfind(E, ${h}, ${l}, ${size}, t, ${line}, ${spaceCode}, ${write}); if (${w} >= 0) { ${refill(k, w, size)} ${body((x) => gv[x]!, l)} } else { const _R = E.xr, _x = E.xo; ${body((x) => `_R.${x}`, '_x')} } } }`;
  }
  if (addr.num !== undefined) {
    // One subtraction turns the device address into a guest offset; the window test alone
    // proves it is guest memory (windows lie in [0, 2^32)).
    const a = tmp(), l = tmp();
    return `{ const ${a} = ${addr.num}, ${o} = ${a} - ${GLOBAL_HI * 4294967296};
  if (${o} >= w${k}a && ${o} <= w${k}b && (${o} & ${align}) === 0) { ${body((x) => gv[x]!, o)} }
  else { const ${h} = Math.floor(${a} * 2.3283064365386963e-10), ${l} = ${a} - ${h} * 4294967296; const ${w} = M.gfind(E, ${h}, ${l}, ${size}, t, ${line}, ${spaceCode}, ${write}); if (${w} >= 0) { ${refill(k, w, size)} ${body((x) => gv[x]!, l)} } else { const _R = E.xr, _x = E.xo; ${body((x) => `_R.${x}`, '_x')} } } }`;
  }
  return `{ const ${h} = ${addr.hi}, ${o} = ${addr.lo};
  if (${h} === ${GLOBAL_HI} && ${o} >= w${k}a && ${o} <= w${k}b && (${o} & ${align}) === 0) { ${body((x) => gv[x]!, o)} }
  else { const ${w} = M.gfind(E, ${h}, ${o}, ${size}, t, ${line}, ${spaceCode}, ${write}); if (${w} >= 0) { ${refill(k, w, size)} ${body((x) => gv[x]!, o)} } else { const _R = E.xr, _x = E.xo; ${body((x) => `_R.${x}`, '_x')} } } }`;
}

/**
 * A cache miss that found a window: the site's cached bounds become that window, in the locals and
 * in the launch's cache (E.wk), so the next block starts with a hit instead of a miss per site.
 */
function refill(k: number, w: string, size: number): string {
  return `w${k}a = WK[${2 * k}] = E.wlo[${w}]; w${k}b = WK[${2 * k + 1}] = E.wend[${w}] - ${size};`;
}

function idx(byteOff: string, shift: number, plus = 0): string {
  const base = shift === 0 ? byteOff : `(${byteOff} >>> ${shift})`;
  return plus ? `${base} + ${plus}` : base;
}

/** ld (incl. .v2/.v4) in any space. */
export function emitLd(ctx: MemCtx, ins: Instruction): string {
  const V = ctx.V;
  const t = ins.parts[ins.parts.length - 1]!;
  const vec = ins.parts.includes('v4') ? 4 : ins.parts.includes('v2') ? 2 : ins.parts.includes('v8') ? 8 : 1;
  const view = VIEW_OF[t];
  if (!view) return V.fail(`unsupported type .${t} for '${ins.opcode}'`);
  const elem = typeBits(t) / 8;
  const dests = vec === 1 ? [ins.operands[0]!] : (ins.operands[0] as { kind: 'vec'; items: Operand[] }).items;
  if (!dests || dests.length !== vec) return V.fail(`'${ins.opcode}' needs ${vec} destination registers`);
  const cls = clsOf(t);
  const a = ins.operands[1]!;
  const pOff = a.kind === 'addr' && a.base !== undefined ? ctx.paramOffset(a.base) : undefined;
  const aOff = a.kind === 'addr' ? a.offset : 0;
  if (pOff !== undefined && vec === 1 && (pOff + aOff) % elem === 0) {
    // A kernel parameter at a constant offset: read once per call, not once per thread.
    const d = dests[0]!;
    const byte = pOff + aOff;
    if (byte < 0 || byte + elem > ctx.paramSize) return V.fail(`'${ins.opcode}' reads past the kernel parameters (${ctx.paramSize} bytes)`);
    const [kind, shift] = view;
    const views = LOCAL_VIEWS.kparam!;
    if (cls === 'i64' && V.isNum(d)) {
      const biased = V.regs.get((d as { name: string }).name)?.biased === true;
      return V.writeNum(d, ctx.hoist(`M.${biased ? 'n64Biased' : 'n64'}(P32[${byte >> 2}], P32[${(byte >> 2) + 1}])`), false, biased);
    }
    if (cls === 'i64') return V.write64(d, ctx.hoist(`P32[${byte >> 2}]`), ctx.hoist(`P32[${(byte >> 2) + 1}]`));
    const v = ctx.hoist(`${views[kind]}[${byte >> shift}]`);
    const dr = d.kind === 'reg' ? V.regs.get(d.name) : undefined;
    if (dr && dr.kind === 'i64' && cls === 'i32') return V.write64(d, v, t.startsWith('s') ? `(${v} < 0 ? -1 : 0)` : '0');
    return V.write(d, cls, v);
  }
  const body: Body = (vw, off) => {
    let s = '';
    dests.forEach((d, i) => {
      if (d.kind === 'sink') return;
      const [kind, shift] = view;
      if (cls === 'i64') {
        const base = `${idx(off, shift)} + ${i * 2}`;
        s += V.write64(d, `${vw('i32')}[${base}]`, `${vw('i32')}[${base} + 1]`) + ' ';
        return;
      }
      const e = `${vw(kind)}[${idx(off, shift, i)}]`;
      const dr = V.regs.get((d as { name: string }).name);
      if (dr && dr.kind === 'i64' && cls === 'i32') {
        // narrower load into a 64-bit register: extend by the type's signedness
        const v = tmp();
        s += `{ const ${v} = ${e}; ${V.write64(d, v, t.startsWith('s') ? `(${v} < 0 ? -1 : 0)` : '0')} } `;
        return;
      }
      s += V.write(d, cls, e) + ' ';
    });
    return s;
  };
  return access(ctx, ins, ins.operands[1]!, elem * vec, false, body);
}

export function emitSt(ctx: MemCtx, ins: Instruction): string {
  const V = ctx.V;
  const t = ins.parts[ins.parts.length - 1]!;
  const vec = ins.parts.includes('v4') ? 4 : ins.parts.includes('v2') ? 2 : ins.parts.includes('v8') ? 8 : 1;
  const view = VIEW_OF[t];
  if (!view) return V.fail(`unsupported type .${t} for '${ins.opcode}'`);
  const elem = typeBits(t) / 8;
  const srcOp = ins.operands[1]!;
  const srcs = vec === 1 ? [srcOp] : srcOp.kind === 'vec' ? srcOp.items : [];
  if (srcs.length !== vec) return V.fail(`'${ins.opcode}' needs ${vec} source values`);
  const cls = clsOf(t);
  // Evaluate sources before the access so the same expressions serve all three paths.
  const vals: string[] = [];
  let pre = '';
  for (const s of srcs) {
    if (cls === 'i64') {
      const [l, h] = V.read64(s);
      const a = tmp(), b = tmp();
      pre += `const ${a} = ${l}, ${b} = ${h}; `;
      vals.push(a, b);
    } else {
      const a = tmp();
      pre += `const ${a} = ${V.read(s, cls)}; `;
      vals.push(a);
    }
  }
  const body: Body = (vw, off) => {
    const [kind, shift] = view;
    if (cls === 'i64') return vals.map((v, i) => `${vw('i32')}[${idx(off, shift, i)}] = ${v};`).join(' ');
    return vals.map((v, i) => `${vw(kind)}[${idx(off, shift, i)}] = ${v};`).join(' ');
  };
  return `{ ${pre}${access(ctx, ins, ins.operands[0]!, elem * vec, true, body)} }`;
}

/** atom.* (with a destination) and red.* (without). */
export function emitAtom(ctx: MemCtx, ins: Instruction): string {
  const V = ctx.V;
  const isRed = ins.parts[0] === 'red';
  const t = ins.parts[ins.parts.length - 1]!;
  const opName = ins.parts[ins.parts.length - 2]!;
  const ops = isRed ? [undefined, ...ins.operands] : ins.operands;
  const d = ops[0], a = ops[1]!, b = ops[2]!, c = ops[3];
  const cls = clsOf(t);
  const bits = typeBits(t);
  if (ins.parts.includes('v2') || ins.parts.includes('v4') || (bits !== 32 && bits !== 64)) return V.fail(`unsupported instruction '${ins.opcode}'`);
  let pre = '';
  const B = tmp(), Bh = tmp(), C = tmp(), Ch = tmp();
  if (cls === 'i64') {
    const [bl, bh] = V.read64(b);
    pre += `const ${B} = ${bl}, ${Bh} = ${bh}; `;
    if (c) {
      const [cl, ch] = V.read64(c);
      pre += `const ${C} = ${cl}, ${Ch} = ${ch}; `;
    }
  } else {
    pre += `const ${B} = ${V.read(b, cls)}; `;
    if (c) pre += `const ${C} = ${V.read(c, cls)}; `;
  }
  const signed = t.startsWith('s');
  const body: Body = (vw, off) => {
    if (cls === 'i64') {
      const i = `${idx(off, 2)}`;
      const ol = tmp(), oh = tmp();
      let s = `const ${ol} = ${vw('i32')}[${i}], ${oh} = ${vw('i32')}[${i} + 1]; let _nl = ${ol}, _nh = ${oh};`;
      switch (opName) {
        case 'add': s += ` { const _s = (${ol} >>> 0) + (${B} >>> 0); _nh = (${oh} + ${Bh} + (_s > 4294967295 ? 1 : 0)) | 0; _nl = _s | 0; }`; break;
        case 'exch': s += ` _nl = ${B}; _nh = ${Bh};`; break;
        case 'cas': s += ` if (${ol} === ${B} && ${oh} === ${Bh}) { _nl = ${C}; _nh = ${Ch}; }`; break;
        case 'min': s += ` if (M.cmp64(${B}, ${Bh}, ${ol}, ${oh}, ${signed}) < 0) { _nl = ${B}; _nh = ${Bh}; }`; break;
        case 'max': s += ` if (M.cmp64(${B}, ${Bh}, ${ol}, ${oh}, ${signed}) > 0) { _nl = ${B}; _nh = ${Bh}; }`; break;
        case 'and': s += ` _nl = ${ol} & ${B}; _nh = ${oh} & ${Bh};`; break;
        case 'or': s += ` _nl = ${ol} | ${B}; _nh = ${oh} | ${Bh};`; break;
        case 'xor': s += ` _nl = ${ol} ^ ${B}; _nh = ${oh} ^ ${Bh};`; break;
        default: return V.fail(`unsupported instruction '${ins.opcode}'`);
      }
      s += ` ${vw('i32')}[${i}] = _nl; ${vw('i32')}[${i} + 1] = _nh;`;
      if (d) s += ' ' + V.write64(d, ol, oh);
      return s;
    }
    const kind = t === 'f32' ? 'f32' : 'i32';
    const i = idx(off, 2);
    const v = `${vw(kind)}[${i}]`;
    const old = tmp();
    let n: string;
    switch (opName) {
      case 'add': n = t === 'f32' ? `Math.fround(${old} + ${B})` : `(${old} + ${B}) | 0`; break;
      case 'exch': n = B; break;
      case 'cas': n = `(${old} === ${B} ? ${C} : ${old})`; break;
      case 'min': n = t === 'f32' ? `M.fminF(${old}, ${B})` : signed ? `Math.min(${old}, ${B})` : `((${old} >>> 0) < (${B} >>> 0) ? ${old} : ${B})`; break;
      case 'max': n = t === 'f32' ? `M.fmaxF(${old}, ${B})` : signed ? `Math.max(${old}, ${B})` : `((${old} >>> 0) > (${B} >>> 0) ? ${old} : ${B})`; break;
      case 'inc': n = `((${old} >>> 0) >= (${B} >>> 0) ? 0 : (${old} + 1) | 0)`; break;
      case 'dec': n = `((${old} === 0 || (${old} >>> 0) > (${B} >>> 0)) ? ${B} : (${old} - 1) | 0)`; break;
      case 'and': n = `(${old} & ${B})`; break;
      case 'or': n = `(${old} | ${B})`; break;
      case 'xor': n = `(${old} ^ ${B})`; break;
      default: return V.fail(`unsupported instruction '${ins.opcode}'`);
    }
    return `const ${old} = ${v}; ${v} = ${n};${d ? ' ' + V.write(d, cls, old) : ''}`;
  };
  if (t === 'f64') {
    if (opName !== 'add' && opName !== 'exch') return V.fail(`unsupported instruction '${ins.opcode}'`);
    const fb: Body = (vw, off) => {
      const i = idx(off, 3);
      const old = tmp();
      return `const ${old} = ${vw('f64')}[${i}]; ${vw('f64')}[${i}] = ${opName === 'add' ? `${old} + ${V.read(b, 'f64')}` : V.read(b, 'f64')};${d ? ' ' + V.write(d, 'f64', old) : ''}`;
    };
    return access(ctx, ins, a, 8, true, fb);
  }
  return `{ ${pre}${access(ctx, ins, a, bits / 8, true, body)} }`;
}

/** cvta / cvta.to between generic and a specific space. */
export function emitCvta(ctx: MemCtx, ins: Instruction): string {
  const V = ctx.V;
  const toSpecific = ins.parts[1] === 'to';
  const space = toSpecific ? ins.parts[2]! : ins.parts[1]!;
  const t = ins.parts[ins.parts.length - 1]!;
  const [d, a] = [ins.operands[0]!, ins.operands[1]!];
  const tag: Record<string, number> = { global: GLOBAL_HI, shared: SHARED_HI, local: LOCAL_HI, const: CONST_HI, param: PARAM_HI };
  const hiTag = tag[space];
  if (hiTag === undefined) return V.fail(`unsupported instruction '${ins.opcode}'`);
  const n = V.num64(a), raw = V.num64Raw(a);
  if (V.isNum(d) && n !== undefined && raw !== undefined && typeBits(t) === 64) {
    if (space === 'global') return V.writeNum(d, raw.expr, false, raw.biased);
    if (toSpecific) return V.writeNum(d, `(${n} % 4294967296)`, false);
    return V.writeNum(d, `(${hiTag * 4294967296} + (${n} % 4294967296))`, false);
  }
  const [l, h] = V.read64(a);
  if (typeBits(t) === 32) return V.write(d, 'i32', l);
  if (space === 'global') return V.write64(d, l, h);
  if (toSpecific) return V.write64(d, l, '0');
  return V.write64(d, l, String(hiTag));
}

/** isspacep.space p, a: whether a generic address points into the space. */
export function emitIsspacep(ctx: MemCtx, ins: Instruction): string {
  const V = ctx.V;
  const [, h] = V.read64(ins.operands[1]!);
  const tag: Record<string, number> = { global: GLOBAL_HI, shared: SHARED_HI, local: LOCAL_HI, const: CONST_HI, param: PARAM_HI };
  const sp = ins.parts[1]!;
  const hiTag = tag[sp];
  if (hiTag === undefined) return V.fail(`unsupported instruction '${ins.opcode}'`);
  if (sp === 'global') return V.write(ins.operands[0]!, 'pred', `(${h} === ${GLOBAL_HI} || ${h} === 512)`);
  return V.write(ins.operands[0]!, 'pred', `(${h} === ${hiTag})`);
}
