/**
 * Warp-level instructions on the WebAssembly backend: shfl, vote, activemask, redux, match and
 * bar.warp.sync are "sync sites" as on the JavaScript backend (compile/compile.ts syncSite): the
 * thread stores its operands in its warp words, stops, and the launch (warp-launch.ts) runs the
 * collective operation with the JavaScript scheduler's own code (scheduler.ts warpOp) over the
 * lanes stopped at the same site, then resumes them; the resume block reads the result words.
 *
 * This file only reads the instruction: which site kind and mode it is, which operand goes into
 * which word, and where the results go. The words (per thread, after its register slots):
 * WA, WB, WC, WM (the operands, as E.wa/wb/wc/wm), RES, RESP (the results, as E.res/resp), SITE
 * (the site index the thread waits at) and WP (a shfl operand kept as the lane resumes, for lanes
 * after it that read it once it has run on: warp-emit.ts warpSiteResults).
 */
import type { Instruction, Operand } from '../ast.js';
import type { SiteKind } from '../compile/compile.js';
import { unsupported, type Cls } from './ptx-types.js';

export const WARP_WORD = { wa: 0, wb: 4, wc: 8, wm: 12, res: 16, resp: 20, site: 24, wp: 28 } as const;

/** Bytes of warp words per thread (after its register slots). */
export const WARP_WORDS_BYTES = 32;

export interface WarpSiteForm {
  kind: SiteKind;
  mode: string;
  /** Operands stored as the thread stops: word, operand (or -1 for an absent membermask) and the class it is read as. */
  stores: { word: keyof typeof WARP_WORD; from: Operand | -1; cls: Cls }[];
  /** Results written as the thread resumes: the destination, from RES or RESP, as a value or a predicate (word != 0). */
  results: { to: Operand; word: 'res' | 'resp'; pred: boolean }[];
}

const FULL = -1 as const;

/** The warp-level site form of `ins`, or undefined when it is none (bar.sync is handled as a barrier). */
export function warpSiteForm(ins: Instruction): WarpSiteForm | undefined {
  const p = ins.parts;
  const op = p[0]!;
  const o = ins.operands;
  const need = (n: number): void => {
    if (o.length < n) unsupported(`line ${ins.line}: '${ins.opcode}' operands`);
  };
  const pair = (d: Operand | undefined): { d: Operand; q?: Operand } => {
    if (!d) unsupported(`line ${ins.line}: '${ins.opcode}' operands`);
    return d.kind === 'pair' ? { d: d.first, q: d.second } : { d };
  };
  if ((op === 'bar' || op === 'barrier') && p[1] === 'warp') {
    return { kind: 'syncwarp', mode: '', stores: [{ word: 'wm', from: o[0] ?? FULL, cls: 'i32' }], results: [] };
  }
  if (op === 'shfl') {
    const mode = p.find((x) => ['up', 'down', 'bfly', 'idx'].includes(x));
    if (!mode || p[p.length - 1] !== 'b32') unsupported(`line ${ins.line}: '${ins.opcode}'`);
    need(4);
    const { d, q } = pair(o[0]);
    return {
      kind: 'shfl',
      mode,
      stores: [
        { word: 'wa', from: o[1]!, cls: 'i32' },
        { word: 'wb', from: o[2]!, cls: 'i32' },
        { word: 'wc', from: o[3]!, cls: 'i32' },
        { word: 'wm', from: o[4] ?? FULL, cls: 'i32' },
      ],
      results: [{ to: d, word: 'res', pred: false }, ...(q ? [{ to: q, word: 'resp' as const, pred: true }] : [])],
    };
  }
  if (op === 'vote') {
    const mode = p.find((x) => ['all', 'any', 'uni', 'ballot'].includes(x));
    if (!mode) unsupported(`line ${ins.line}: '${ins.opcode}'`);
    need(2);
    return {
      kind: 'vote',
      mode,
      stores: [
        { word: 'wa', from: o[1]!, cls: 'pred' },
        { word: 'wm', from: o[2] ?? FULL, cls: 'i32' },
      ],
      results: [{ to: o[0]!, word: 'res', pred: mode !== 'ballot' }],
    };
  }
  if (op === 'activemask') {
    need(1);
    return { kind: 'activemask', mode: '', stores: [], results: [{ to: o[0]!, word: 'res', pred: false }] };
  }
  if (op === 'redux') {
    const t = p[p.length - 1]!;
    if (t !== 'u32' && t !== 's32' && t !== 'b32') unsupported(`line ${ins.line}: '${ins.opcode}'`);
    need(3);
    return {
      kind: 'redux',
      mode: `${p[2]}.${t}`,
      stores: [
        { word: 'wa', from: o[1]!, cls: 'i32' },
        { word: 'wm', from: o[2]!, cls: 'i32' },
      ],
      results: [{ to: o[0]!, word: 'res', pred: false }],
    };
  }
  if (op === 'match') {
    if (p[p.length - 1] !== 'b32') unsupported(`line ${ins.line}: '${ins.opcode}' (only .b32)`);
    need(3);
    const { d, q } = pair(o[0]);
    return {
      kind: 'match',
      mode: p[1]!,
      stores: [
        { word: 'wa', from: o[1]!, cls: 'i32' },
        { word: 'wm', from: o[2]!, cls: 'i32' },
      ],
      results: [{ to: d, word: 'res', pred: false }, ...(q ? [{ to: q, word: 'resp' as const, pred: true }] : [])],
    };
  }
  return undefined;
}
