/**
 * PTX for a promoted loop: one kernel per v128 store in the body, one thread per element (lane).
 * Thread e computes iteration k = e / lanes, lane l = e % lanes; each access reads or writes at
 * window + k·stride + l·laneBytes. Every thread checks e < n. Float ops use explicit `.rn`
 * rounding so ptxas cannot contract a mul and an add into an fma (Wasm rounds each op).
 */
import { createHash } from 'node:crypto';
import type { KernelPlan, LaneType, Lifted, LoopPlan } from './types.js';

export interface GeneratedKernel {
  entry: string;
  ptx: string;
  ptxHash: string;
  /** Access indices bound to the pointer params, in order (the store first). */
  pointerAccesses: number[];
  /** Loop param indices bound to the scalar params, in order. */
  scalarParams: number[];
  lane: LaneType;
}

export const BLOCK_SIZE = 256;

const LANE_BYTES: Record<LaneType, number> = { f32: 4, i32: 4, f64: 8, i64: 8 };
const PARAM_TYPE: Record<LaneType, string> = { f32: 'f32', i32: 'u32', f64: 'f64', i64: 'u64' };
const LOAD_TYPE: Record<LaneType, string> = { f32: 'f32', i32: 'u32', f64: 'f64', i64: 'u64' };

function immediate(lane: LaneType, value: number | bigint): string {
  const view = new DataView(new ArrayBuffer(8));
  switch (lane) {
    case 'f32':
      view.setFloat32(0, Number(value));
      return `0f${view.getUint32(0).toString(16).padStart(8, '0').toUpperCase()}`;
    case 'f64':
      view.setFloat64(0, Number(value));
      return `0d${view.getBigUint64(0).toString(16).padStart(16, '0').toUpperCase()}`;
    case 'i32':
      return String(Number(value) | 0);
    case 'i64':
      return BigInt.asIntN(64, BigInt(value)).toString();
  }
}

class Registers {
  private counts = new Map<string, number>();
  next(cls: string): string {
    const n = (this.counts.get(cls) ?? 0) + 1;
    this.counts.set(cls, n);
    return `%${cls}${n}`;
  }
  declarations(): string[] {
    const types: Record<string, string> = { p: '.pred', r: '.b32', rd: '.b64', f: '.f32', fd: '.f64' };
    return [...this.counts].map(([cls, n]) => `\t.reg ${types[cls]} %${cls}<${n + 1}>;`);
  }
}

const REG_CLASS: Record<LaneType, string> = { f32: 'f', i32: 'r', f64: 'fd', i64: 'rd' };

export function kernelEntryName(plan: LoopPlan, kernelIndex: number): string {
  return `tw_offload_${plan.loopId.replace(/[^A-Za-z0-9]/g, '_')}_s${kernelIndex}`;
}

