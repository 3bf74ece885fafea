/**
 * Flattens an entry: every `call` to a `.func` is replaced by the callee's body with its
 * registers, labels and variables renamed per call site, its formal params bound to the
 * caller's `.param` arguments, and `ret` turned into a branch to the return point. Inlining
 * keeps warp-level and barrier semantics simple (one frame per thread). Recursion is rejected.
 */
import type { Instruction, Operand, PtxFunction, PtxModule, RegDecl, Statement, VarDecl } from '../ast.js';
import { DeviceError } from '../../../../contract/device.js';
import { CC_REG, usesCarry } from '../carry.js';
import { checkLimit } from '../limits.js';

export interface FlatFunction {
  entry: PtxFunction;
  regs: RegDecl[];
  vars: VarDecl[];
  body: Statement[];
}

const MAX_INLINE_DEPTH = 16;
const MAX_FLAT_STATEMENTS = 400_000;

export function flatten(module: PtxModule, entry: PtxFunction): FlatFunction {
  const out: FlatFunction = { entry, regs: [...entry.regs], vars: [...entry.vars], body: [] };
  let counter = 0;
  const expand = (body: Statement[], stack: string[]): Statement[] => {
    const result: Statement[] = [];
    for (const s of body) {
      if (s.kind === 'instr' && (s.parts[0] === 'call')) {
        // a loop, not push(...): a spread of a callee's hundreds of thousands of statements overflows the stack
        for (const x of inlineCall(s, stack)) result.push(x);
      } else result.push(s);
      if (result.length > MAX_FLAT_STATEMENTS) throw new DeviceError(-4, `line ${s.line}: the kernel is too large after inlining device functions`);
    }
    return result;
  };
  const inlineCall = (call: Instruction, stack: string[]): Statement[] => {
    const ops = call.operands;
    let i = 0;
    let rets: Operand[] = [];
    if (ops[0]?.kind === 'list') {
      rets = ops[0].items;
      i = 1;
    }
    const target = ops[i];
    if (!target || target.kind !== 'sym') throw new DeviceError(-4, `line ${call.line}: indirect calls are not supported`);
    const args = ops[i + 1]?.kind === 'list' ? (ops[i + 1] as { items: Operand[] }).items : [];
    const callee = module.functions.get(target.name);
    if (!callee) throw new DeviceError(-4, `line ${call.line}: call to unknown function '${target.name}'`);
    if (!callee.defined) {
      throw new DeviceError(-4, `line ${call.line}: call to '${target.name}', which has no body in this PTX (external functions such as vprintf are not supported)`);
    }
    if (callee.isEntry) throw new DeviceError(-4, `line ${call.line}: cannot call the entry '${target.name}'`);
    if (stack.includes(callee.name) || stack.length >= MAX_INLINE_DEPTH) {
      throw new DeviceError(-4, `line ${call.line}: recursive call to '${callee.name}' is not supported`);
    }
    if (args.length !== callee.params.length || rets.length !== callee.returns.length) {
      throw new DeviceError(-4, `line ${call.line}: call to '${callee.name}' passes ${args.length} arguments and ${rets.length} results; it declares ${callee.params.length} and ${callee.returns.length}`);
    }
    const n = ++counter;
    const suffix = `@${n}`;
    const rename = new Map<string, string>();
    for (const r of callee.regs) rename.set(r.name, r.name + suffix);
    for (const v of callee.vars) rename.set(v.name, v.name + suffix);
    callee.params.forEach((p, k) => {
      const a = args[k]!;
      rename.set(p.name, a.kind === 'sym' || a.kind === 'reg' ? a.name : p.name + suffix);
    });
    callee.returns.forEach((p, k) => {
      const a = rets[k]!;
      rename.set(p.name, a.kind === 'sym' || a.kind === 'reg' ? a.name : p.name + suffix);
    });
    for (const s of callee.body) if (s.kind === 'label') rename.set(s.name, s.name + suffix);
    const retLabel = `$ret${suffix}`;
    for (const r of callee.regs) out.regs.push({ name: r.name + suffix, type: r.type });
    checkLimit(out.regs.length, 'maxRegisters', call.line, (k) => `${k.toLocaleString('en-US')} registers in kernel '${entry.name}' after inlining '${callee.name}'`);
    for (const v of callee.vars) out.vars.push({ ...v, name: v.name + suffix });
    const mapName = (name: string): string => rename.get(name) ?? name;
    const mapOp = (o: Operand): Operand => {
      switch (o.kind) {
        case 'reg':
        case 'sym':
        case 'not':
          return { ...o, name: mapName(o.name) };
        case 'addr':
          return { ...o, base: o.base === undefined ? undefined : mapName(o.base) };
        case 'vec':
        case 'list':
          return { ...o, items: o.items.map(mapOp) };
        case 'pair':
          return { kind: 'pair', first: mapOp(o.first), second: mapOp(o.second) };
        default:
          return o;
      }
    };
    const body: Statement[] = [];
    if (call.guard) {
      body.push({ kind: 'instr', opcode: 'bra', parts: ['bra'], operands: [{ kind: 'sym', name: retLabel }], line: call.line, guard: { name: call.guard.name, negate: !call.guard.negate } });
    }
    for (const s of callee.body) {
      if (s.kind === 'label') {
        body.push({ ...s, name: mapName(s.name) });
        continue;
      }
      if (s.parts[0] === 'ret') {
        const br: Instruction = { kind: 'instr', opcode: 'bra', parts: ['bra'], operands: [{ kind: 'sym', name: retLabel }], line: s.line };
        if (s.guard) br.guard = { name: mapName(s.guard.name), negate: s.guard.negate };
        body.push(br);
        continue;
      }
      const ins: Instruction = { ...s, operands: s.operands.map(mapOp) };
      if (s.guard) ins.guard = { name: mapName(s.guard.name), negate: s.guard.negate };
      body.push(ins);
    }
    body.push({ kind: 'label', name: retLabel, line: call.line });
    return expand(body, [...stack, callee.name]);
  };
  out.body = expand(entry.body, [entry.name]);
  // the carry flag (carry.ts) is a register of its own
  if (usesCarry(out.body)) out.regs.push({ name: CC_REG, type: 'b32' });
  return out;
}
