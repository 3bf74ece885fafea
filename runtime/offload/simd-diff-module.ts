/**
 * A small Wasm module builder for the SIMD differential test (`simd-differential.test.ts`): one
 * exported function per case, each a do-while loop `dst[i] = EXPR(a[i], b[i], c[i], s)` over
 * 16-byte steps, the loop shape clang emits. Written out byte by byte so the test needs no
 * assembler and shares no code with the analyser's decoder.
 */

/** Parameters of every case function: dst, a, b, c (byte addresses), n (bytes), s (a scalar). */
export const P_DST = 0;
export const P_A = 1;
export const P_B = 2;
export const P_C = 3;
export const P_N = 4;
export const P_S = 5;
const L_I = 6;

export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

export const simdOp = (sub: number, ...immediates: number[]): number[] => [0xfd, ...uleb(sub), ...immediates];
export const localGet = (local: number): number[] => [0x20, ...uleb(local)];
export const i32Const = (v: number): number[] => [0x41, ...sleb(v)];

/** v128.load of `base[i]` (align 0: Wasm allows any alignment). */
export const loadAt = (param: number): number[] => [...localGet(param), ...localGet(L_I), 0x6a, ...simdOp(0x00, 0, 0)];
export const A = loadAt(P_A);
export const B = loadAt(P_B);
export const C = loadAt(P_C);
export const S = localGet(P_S);

/** The loop body around one v128 expression. */
function caseBody(expr: number[]): number[] {
  const code = [
    0x03, 0x40, // loop (empty block type)
    ...localGet(P_DST), ...localGet(L_I), 0x6a,
    ...expr,
    ...simdOp(0x0b, 0, 0), // v128.store
    ...localGet(L_I), ...i32Const(16), 0x6a, 0x22, ...uleb(L_I), // i += 16 (local.tee)
    ...localGet(P_N), 0x49, // i32.lt_u
    0x0d, 0x00, // br_if 0
    0x0b, // end loop
    0x0b, // end function
  ];
  const locals = [0x01, 0x01, 0x7f]; // one group: 1 × i32
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...uleb(bytes.length), ...bytes];
}

/** A module exporting `memory` (4 pages) and `f0`…`f<k-1>`, one per expression. */
export function buildCaseModule(exprs: number[][]): Uint8Array {
  const type = section(1, [1, 0x60, 6, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0]);
  const funcs = section(3, [...uleb(exprs.length), ...exprs.map(() => 0x00)]);
  const memory = section(5, [1, 0x00, 4]);
  const exports = section(7, [
    ...uleb(exprs.length + 1),
    ...name('memory'), 0x02, 0,
    ...exprs.flatMap((_, i) => [...name(`f${i}`), 0x00, ...uleb(i)]),
  ]);
  const code = section(10, [...uleb(exprs.length), ...exprs.flatMap(caseBody)]);
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...funcs, ...memory, ...exports, ...code]);
}