export function generateKernel(plan: LoopPlan, kernelIndex: number, smTarget = 'sm_75'): GeneratedKernel {
  const kernel = plan.kernels[kernelIndex] as KernelPlan;
  const { lane } = kernel;
  const lanes = plan.lanesPerIteration;
  const laneBytes = LANE_BYTES[lane];
  const entry = kernelEntryName(plan, kernelIndex);
  const pointerAccesses = [kernel.store, ...kernel.loads.filter((a) => a !== kernel.store)];
  const scalarParams = [...kernel.params];
  const regs = new Registers();
  const body: string[] = [];
  const emit = (line: string): void => {
    body.push(`\t${line}`);
  };

  const paramDecls = [
    ...pointerAccesses.map((_, i) => `\t.param .u64 ptr${i}`),
    ...scalarParams.map((p, i) => `\t.param .${PARAM_TYPE[plan.params[p]?.type ?? lane]} arg${i}`),
    '\t.param .u32 n',
  ];

  const tid = regs.next('r');
  const ntid = regs.next('r');
  const ctaid = regs.next('r');
  const e = regs.next('r');
  const n = regs.next('r');
  const out = regs.next('p');
  emit(`mov.u32 ${ctaid}, %ctaid.x;`);
  emit(`mov.u32 ${ntid}, %ntid.x;`);
  emit(`mov.u32 ${tid}, %tid.x;`);
  emit(`mad.lo.u32 ${e}, ${ctaid}, ${ntid}, ${tid};`);
  emit(`ld.param.u32 ${n}, [n];`);
  emit(`setp.ge.u32 ${out}, ${e}, ${n};`);
  emit(`@${out} bra DONE;`);
  const k = regs.next('r');
  const l = regs.next('r');
  emit(`shr.u32 ${k}, ${e}, ${Math.log2(lanes)};`);
  emit(`and.b32 ${l}, ${e}, ${lanes - 1};`);
  const k64 = regs.next('rd');
  const laneOffset = regs.next('rd');
  emit(`mul.wide.u32 ${laneOffset}, ${l}, ${laneBytes};`);
  emit(`cvt.u64.u32 ${k64}, ${k};`);

  // Address of each bound access for this thread.
  const address = new Map<number, string>();
  pointerAccesses.forEach((access, i) => {
    const raw = regs.next('rd');
    const global = regs.next('rd');
    const addr = regs.next('rd');
    const stride = plan.accesses[access]?.stride ?? 0;
    emit(`ld.param.u64 ${raw}, [ptr${i}];`);
    emit(`cvta.to.global.u64 ${global}, ${raw};`);
    emit(`mad.lo.u64 ${addr}, ${k64}, ${stride}, ${global};`);
    emit(`add.u64 ${addr}, ${addr}, ${laneOffset};`);
    address.set(access, addr);
  });

  const cls = REG_CLASS[lane];
  const isFloat = lane === 'f32' || lane === 'f64';
  const bits = laneBytes * 8;
  const scalarReg = new Map<number, string>();
  scalarParams.forEach((p, i) => {
    const type = plan.params[p]?.type ?? lane;
    const reg = regs.next(REG_CLASS[type]);
    emit(`ld.param.${PARAM_TYPE[type]} ${reg}, [arg${i}];`);
    scalarReg.set(p, reg);
  });

  const gen = (x: Lifted): string => {
    switch (x.k) {
      case 'load': {
        const reg = regs.next(cls);
        emit(`ld.global.${LOAD_TYPE[lane]} ${reg}, [${address.get(x.access)}];`);
        return reg;
      }
      case 'param':
        return scalarReg.get(x.index) as string;
      case 'imm': {
        const reg = regs.next(cls);
        emit(`mov.${isFloat ? lane : `b${bits}`} ${reg}, ${immediate(lane, x.value)};`);
        return reg;
      }
      case 'op': {
        if (x.op === 'shl' || x.op === 'shr_s' || x.op === 'shr_u') {
          // Wasm shifts by the amount modulo the lane width; PTX clamps, so mask first.
          const value = gen(x.args[0] as Lifted);
          const by = x.args[1] as Lifted;
          const amount = regs.next('r');
          if (by.k === 'imm') emit(`mov.b32 ${amount}, ${Number(by.value) & (bits - 1)};`);
          else emit(`and.b32 ${amount}, ${gen(by)}, ${bits - 1};`);
          const d = regs.next(cls);
          const opText = x.op === 'shl' ? `shl.b${bits}` : x.op === 'shr_s' ? `shr.s${bits}` : `shr.u${bits}`;
          emit(`${opText} ${d}, ${value}, ${amount};`);
          return d;
        }
        const args = x.args.map(gen);
        const [a, b] = args as [string, string];
        const d = regs.next(cls);
        const t = `${bits}`;
        switch (x.op) {
          case 'add': emit(isFloat ? `add.rn.${lane} ${d}, ${a}, ${b};` : `add.s${t} ${d}, ${a}, ${b};`); break;
          case 'sub': emit(isFloat ? `sub.rn.${lane} ${d}, ${a}, ${b};` : `sub.s${t} ${d}, ${a}, ${b};`); break;
          case 'mul': emit(isFloat ? `mul.rn.${lane} ${d}, ${a}, ${b};` : `mul.lo.s${t} ${d}, ${a}, ${b};`); break;
          case 'div': emit(`div.rn.${lane} ${d}, ${a}, ${b};`); break;
          case 'sqrt': emit(`sqrt.rn.${lane} ${d}, ${a};`); break;
          case 'neg': emit(isFloat ? `neg.${lane} ${d}, ${a};` : `neg.s${t} ${d}, ${a};`); break;
          case 'abs': emit(isFloat ? `abs.${lane} ${d}, ${a};` : `abs.s${t} ${d}, ${a};`); break;
          case 'and': emit(`and.b${t} ${d}, ${a}, ${b};`); break;
          case 'or': emit(`or.b${t} ${d}, ${a}, ${b};`); break;
          case 'xor': emit(`xor.b${t} ${d}, ${a}, ${b};`); break;
          case 'not': emit(`not.b${t} ${d}, ${a};`); break;
          case 'andnot': {
            const inv = regs.next(cls);
            emit(`not.b${t} ${inv}, ${b};`);
            emit(`and.b${t} ${d}, ${a}, ${inv};`);
            break;
          }
          default:
            throw new Error(`no PTX for ${x.op}`);
        }
        return d;
      }
    }
  };
  const value = gen(kernel.expr);
  emit(`st.global.${LOAD_TYPE[lane]} [${address.get(kernel.store)}], ${value};`);

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
    ...regs.declarations(),
    '',
    ...body,
    'DONE:',
    '\tret;',
    '}',
    '',
  ].join('\n');
  return { entry, ptx, ptxHash: createHash('sha256').update(ptx).digest('hex'), pointerAccesses, scalarParams, lane };
}
