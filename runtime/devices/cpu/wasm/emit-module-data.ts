/**
 * The module's own `.global` and `.const` variables on the WebAssembly backend, addressed as the
 * JavaScript backend addresses them (compile/layout.ts, memcheck.ts):
 *
 * - a `.global` variable's address is MODVAR_HI·2^32 + its offset (mov/cvta of the symbol give
 *   those bits, so a stored pointer is the same on both backends); any global access may reach it
 *   through a pointer. The launch (wasm-launch.ts) copies the module's variables into the scratch
 *   area just below the fault record and back after the launch (faulted or not: the JavaScript
 *   backend's writes before a fault stay too), and adds one entry [2^41, 2^41 + size) to the
 *   window table, so the window cache of emit-memory.ts checks them like any window; the checked
 *   address then gets the region's base added when it is a module address (bit 41 set).
 * - a `.const` variable's address is its offset in the const space; `ld.const` is checked against
 *   the space's size and the access's alignment (memcheck.ts spaceFault reports it) and reads the
 *   copy the launch puts below the module's `.global` variables. Nothing writes it (.const is
 *   read-only: PTX has no st.const, and generic addresses are not taken by this backend).
 *
 * Scratch layout (wasm-launch.ts scratchLayout): … | module base word (16, with .global variables
 * only) | const (constBytes) | .global (modvarBytes) | fault record (32) | window table | frames;
 * both sizes are compile-time constants, so the kernel finds the const bytes at winBase − 32 −
 * modvarBytes − constBytes. The `.global` variables are where the module base word says: one
 * thread's launch points it at its own copy just below the fault record; the block pool points
 * every thread's at one copy they all share, as a GPU's blocks share a module's globals.
 */
import type { Instruction, Operand } from '../ast.js';
import { MODVAR_HI } from '../address-space.js';
import { AluEmitter } from './emit-alu.js';
import { OP } from './encoder.js';
import { CACHE_QUALIFIERS, FAULT, LOADS, unsupported, type Cls } from './ptx-types.js';

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/** Bytes of the module base word's slot, below the const bytes (only in kernels of a module with .global variables). */
export const MODVAR_BASE_WORD = 16;

/** The device address of the module variable at `offset` (the JavaScript backend's symbolAddress). */
export const modvarAddress = (offset: number): bigint => (BigInt(MODVAR_HI) << 32n) + BigInt(offset);

export abstract class ModuleDataEmitter extends AluEmitter {
  /** Bytes of the module's `.global` variables in the scratch area (0: the module has none). */
  protected modvarBytes = 0;

  /** Bytes of the module's `.const` variables in the scratch area (0: the kernel reads none). */
  protected constBytes = 0;

  /** Sets the sizes once the layout is known: every kernel of a module with `.global` variables can reach them. */
  protected planModuleData(): void {
    this.modvarBytes = this.lay.modvarSize > 0 ? align16(this.lay.modvarSize) : 0;
    // the const space's size as the JavaScript backend's memcheck sees it (the padded initial bytes)
    this.constBytes = this.lay.constInit.length;
  }

  /** Pushes winBase − 32 − modvarBytes − extra: the const bytes' base (extra constBytes) or, with extra constBytes + 16, the module base word's address. */
  private regionBase(extra: number): void {
    this.get(this.P.winBase);
    this.i32(32 + this.modvarBytes + extra);
    this.op(OP.i32_sub);
  }

  /** Pushes the module `.global` variables' base: the module base word (MODVAR_BASE_WORD below the const bytes). */
  private modvarBase(): void {
    this.regionBase(this.constBytes + MODVAR_BASE_WORD);
    this.c.byte(OP.i32_load).u32(2).u32(0);
  }

  protected override read(o: Operand | undefined, want: Cls): void {
    if (o?.kind === 'sym') {
      const sym = this.lay.symbols.get(o.name);
      if (sym?.space === 'global') {
        // mov.u64 %rd, g: the JavaScript backend's (MODVAR_HI, offset); as 32 bits, the offset
        if (want === 'i64') return this.i64(modvarAddress(sym.offset));
        if (want === 'i32') return this.i32(sym.offset);
      }
      if (sym?.space === 'const') {
        if (want === 'i64') return this.i64(BigInt(sym.offset));
        if (want === 'i32') return this.i32(sym.offset);
      }
    }
    super.read(o, want);
  }

  /**
   * A checked global address (emit-memory.ts), plus the module region's base when the address is
   * a module variable's: its bit 41 (guest windows lie in [2^40, 2^40 + 2^32), module variables
   * in [2^41, 2^41 + 2^31)) selects the base with a mask, no branch.
   */
  protected override globalAddress(base: string, offset: number, size: number, write: boolean): void {
    const sym = this.regs.has(base) ? undefined : this.lay.symbols.get(base);
    if (sym?.space === 'global') return this.modvarSymbolAddress(sym.offset + offset, size);
    super.globalAddress(base, offset, size, write);
    if (this.modvarBytes === 0) return;
    // 0 - bit 41: all ones for a module address, then the region's base through it
    this.i32(0);
    this.get(this.regs.get(base)!.local);
    if (offset !== 0) {
      this.i64(BigInt(offset));
      this.op(OP.i64_add);
    }
    this.i64(41n);
    this.op(OP.i64_shr_u);
    this.op(OP.i32_wrap_i64);
    this.i32(1);
    this.op(OP.i32_and);
    this.op(OP.i32_sub);
    this.modvarBase();
    this.op(OP.i32_and);
    this.op(OP.i32_add);
  }

