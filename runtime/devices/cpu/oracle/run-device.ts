/**
 * Runs instruction forms on the CPU device. One kernel per operand signature: each thread loads
 * one case (four 64-bit slots), narrows the slots to the operand registers, runs every form of
 * the kernel on them and stores each result in its own 8-byte slot. Which forms each backend
 * accepts is probed first with one single-form kernel per form, exactly as loading does
 * (parse, validate, compile to JavaScript, compile to WebAssembly).
 */
import type { KernelArg } from '../../../../contract/device.js';
import { compileKernel } from '../compile/compile.js';
import { CpuDevice } from '../cpu-device.js';
import { parsePtx } from '../parser.js';
import { validateModule } from '../validator.js';
import { compileWasmKernel } from '../wasm/compile-wasm.js';
import type { CaseSet } from './cases.js';
import type { Form, OpType } from './forms.js';

const LETTERS = ['a', 'b', 'c', 'e'] as const;

function regOf(t: OpType, l: string): string {
  switch (t) {
    case 'pred': return `%p${l}`;
    case 'b8': case 'b16': case 'f16': return `%${l}16`;
    case 'b32': case 'f16x2': return `%${l}32`;
    case 'b64': return `%s${l}`;
    case 'f32': return `%${l}f`;
    case 'f64': return `%${l}d`;
  }
}

function narrow(t: OpType, l: string): string {
  switch (t) {
    case 'pred': return `setp.ne.u64 %p${l}, %s${l}, 0;`;
    case 'b8': case 'b16': case 'f16': return `cvt.u16.u64 %${l}16, %s${l};`;
    case 'b32': case 'f16x2': return `cvt.u32.u64 %${l}32, %s${l};`;
    case 'b64': return '';
    case 'f32': return `cvt.u32.u64 %${l}32, %s${l};\n  mov.b32 %${l}f, %${l}32;`;
    case 'f64': return `mov.b64 %${l}d, %s${l};`;
  }
}

function store(t: OpType, off: number): string {
  switch (t) {
    case 'pred': return `selp.u32 %t32, 1, 0, %pd;\n  st.global.u32 [%rd6+${off}], %t32;`;
    case 'b8': return `st.global.u8 [%rd6+${off}], %d16;`;
    case 'b16': case 'f16': return `st.global.u16 [%rd6+${off}], %d16;`;
    case 'b32': case 'f16x2': return `st.global.u32 [%rd6+${off}], %d32;`;
    case 'b64': return `st.global.u64 [%rd6+${off}], %d64;`;
    case 'f32': return `st.global.f32 [%rd6+${off}], %df;`;
    case 'f64': return `st.global.f64 [%rd6+${off}], %dd;`;
  }
}

function outReg(t: OpType): string {
  return t === 'pred' ? '%pd' : t === 'b8' || t === 'b16' || t === 'f16' ? '%d16' : t === 'b32' || t === 'f16x2' ? '%d32' : t === 'b64' ? '%d64' : t === 'f32' ? '%df' : '%dd';
}

/** The instruction line(s) of one form with its operand registers filled in. */
export function formLine(f: Form): string {
  let s = f.ptx.replaceAll('{d}', outReg(f.out)).replaceAll('{p}', '%pp').replaceAll('{q}', '%pq');
  f.ins.forEach((t, i) => (s = s.replaceAll(`{${LETTERS[i]}}`, regOf(t, LETTERS[i]!))));
  return s;
}

export function kernelSource(name: string, forms: readonly Form[]): string {
  const ins = forms[0]!.ins;
  const regs = ['a', 'b', 'c', 'e', 'd', 't'];
  const body: string[] = [];
  ins.forEach((_, i) => body.push(`ld.global.u64 %s${LETTERS[i]}, [%rd4+${i * 8}];`));
  ins.forEach((t, i) => body.push(narrow(t, LETTERS[i]!)));
  body.push(`mul.wide.u32 %rd5, %r5, ${forms.length * 8};`, 'add.s64 %rd6, %rd2, %rd5;');
  forms.forEach((f, k) => body.push(`// ${f.id}`, formLine(f), store(f.out, k * 8)));
  return `.version 8.0
.target sm_90
.address_size 64
.visible .entry ${name}(.param .u64 p_in, .param .u64 p_out, .param .u32 p_n)
{
  .reg .pred %pg, %pa, %pb, %pc, %pe, %pd, %pp, %pq;
  .reg .b32 %r<6>;
  .reg .b64 %rd<7>;
  .reg .b64 ${regs.map((l) => `%s${l}`).join(', ')}, %d64;
  .reg .b32 ${regs.map((l) => `%${l}32`).join(', ')};
  .reg .b16 ${regs.map((l) => `%${l}16`).join(', ')};
  .reg .f32 ${regs.map((l) => `%${l}f`).join(', ')};
  .reg .f64 ${regs.map((l) => `%${l}d`).join(', ')};
  ld.param.u64 %rd1, [p_in];
  ld.param.u64 %rd2, [p_out];
  ld.param.u32 %r1, [p_n];
  mov.u32 %r2, %tid.x;
  mov.u32 %r3, %ctaid.x;
  mov.u32 %r4, %ntid.x;
  mad.lo.s32 %r5, %r3, %r4, %r2;
  setp.ge.u32 %pg, %r5, %r1;
  @%pg bra $L_end;
  mul.wide.u32 %rd3, %r5, 32;
  add.s64 %rd4, %rd1, %rd3;
  ${body.filter((x) => x).join('\n  ')}
$L_end:
  ret;
}
`;
}

