/**
 * Load-time validation: every instruction in every function must be one the CPU device runs, so
 * an unsupported instruction is reported with its line when the PTX is loaded, never mid-run.
 * (Modifier-level checks happen while compiling, which also runs at load time.)
 */
import { DeviceError } from '../../../contract/device.js';
import type { Instruction, Operand, PtxModule } from './ast.js';
import { addressOperand, arityOf } from './operand-arity.js';
import { carryFormError } from './carry.js';

export const SUPPORTED_OPCODES = new Set([
  'add', 'sub', 'addc', 'subc', 'madc', 'mul', 'mul24', 'mad', 'fma', 'div', 'rem', 'abs', 'neg', 'min', 'max', 'sqrt', 'rsqrt', 'rcp', 'ex2', 'lg2', 'sin', 'cos', 'tanh',
  'and', 'or', 'xor', 'not', 'cnot', 'shl', 'shr', 'popc', 'clz', 'brev', 'bfe', 'bfi', 'bfind', 'prmt', 'shf', 'sad', 'copysign', 'testp',
  'setp', 'set', 'selp', 'slct', 'mov', 'cvt', 'cvta', 'isspacep', 'ld', 'ldu', 'st', 'atom', 'red',
  'bra', 'call', 'ret', 'exit', 'trap', 'bar', 'barrier', 'shfl', 'vote', 'activemask', 'redux', 'match',
  'membar', 'fence', 'prefetch', 'prefetchu', 'brkpt', 'nanosleep', 'pmevent', 'griddepcontrol', 'applypriority', 'discard', 'createpolicy',
]);

export function validateModule(module: PtxModule): void {
  for (const fn of module.functions.values()) {
    for (const s of fn.body) {
      if (s.kind !== 'instr') continue;
      const base = s.parts[0]!;
      if (!SUPPORTED_OPCODES.has(base)) {
        throw new DeviceError(-4, `line ${s.line}: unsupported instruction '${s.opcode}'`);
      }
      const carry = carryFormError(s);
      if (carry) throw new DeviceError(-4, `line ${s.line}: unsupported instruction ${carry}`);
      if (base === 'shfl' && !s.parts.includes('sync')) {
        throw new DeviceError(-4, `line ${s.line}: unsupported instruction '${s.opcode}' (use shfl.sync; sm_70+ PTX has no non-sync shuffles)`);
      }
      if ((base === 'st' || base === 'atom' || base === 'red') && s.parts.includes('const')) {
        // the constant bank is read-only (the ISA has no st.const), and its bytes are shared by every launch
        throw new DeviceError(-4, `line ${s.line}: '${s.opcode}' writes the read-only .const space`);
      }
      checkOperands(s);
    }
  }
}

const isAddress = (o: Operand | undefined): boolean => o?.kind === 'addr';

/** Operand count against the form's syntax, and `[address]` exactly where the form takes one. */
function checkOperands(s: Instruction): void {
  const arity = arityOf(s);
  const n = s.operands.length;
  if (arity && (n < arity[0] || n > arity[1])) {
    const want = arity[0] === arity[1] ? `${arity[0]}` : `${arity[0]} to ${arity[1]}`;
    throw new DeviceError(-4, `line ${s.line}: '${s.opcode}' takes ${want} operand${want === '1' ? '' : 's'} but has ${n}`);
  }
  const at = addressOperand(s);
  s.operands.forEach((o, i) => {
    if (i === at && !isAddress(o)) throw new DeviceError(-4, `line ${s.line}: '${s.opcode}' expects an address [..] as operand ${i + 1}`);
    if (i !== at && isAddress(o)) throw new DeviceError(-4, `line ${s.line}: '${s.opcode}' takes no address [..] as operand ${i + 1}`);
    if (o.kind === 'pair' && i !== 0) throw new DeviceError(-4, `line ${s.line}: a p|q pair is only a destination (operand 1 of '${s.opcode}')`);
    if (o.kind === 'list' && s.parts[0] !== 'call') throw new DeviceError(-4, `line ${s.line}: '${s.opcode}' takes no (list) operand`);
  });
}
