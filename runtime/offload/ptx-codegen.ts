/**
 * PTX for a promoted loop: one kernel per v128 store in the body, one thread per iteration.
 * Thread k reads each of its loads at window + k·stride as four 32-bit words, computes the stored
 * vector lane by lane in the lane shape of each op (`simd-ops-ptx.ts`), and writes four words.
 * Every thread checks k < n. Float ops use explicit `.rn` rounding so ptxas cannot contract a mul
 * and an add into an fma (Wasm rounds each op).
 */
import { createHash } from 'node:crypto';
import { PtxBuilder, type V128 } from './ptx-builder.js';
import { emitSimdOp } from './simd-ops-ptx.js';
import type { KernelPlan, LaneType, Lifted, LoopPlan } from './types.js';

export interface GeneratedKernel {
  entry: string;
  ptx: string;
  ptxHash: string;
  /** Access indices bound to the pointer params, in order (the store first). */
  pointerAccesses: number[];
  /** Loop param indices bound to the scalar params, in order (a 'lanes' param takes four u32 params). */
  scalarParams: number[];
  lane: LaneType;
}

export const BLOCK_SIZE = 256;

const PARAM_TYPE: Record<LaneType, string> = { f32: 'f32', i32: 'u32', f64: 'f64', i64: 'u64' };
const REG_CLASS: Record<LaneType, 'f' | 'r' | 'fd' | 'rd'> = { f32: 'f', i32: 'r', f64: 'fd', i64: 'rd' };

export function kernelEntryName(plan: LoopPlan, kernelIndex: number): string {
  return `tw_offload_${plan.loopId.replace(/[^A-Za-z0-9]/g, '_')}_s${kernelIndex}`;
}

export function generateKernel(plan: LoopPlan, kernelIndex: number, smTarget = 'sm_75'): GeneratedKernel {
  const kernel = plan.kernels[kernelIndex] as KernelPlan;
  const entry = kernelEntryName(plan, kernelIndex);
  const pointerAccesses = [kernel.store, ...kernel.loads.filter((a) => a !== kernel.store)];
  const scalarParams = [...kernel.params];
  const b = new PtxBuilder();

  const paramDecls: string[] = pointerAccesses.map((_, i) => `\t.param .u64 ptr${i}`);
  scalarParams.forEach((p, i) => {
    const source = plan.params[p];
    if (source?.k === 'lanes') for (let w = 0; w < 4; w++) paramDecls.push(`\t.param .u32 arg${i}_${w}`);
    else paramDecls.push(`\t.param .${PARAM_TYPE[source?.type ?? 'i32']} arg${i}`);
  });
  paramDecls.push('\t.param .u32 n');

  const tid = b.reg('r');
  const ntid = b.reg('r');
  const ctaid = b.reg('r');
  const k = b.reg('r');
  const n = b.reg('r');
  const out = b.reg('p');
  b.emit(`mov.u32 ${ctaid}, %ctaid.x;`);
  b.emit(`mov.u32 ${ntid}, %ntid.x;`);
  b.emit(`mov.u32 ${tid}, %tid.x;`);
  b.emit(`mad.lo.u32 ${k}, ${ctaid}, ${ntid}, ${tid};`);
  b.emit(`ld.param.u32 ${n}, [n];`);
  b.emit(`setp.ge.u32 ${out}, ${k}, ${n};`);
  b.emit(`@${out} bra DONE;`);
  const k64 = b.reg('rd');
  b.emit(`cvt.u64.u32 ${k64}, ${k};`);

  // Address of each bound access for this thread's iteration.
  const address = new Map<number, string>();
  pointerAccesses.forEach((access, i) => {
    const raw = b.reg('rd');
    const global = b.reg('rd');
    const addr = b.reg('rd');
    const stride = plan.accesses[access]?.stride ?? 0;
    b.emit(`ld.param.u64 ${raw}, [ptr${i}];`);
    b.emit(`cvta.to.global.u64 ${global}, ${raw};`);
    b.emit(`mad.lo.u64 ${addr}, ${k64}, ${stride}, ${global};`);
    address.set(access, addr);
  });

  const scalarReg = new Map<number, string | V128>();
  scalarParams.forEach((p, i) => {
    const source = plan.params[p];
    if (source?.k === 'lanes') {
      const words = [0, 1, 2, 3].map((w) => {
        const reg = b.reg('r');
        b.emit(`ld.param.u32 ${reg}, [arg${i}_${w}];`);
        return reg;
      }) as V128;
      scalarReg.set(p, words);
      return;
    }
    const type = source?.type ?? 'i32';
    const reg = b.reg(REG_CLASS[type]);
    b.emit(`ld.param.${PARAM_TYPE[type]} ${reg}, [arg${i}];`);
    scalarReg.set(p, reg);
  });

  const loaded = new Map<number, V128>();
  const vector = (x: Lifted): V128 => {
    switch (x.k) {
      case 'load': {
        const known = loaded.get(x.access);
        if (known) return known;
        const words = [0, 1, 2, 3].map((w) => {
          const reg = b.reg('r');
          b.emit(`ld.global.u32 ${reg}, [${address.get(x.access)}+${4 * w}];`);
          return reg;
        }) as V128;
        loaded.set(x.access, words);
        return words;
      }
      case 'param': {
        const value = scalarReg.get(x.index);
        if (!Array.isArray(value)) throw new Error('a scalar param used as a vector');
        return value as V128;
      }
      case 'v128':
        return [0, 1, 2, 3].map((w) => b.imm32(new DataView(Uint8Array.from(x.bytes).buffer).getInt32(4 * w, true))) as V128;
      case 'op': {
        const result = emitSimdOp(b, x, vector, scalar);
        if (typeof result === 'string') throw new Error(`${x.sub} produces a scalar where a vector is needed`);
        return result;
      }
      case 'imm':
        throw new Error('a scalar constant used as a vector');
    }
  };
  const scalar = (x: Lifted): string => {
    switch (x.k) {
      case 'param': {
        const value = scalarReg.get(x.index);
        if (typeof value !== 'string') throw new Error('a vector param used as a scalar');
        return value;
      }
      case 'imm':
        return b.immOf(x.type, x.value);
      case 'op': {
        const result = emitSimdOp(b, x, vector, scalar);
        if (typeof result !== 'string') throw new Error(`${x.sub} produces a vector where a scalar is needed`);
        return result;
      }
      default:
        throw new Error(`a ${x.k} used as a scalar`);
    }
  };

  const value = vector(kernel.expr);
  const store = address.get(kernel.store);
  value.forEach((word, w) => b.emit(`st.global.u32 [${store}+${4 * w}], ${word};`));

  const ptx = [
    '//',
    `// Generated by TensorWasm auto-offload for loop ${plan.loopId} in ${plan.function}, store ${kernelIndex}.`,
    '//',
    // sm_90 needs PTX ISA 7.8; 7.0 keeps sm_75 drivers happy.
    `.version ${Number(smTarget.replace(/\D/g, '')) >= 90 ? '7.8' : '7.0'}`,
    `.target ${smTarget}`,
    '.address_size 64',
    '',
    `.visible .entry ${entry}(`,
    paramDecls.join(',\n'),
    ')',
    '{',
    ...b.declarations(),
    '',
    ...b.lines,
    'DONE:',
    '\tret;',
    '}',
    '',
  ].join('\n');
  return { entry, ptx, ptxHash: createHash('sha256').update(ptx).digest('hex'), pointerAccesses, scalarParams, lane: kernel.lane };
}