export interface Acceptance {
  js: boolean;
  wasm: boolean;
  /** The Wasm backend runs it through the JavaScript bridge (wasm/js-bridge.ts), not native code. */
  bridged?: boolean;
  /** Why a backend refused the form (the load error, or the Wasm backend's reason). */
  reason?: string;
}

/**
 * Which backends take each form: the same steps as loading (ptx-cache.ts). The JavaScript backend
 * is asked once per operand signature (all its forms in one kernel) and form by form only when
 * that kernel is refused; the WebAssembly backend form by form (one refused form must not hide
 * the others).
 */
export function probeForms(forms: readonly Form[]): Acceptance[] {
  const out: Acceptance[] = new Array(forms.length);
  const groups = new Map<string, number[]>();
  forms.forEach((f, i) => groups.set(f.ins.join(','), [...(groups.get(f.ins.join(',')) ?? []), i]));
  for (const idx of groups.values()) {
    let groupOk = false;
    try {
      const module = parsePtx(kernelSource('probe', idx.map((i) => forms[i]!)));
      validateModule(module);
      compileKernel(module, module.functions.get('probe')!);
      groupOk = true;
    } catch {
      // some form is refused: find which, one by one
    }
    for (const i of idx) out[i] = probeOne(forms[i]!, groupOk);
  }
  return out;
}

function probeOne(f: Form, jsKnown: boolean): Acceptance {
  try {
    const module = parsePtx(kernelSource('probe', [f]));
    const fn = module.functions.get('probe')!;
    if (!jsKnown) {
      validateModule(module);
      compileKernel(module, fn);
    }
    const w = compileWasmKernel(module, fn);
    return 'kernel' in w ? { js: true, wasm: true, ...(Object.keys(w.kernel.bridges).length > 0 ? { bridged: true } : {}) } : { js: true, wasm: false, reason: w.unsupported.replace(/line \d+: /, '') };
  } catch (e) {
    return { js: false, wasm: false, reason: (e instanceof Error ? e.message : String(e)).replace(/line \d+: /, '') };
  }
}

const ptr = (offset: number, length: number): KernelArg => ({ kind: 'pointer', offset, length });
const u32 = (v: number): KernelArg => ({ kind: 'scalar', tag: 'u32', bytes: new Uint8Array(new Uint32Array([v]).buffer) });

/** Runs `forms` (one signature) over the case set on one backend; result bits per form per case. */
export function runForms(forms: readonly Form[], set: CaseSet, backend: 'js' | 'wasm', name: string): BigUint64Array[] {
  const n = set.count;
  const inOff = 256, inLen = n * 32, outOff = inOff + inLen, outLen = n * forms.length * 8;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((outOff + outLen + 256) / 65536) });
  const bytes = new Uint8Array(memory.buffer);
  bytes.set(new Uint8Array(set.slots.buffer, set.slots.byteOffset, inLen), inOff);
  const dev = new CpuDevice({ wasmKernels: backend === 'wasm' });
  try {
    const ptx = kernelSource(name, forms);
    const k = dev.loadKernel(ptx, `oracle-${name}-${forms.length}-${ptx.length}`, name);
    dev.launch({ kernel: k, grid: [Math.ceil(n / 256), 1, 1], block: [256, 1, 1], sharedMemBytes: 0, memory: bytes, wasmMemory: memory, args: [ptr(inOff, inLen), ptr(outOff, outLen), u32(n)] });
    if (dev.lastBackend !== backend) throw new Error(`kernel ${name} ran on the ${dev.lastBackend} backend, not ${backend}`);
  } finally {
    dev.dispose();
  }
  const dv = new DataView(memory.buffer);
  return forms.map((_, k) => {
    const out = new BigUint64Array(n);
    for (let i = 0; i < n; i++) out[i] = dv.getBigUint64(outOff + (i * forms.length + k) * 8, true);
    return out;
  });
}
