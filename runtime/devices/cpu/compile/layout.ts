/**
 * Memory layout decided at compile time: kernel parameter offsets, static and dynamic shared
 * memory, the per-thread local frame (.local variables and call-site .param variables), and the
 * module's own .global/.const variables.
 */
import type { ParamDecl, PtxModule, VarDecl } from '../ast.js';
import { MODVAR_HI } from '../address-space.js';
import type { AccessSpace } from './emit-mem.js';
import type { SymbolAddress } from './values.js';
import { checkLimit, type PtxLimitName } from '../limits.js';

export interface Layout {
  params: { name: string; type: string; offset: number; sizeBytes: number; align: number }[];
  paramSize: number;
  sharedStatic: number;
  /** Byte offset where dynamic (extern) shared memory starts. */
  dynamicSharedOffset: number;
  frameSize: number;
  constSize: number;
  modvarSize: number;
  /** Initial bytes of .const variables (at most PTX_LIMITS.maxConstBytes). */
  constInit: Uint8Array;
  /**
   * The initialized parts of the module's .global variables (offset, bytes): the device makes the
   * zeroed memory once per PTX when it loads, counted against its memory budget (cpu-device.ts), so
   * the compile cache never holds a copy.
   */
  modvarParts: [number, Uint8Array][];
  symbols: Map<string, { space: AccessSpace | 'kparam'; offset: number }>;
}

const alignUp = (x: number, a: number): number => Math.ceil(x / a) * a;

export function layout(module: PtxModule, params: ParamDecl[], vars: VarDecl[]): Layout {
  const symbols = new Map<string, { space: AccessSpace | 'kparam'; offset: number }>();
  let off = 0;
  const ps = params.map((p) => {
    off = alignUp(off, Math.max(1, p.align));
    const r = { name: p.name, type: p.type, offset: off, sizeBytes: p.sizeBytes, align: p.align };
    symbols.set(p.name, { space: 'kparam', offset: off });
    off += p.sizeBytes;
    return r;
  });
  const paramSize = off;
  let shared = 0, frame = 0, cnst = 0, modvar = 0;
  const externShared: string[] = [];
  let externAlign = 16;
  const constParts: [number, Uint8Array][] = [];
  const modParts: [number, Uint8Array][] = [];
  /** Holds each space's running total to its limit as variables are placed (inlining copies a callee's per call site). */
  const within = (total: number, name: PtxLimitName, v: VarDecl): void =>
    checkLimit(total, name, v.line, (n) => `the .${v.space} variables of this kernel take ${n.toLocaleString('en-US')} bytes (with '${v.name.replace(/@\d+$/, '')}')`);
  const place = (v: VarDecl): void => {
    const a = Math.max(1, v.align);
    switch (v.space) {
      case 'shared':
        if (v.extern && v.count === 0) {
          externShared.push(v.name);
          externAlign = Math.max(externAlign, a);
          return;
        }
        shared = alignUp(shared, a);
        symbols.set(v.name, { space: 'shared', offset: shared });
        shared += v.sizeBytes;
        within(shared, 'maxSharedBytes', v);
        return;
      case 'local':
      case 'param':
        frame = alignUp(frame, a);
        symbols.set(v.name, { space: 'local', offset: frame });
        frame += Math.max(v.sizeBytes, 1);
        within(frame, 'maxLocalBytesPerThread', v);
        return;
      case 'const':
        cnst = alignUp(cnst, a);
        symbols.set(v.name, { space: 'const', offset: cnst });
        if (v.init) constParts.push([cnst, v.init]);
        cnst += v.sizeBytes;
        within(cnst, 'maxConstBytes', v);
        return;
      case 'global':
        modvar = alignUp(modvar, a);
        symbols.set(v.name, { space: 'global', offset: modvar });
        if (v.init) modParts.push([modvar, v.init]);
        modvar += Math.max(v.sizeBytes, 1);
        within(modvar, 'maxGlobalBytes', v);
        return;
      default:
        return;
    }
  };
  for (const v of module.vars) place(v);
  for (const v of vars) place(v);
  const dyn = alignUp(shared, externAlign);
  for (const name of externShared) symbols.set(name, { space: 'shared', offset: dyn });
  const fill = (size: number, parts: [number, Uint8Array][]): Uint8Array => {
    const b = new Uint8Array(alignUp(size, 16));
    for (const [o, bytes] of parts) b.set(bytes.subarray(0, b.length - o), o);
    return b;
  };
  return {
    params: ps,
    paramSize,
    sharedStatic: shared,
    dynamicSharedOffset: dyn,
    frameSize: alignUp(frame, 16),
    constSize: cnst,
    modvarSize: modvar,
    constInit: fill(cnst, constParts),
    modvarParts: modParts,
    symbols,
  };
}

export function symbolAddress(l: Layout, name: string): SymbolAddress | undefined {
  const s = l.symbols.get(name);
  if (!s) return undefined;
  if (s.space === 'global') return { lo: s.offset, hi: MODVAR_HI };
  return { lo: s.offset, hi: 0 };
}
