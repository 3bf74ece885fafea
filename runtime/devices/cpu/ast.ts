/** The parsed shape of a PTX module, as the parser produces it and the compiler consumes it. */

export type Space = 'reg' | 'param' | 'global' | 'shared' | 'local' | 'const';

export type Operand =
  | { kind: 'reg'; name: string }
  | { kind: 'int'; value: bigint }
  | { kind: 'f32'; bits: number }
  | { kind: 'f64'; value: number }
  | { kind: 'sym'; name: string }
  | { kind: 'addr'; base: string | undefined; offset: number }
  | { kind: 'vec'; items: Operand[] }
  | { kind: 'not'; name: string }
  | { kind: 'pair'; first: Operand; second: Operand }
  | { kind: 'list'; items: Operand[] }
  | { kind: 'sink' };

export interface Instruction {
  kind: 'instr';
  /** Guard predicate register and whether it is negated (`@!%p1`). */
  guard?: { name: string; negate: boolean };
  opcode: string;
  /** The opcode split on dots: `ld.global.f32` → ['ld', 'global', 'f32']. */
  parts: string[];
  operands: Operand[];
  line: number;
}

export interface LabelStmt {
  kind: 'label';
  name: string;
  line: number;
}

export type Statement = Instruction | LabelStmt;

export interface RegDecl {
  name: string;
  type: string;
}

/** A variable in a state space (.shared/.local/.global/.const/.param). */
export interface VarDecl {
  name: string;
  space: Space;
  type: string;
  align: number;
  /** Element count; 0 for `[]` (extern dynamic shared memory). */
  count: number;
  sizeBytes: number;
  extern: boolean;
  init?: Uint8Array;
  line: number;
}

export interface ParamDecl {
  name: string;
  type: string;
  sizeBytes: number;
  align: number;
}

export interface PtxFunction {
  name: string;
  isEntry: boolean;
  params: ParamDecl[];
  returns: ParamDecl[];
  regs: RegDecl[];
  /** Variables declared inside the body (.local/.shared/.param in call scopes), names made unique. */
  vars: VarDecl[];
  body: Statement[];
  /** false for a declaration without a body (`.extern .func`). */
  defined: boolean;
  line: number;
}

export interface PtxModule {
  version: string;
  target: string;
  addressSize: number;
  functions: Map<string, PtxFunction>;
  vars: VarDecl[];
}

export const TYPE_SIZES: Record<string, number> = {
  pred: 1, b8: 1, u8: 1, s8: 1, b16: 2, u16: 2, s16: 2, f16: 2, bf16: 2, f16x2: 4, bf16x2: 4,
  b32: 4, u32: 4, s32: 4, f32: 4, b64: 8, u64: 8, s64: 8, f64: 8, b128: 16,
};