  /**
   * `[g+off]` with g a module `.global` variable: the address is known here, so an access inside
   * the module's bytes, aligned, needs no check; any other would fault on every run, and such a
   * kernel is left to the JavaScript backend, whose report names it.
   */
  private modvarSymbolAddress(at: number, size: number): void {
    if (at < 0 || at + size > this.lay.modvarSize || at % size !== 0) unsupported(`line ${this.line}: a .global variable access outside its bytes or misaligned`);
    this.modvarBase();
    if (at !== 0) {
      this.i32(at);
      this.op(OP.i32_add);
    }
  }

  /** ld.const: handled here; every other load by emit-memory.ts. */
  protected override load(ins: Instruction): void {
    if (!ins.parts.includes('const')) return super.load(ins);
    const p = ins.parts;
    const type = p[p.length - 1]!;
    let vec = 1;
    for (const m of p.slice(2, -1)) {
      if (m === 'v2' || m === 'v4') vec = Number(m.slice(1));
      else if (!CACHE_QUALIFIERS.has(m)) unsupported(`line ${ins.line}: '${ins.opcode}'`);
    }
    const elem = LOADS[type];
    const o = ins.operands;
    const addr = o[1];
    if (p[1] !== 'const' || !elem || addr?.kind !== 'addr' || addr.base === undefined) unsupported(`line ${ins.line}: '${ins.opcode}'`);
    const dests = vec === 1 ? [o[0]!] : o[0]?.kind === 'vec' ? o[0].items : [];
    if (dests.length !== vec) unsupported(`line ${ins.line}: '${ins.opcode}' operands`);
    this.constAddress(addr.base, addr.offset, elem.size * vec);
    const at = this.tmp('i32', 2);
    this.set(at);
    dests.forEach((d, i) => {
      if (d.kind === 'sink') return;
      this.get(at);
      this.c.byte(elem.load).u32(0).u32(i * elem.size);
      if (elem.cls === 'i32' && d.kind === 'reg' && this.regs.get(d.name)?.cls === 'i64') {
        this.op(type.startsWith('s') ? OP.i64_extend_i32_s : OP.i64_extend_i32_u);
        this.write(d, 'i64');
        return;
      }
      this.write(d, elem.cls, elem.load === OP.i32_load8_u || elem.load === OP.i32_load16_u);
    });
  }

  /**
   * Pushes the i32 memory address of a const access of `size` bytes at [base + offset]: the
   * offset is the register's low 32 bits (unsigned) plus the immediate, as a 64-bit number so
   * that nothing wraps (the JavaScript backend's `(r >>> 0) + off`), checked 0 <= o,
   * o + size <= the const size, o aligned; a failure reports what spaceFault reports.
   */
  private constAddress(base: string, offset: number, size: number): void {
    const { L } = this;
    const limit = this.constBytes;
    const r = this.regs.get(base);
    if (!r) {
      const sym = this.lay.symbols.get(base);
      if (!sym || sym.space !== 'const') unsupported(`line ${this.line}: const address '${base}'`);
      const at = sym.offset + offset;
      if (at < 0 || at + size > limit || at % size !== 0) unsupported(`line ${this.line}: a .const access outside its bytes or misaligned`);
      this.regionBase(this.constBytes);
      if (at !== 0) {
        this.i32(at);
        this.op(OP.i32_add);
      }
      return;
    }
    if (r.cls !== 'i32' && r.cls !== 'i64') unsupported(`line ${this.line}: const address register '${base}'`);
    const o64 = L.s64;
    this.get(r.local);
    if (r.cls === 'i64') this.op(OP.i32_wrap_i64);
    this.op(OP.i64_extend_i32_u);
    if (offset !== 0) {
      this.i64(BigInt(offset));
      this.op(OP.i64_add);
    }
    this.c.byte(OP.local_tee).u32(o64);
    // o <= limit - size, unsigned (a negative o is huge), and aligned
    this.i64(BigInt(limit - size));
    this.op(OP.i64_gt_u);
    if (size > 1) {
      this.get(o64);
      this.i64(BigInt(size - 1));
      this.op(OP.i64_and);
      this.op(OP.i64_eqz);
      this.op(OP.i32_eqz);
      this.op(OP.i32_or);
    }
    if (limit < size) {
      this.op(OP.drop);
      this.i32(1);
    }
    this.open(OP.if, 'const_fault');
    this.fault(FAULT.const, () => this.get(o64), size, false);
    this.close();
    this.regionBase(this.constBytes);
    this.get(o64);
    this.op(OP.i32_wrap_i64);
    this.op(OP.i32_add);
  }
}
