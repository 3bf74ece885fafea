/**
 * Load-time validation: every instruction in every function must be one the CPU device runs, so
 * an unsupported instruction is reported with its line when the PTX is loaded, never mid-run.
 * (Modifier-level checks happen while compiling, which also runs at load time.)
 */
import { DeviceError } from '../../../contract/device.js';
import type { PtxModule } from './ast.js';

export const SUPPORTED_OPCODES = new Set([
  'add', 'sub', 'mul', 'mul24', 'mad', 'fma', 'div', 'rem', 'abs', 'neg', 'min', 'max', 'sqrt', 'rsqrt', 'rcp', 'ex2', 'lg2', 'sin', 'cos', 'tanh',
  'and', 'or', 'xor', 'not', 'cnot', 'shl', 'shr', 'popc', 'clz', 'brev', 'bfe', 'bfi', 'bfind', 'prmt', 'shf', 'sad', 'copysign', 'testp',
  'setp', 'set', 'selp', 'slct', 'mov', 'cvt', 'cvta', 'isspacep', 'ld', 'ldu', 'st', 'atom', 'red',
  'bra', 'call', 'ret', 'exit', 'trap', 'bar', 'barrier', 'shfl', 'vote', 'activemask', 'redux', 'match',
  'membar', 'fence', 'prefetch', 'prefetchu', 'brkpt', 'nanosleep', 'pmevent', 'griddepcontrol', 'applypriority', 'discard', 'createpolicy',
]);

const UNSUPPORTED_MODIFIERS = ['cc'];

export function validateModule(module: PtxModule): void {
  for (const fn of module.functions.values()) {
    for (const s of fn.body) {
      if (s.kind !== 'instr') continue;
      const base = s.parts[0]!;
      if (!SUPPORTED_OPCODES.has(base) || s.parts.some((p) => UNSUPPORTED_MODIFIERS.includes(p)) || base === 'addc' || base === 'subc') {
        throw new DeviceError(-4, `line ${s.line}: unsupported instruction '${s.opcode}'`);
      }
      if (base === 'shfl' && !s.parts.includes('sync')) {
        throw new DeviceError(-4, `line ${s.line}: unsupported instruction '${s.opcode}' (use shfl.sync; sm_70+ PTX has no non-sync shuffles)`);
      }
    }
  }
}
