/**
 * Memory accesses for the WebAssembly backend: kernel parameters, .global (checked against the
 * launch's pointer windows through a per-site cache) and .shared (checked against the launch's
 * shared size, placed in the scratch area), and .local frames; atomics are emit-atomics.ts.
 */
import type { Instruction, Operand } from '../ast.js';
import { exact, type Range } from './ranges.js';
import { Bytes, OP, type FuncSpec } from './encoder.js';
import { CACHE_QUALIFIERS, FAULT, FAULT_RECORD, LOADS, REINTERPRET, bits, classOf, unsupported, valType } from './ptx-types.js';
import { WasmEmitter } from './emitter.js';

/** The fault function's index among the module's defined functions (after run and reset, compile-wasm.ts). */
export const FAULT_FUNC_AT = 2;

/**
 * The module's fault function: (record, address, size, thread, line, write, block, kind) written
 * to the fault record at `record`, then a trap.
 */
export function faultFunction(): FuncSpec {
  const c = new Bytes();
  const fields: [number, number][] = [
    [FAULT_RECORD.size, 2], [FAULT_RECORD.thread, 3], [FAULT_RECORD.line, 4], [FAULT_RECORD.write, 5], [FAULT_RECORD.block, 6], [FAULT_RECORD.kind, 7],
  ];
  c.byte(OP.local_get).u32(0).byte(OP.local_get).u32(1).byte(OP.i64_store).u32(3).u32(FAULT_RECORD.address);
  for (const [offset, param] of fields) c.byte(OP.local_get).u32(0).byte(OP.local_get).u32(param).byte(OP.i32_store).u32(2).u32(offset);
  c.byte(OP.unreachable);
  return { type: { params: ['i32', 'i64', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], results: [] }, locals: [], body: c };
}

export abstract class MemoryEmitter extends WasmEmitter {
  /** Space, vector width and element type of an ld/st; only .param (kernel parameters) and .global. */
  protected access(ins: Instruction): { space: 'param' | 'global' | 'shared' | 'local'; vec: number; type: string } {
    const p = ins.parts;
    const type = p[p.length - 1]!;
    let space: 'param' | 'global' | 'shared' | 'local' | undefined;
    let vec = 1;
    for (const m of p.slice(1, -1)) {
      if (m === 'param' || m === 'global' || m === 'shared' || m === 'local') space = m;
      else if (m === 'v2' || m === 'v4') vec = Number(m.slice(1));
      else if (!CACHE_QUALIFIERS.has(m)) unsupported(`line ${ins.line}: '${ins.opcode}'`);
    }
    if (!space) unsupported(`line ${ins.line}: '${ins.opcode}' (only .global, .shared, .local and .param accesses)`);
    // a call site's .param variable (after inlining) is in the thread's local frame, as in the JavaScript backend
    const addr = ins.operands[p[0] === 'st' ? 0 : 1];
    if (space === 'param' && addr?.kind === 'addr' && addr.base !== undefined && this.lay.symbols.get(addr.base)?.space === 'local') space = 'local';
    return { space, vec, type };
  }

  protected load(ins: Instruction): void {
    const { space, vec, type } = this.access(ins);
    const o = ins.operands;
    const addr = o[1];
    if (addr?.kind !== 'addr' || addr.base === undefined) unsupported(`line ${ins.line}: address form`);
    if (space === 'param') {
      const param = this.params.find((x) => x.name === addr.base);
      const cls = classOf(type);
      if (!param || vec !== 1 || addr.offset !== 0 || !cls || cls === 'pred' || bits(type) / 8 !== param.size) unsupported(`line ${ins.line}: '${ins.opcode}'`);
      this.get(param.local);
      const d = this.reg(o[0]);
      if (valType(d.cls) !== param.type) {
        const code = REINTERPRET[`${param.type}>${valType(d.cls)}`];
        if (code === undefined || d.cls === 'pred') unsupported(`line ${ins.line}: '${ins.opcode}'`);
        this.op(code);
      }
      this.set(d.local);
      return;
    }
    const elem = LOADS[type];
    if (!elem) unsupported(`line ${ins.line}: '${ins.opcode}'`);
    const dests = vec === 1 ? [o[0]!] : o[0]?.kind === 'vec' ? o[0].items : [];
    if (dests.length !== vec) unsupported(`line ${ins.line}: '${ins.opcode}' operands`);
    this.accessIns = ins;
    this.memAddress(space, addr, elem.size * vec, false);
    this.accessIns = undefined;
    const base = this.tmp('i32', 2);
    this.set(base);
    dests.forEach((d, i) => {
      if (d.kind === 'sink') return;
      this.get(base);
      this.c.byte(elem.load).u32(0).u32(i * elem.size);
      if (elem.cls === 'i32' && d.kind === 'reg' && this.regs.get(d.name)?.cls === 'i64') {
        // into a 64-bit register: extended by the type's signedness
        this.op(type.startsWith('s') ? OP.i64_extend_i32_s : OP.i64_extend_i32_u);
        this.write(d, 'i64');
        return;
      }
      this.write(d, elem.cls, elem.load === OP.i32_load8_u || elem.load === OP.i32_load16_u);
    });
  }

  protected store(ins: Instruction): void {
    const { space, vec, type } = this.access(ins);
    const o = ins.operands;
    const addr = o[0];
    if (space === 'param' || addr?.kind !== 'addr' || addr.base === undefined) unsupported(`line ${ins.line}: '${ins.opcode}'`);
    const elem = LOADS[type];
    if (!elem) unsupported(`line ${ins.line}: '${ins.opcode}'`);
    const srcs = vec === 1 ? [o[1]!] : o[1]?.kind === 'vec' ? o[1].items : [];
    if (srcs.length !== vec) unsupported(`line ${ins.line}: '${ins.opcode}' operands`);
    this.accessIns = ins;
    this.memAddress(space, addr, elem.size * vec, true);
    this.accessIns = undefined;
    const base = this.tmp('i32', 2);
    this.set(base);
    srcs.forEach((s, i) => {
      this.get(base);
      this.read(s, elem.cls);
      this.c.byte(elem.store).u32(0).u32(i * elem.size);
    });
  }

  /** Pushes the checked i32 guest-memory address of a .global, .shared or .local access. */
  protected memAddress(space: 'global' | 'shared' | 'local', addr: { base: string | undefined; offset: number }, size: number, write: boolean): void {
    if (addr.base === undefined) unsupported(`line ${this.line}: absolute address`);
    if (space === 'global') return this.globalAddress(addr.base, addr.offset, size, write);
    if (space === 'local') return this.localAddress(addr.base, addr.offset, size, write);
    this.sharedAddress(addr.base, addr.offset, size, write);
  }

  /**
   * A .local access (or a call site's .param variable): the address is an offset in the thread's
   * frame (a register's low 32 bits, or a local variable), checked against the frame's size and
   * the access's alignment as the JavaScript backend does (a fault reports what spaceFault
   * reports), then placed in the thread's frame: after the window table, frameSize bytes per
   * thread of the block (wasm-launch.ts zeroes them once per launch, as the JavaScript backend's
   * local memory is).
   */
  protected localAddress(base: string, offset: number, size: number, write: boolean): void {
    const { L, P } = this;
    this.usesLocal = true;
    const frame = this.lay.frameSize;
    const r = this.regs.get(base);
    if (r && (r.cls === 'i32' || r.cls === 'i64')) {
      this.get(r.local);
      if (r.cls === 'i64') this.op(OP.i32_wrap_i64);
    } else {
      const sym = this.lay.symbols.get(base);
      if (r || !sym || sym.space !== 'local') unsupported(`line ${this.line}: local address '${base}'`);
      this.i32(sym.offset);
    }
    if (offset !== 0) {
      this.i32(offset);
      this.op(OP.i32_add);
    }
    // in bounds and aligned: rotr(o, log2 size) < frame / size (the frame is a multiple of 16)
    this.c.byte(OP.local_tee).u32(L.aa);
    const shift = Math.log2(size);
    if (shift > 0) {
      this.i32(shift);
      this.op(OP.i32_rotr);
    }
    this.i32(frame >>> shift);
    this.op(OP.i32_lt_u);
    this.op(OP.i32_eqz);
    this.open(OP.if, 'local_fault');
    this.fault(FAULT.local, () => {
      this.get(L.aa);
      this.op(OP.i64_extend_i32_s);
    }, size, write);
    this.close();
    // winBase + 16 nwin + t * frame + o
    this.get(P.winBase);
    this.get(P.nwin);
    this.i32(4);
    this.op(OP.i32_shl);
    this.op(OP.i32_add);
    this.get(L.t);
    this.i32(frame);
    this.op(OP.i32_mul);
    this.op(OP.i32_add);
    this.get(L.aa);
    this.op(OP.i32_add);
  }

  /**
   * A .shared access: the address is an offset in the block's shared space (a register's low 32
   * bits, or a shared variable), checked against the launch's shared size and alignment as the
   * JavaScript backend does, then placed in the launch's scratch area (wasm-launch.ts).
   */
  protected sharedAddress(base: string, offset: number, size: number, write: boolean): void {
    const { L, P } = this;
    this.usesShared = true;
    const r = this.regs.get(base);
    if (r && (r.cls === 'i32' || r.cls === 'i64')) {
      this.get(r.local);
      if (r.cls === 'i64') this.op(OP.i32_wrap_i64);
    } else {
      const sym = this.lay.symbols.get(base);
      if (r || !sym || sym.space !== 'shared') unsupported(`line ${this.line}: shared address '${base}'`);
      this.i32(sym.offset);
    }
    if (offset !== 0) {
      this.i32(offset);
      this.op(OP.i32_add);
    }
    // an address known to lie inside the static shared variables, aligned, needs no check (the
    // launch's shared size is never below them)
    const known = r ? this.ranges.get(base) : this.rangeOperand({ kind: 'sym', name: base });
    const inside = known && known.lo + offset >= 0 && known.hi + offset + size <= this.lay.sharedStatic && known.align % size === 0 && offset % size === 0;
    // or it repeats an unguarded shared access checked earlier in this block (base unchanged)
    const key = `shared:${offset}:${size}`;
    const repeated = this.proven.get(base)?.has(key) === true;
    if (!this.guarded) {
      const keys = this.proven.get(base) ?? new Set<string>();
      keys.add(`${offset}:${size}`);
      if (write) keys.add(key);
      this.proven.set(base, keys);
    }
    if (inside || repeated) {
      this.set(L.aa);
      this.get(P.sh);
      this.get(L.aa);
      this.op(OP.i32_add);
      return;
    }
    if (!this.blockChecked) this.sharedChecks++; // counted in one copy of the thread loop (compile-wasm.ts blockCheckedLoops)
    this.sharedCheckCode++; // every copy (lockstep-emit.ts)
    this.c.byte(OP.local_tee).u32(L.aa);
    const shift = Math.log2(size);
    if (shift > 0) {
      this.i32(shift);
      this.op(OP.i32_rotr);
    }
    this.get(P.shSize);
    if (shift > 0) {
      this.i32(shift);
      this.op(OP.i32_shr_u);
    }
    this.op(OP.i32_lt_u);
    this.op(OP.i32_eqz);
    this.open(OP.if, 'shared_fault');
    this.fault(FAULT.shared, () => {
      this.get(L.aa);
      this.op(OP.i64_extend_i32_s);
    }, size, write);
    this.close();
    this.get(P.sh);
    this.get(L.aa);
    this.op(OP.i32_add);
  }

  /** atom/red: emit-atomics.ts (WebAssembly threads atomics, so the block pool keeps them atomic). */
  protected abstract atomic(ins: Instruction): void;

  /**
   * Pushes the i32 guest offset of a checked global access of `size` bytes at [base + offset].
   * Each site caches one window as (start, limit): `start` its first size-aligned device address,
   * `limit` how many aligned elements it holds. One test then proves both bounds and alignment:
   * rotr(address - start, log2 size) < limit (a misaligned difference rotates into the high bits).
   * Locals start at 0, so limit 0 misses until the first access asks memcheck (gfind), which
   * throws the launch fault or names the window, and the cache is refilled from it.
   */
  protected globalAddress(base: string, offset: number, size: number, write: boolean): void {
    const r = this.regs.get(base);
    if (!r || r.cls !== 'i64') unsupported(`line ${this.line}: address register '${base}' is not 64-bit`);
    const { L, P } = this;
    // a write reuses only a write's proof: that check marked its window written (markWritten), a read's did not
    const key = `${offset}:${size}${write ? ':w' : ''}`;
    if (this.proven.get(base)?.has(key) || (this.accessIns !== undefined && this.blockChecked?.has(this.accessIns))) {
      // the same access passed its check earlier in this block (windows do not tell reads from
      // writes), or every thread's access at this site was checked for the whole block (block-checks.ts)
      this.get(r.local);
      if (offset !== 0) {
        this.i64(BigInt(offset));
        this.op(OP.i64_add);
      }
      this.op(OP.i32_wrap_i64);
      return;
    }
    if (!this.guarded) {
      const keys = this.proven.get(base) ?? new Set<string>();
      keys.add(`${offset}:${size}`);
      if (write) keys.add(key);
      this.proven.set(base, keys);
    }
    const site = this.sites++;
    const start = this.windowGlobals + 2 * site, limit = start + 1;
    const shift = Math.log2(size);
    this.get(r.local);
    if (offset !== 0) {
      this.i64(BigInt(offset));
      this.op(OP.i64_add);
    }
    this.c.byte(OP.local_tee).u32(L.a);
    this.c.byte(OP.global_get).u32(start);
    this.op(OP.i64_sub);
    if (shift > 0) {
      this.i64(BigInt(shift));
      this.op(OP.i64_rotr);
    }
    this.c.byte(OP.global_get).u32(limit);
    this.op(OP.i64_lt_u);
    this.op(OP.i32_eqz);
    // A miss scans the launch's windows right here (a call would make V8 spill around it; only the
    // fault path calls out, after which nothing is live):
    // the window holding the whole access, aligned, refills the cache; none is a fault.
    this.open(OP.if, 'miss');
    this.i32(0);
    this.set(L.idx);
    this.open(OP.block, 'found');
    this.open(OP.loop, 'scan');
    this.get(L.idx);
    this.get(P.nwin);
    this.op(OP.i32_ge_u);
    this.open(OP.if, 'none');
    this.fault(FAULT.global, () => this.get(L.a), size, write);
    this.close();
    this.get(P.winBase);
    this.get(L.idx);
    this.i32(4);
    this.op(OP.i32_shl);
    this.op(OP.i32_add);
    this.set(L.w);
    // start <= a < end, a + size <= end, a aligned
    this.get(L.a);
    this.get(L.w);
    this.c.byte(OP.i64_load).u32(3).u32(0);
    this.op(OP.i64_sub);
    this.get(L.w);
    this.c.byte(OP.i64_load).u32(3).u32(8);
    this.get(L.w);
    this.c.byte(OP.i64_load).u32(3).u32(0);
    this.op(OP.i64_sub);
    this.op(OP.i64_lt_u);
    this.get(L.a);
    this.i64(BigInt(size));
    this.op(OP.i64_add);
    this.get(L.w);
    this.c.byte(OP.i64_load).u32(3).u32(8);
    this.op(OP.i64_le_u);
    this.op(OP.i32_and);
    if (size > 1) {
      this.get(L.a);
      this.i64(BigInt(size - 1));
      this.op(OP.i64_and);
      this.op(OP.i64_eqz);
      this.op(OP.i32_and);
    }
    this.br('found', true);
    this.inc(L.idx);
    this.br('scan');
    this.close();
    this.close();
    // a write site's hits land in the window its miss found: marking it here marks every write through the cache
    if (write) this.markWritten(L.idx);
    // cache: the window's first size-aligned address, and how many elements fit from there
    this.get(L.w);
    this.c.byte(OP.i64_load).u32(3).u32(0);
    this.i64(BigInt(size - 1));
    this.op(OP.i64_add);
    this.i64(BigInt(-size));
    this.op(OP.i64_and);
    this.c.byte(OP.local_tee).u32(L.s64);
    this.c.byte(OP.global_set).u32(start);
    this.get(L.w);
    this.c.byte(OP.i64_load).u32(3).u32(8);
    this.get(L.s64);
    this.op(OP.i64_sub);
    this.set(L.s64);
    // select(0, (end - start) >> shift, end < start): no elements when the window is too small
    this.i64(0n);
    this.get(L.s64);
    if (shift > 0) {
      this.i64(BigInt(shift));
      this.op(OP.i64_shr_s);
    }
    this.get(L.s64);
    this.i64(0n);
    this.op(OP.i64_lt_s);
    this.op(OP.select);
    this.c.byte(OP.global_set).u32(limit);
    this.close();
    // a window lies in guest memory (device addresses 2^40 + [0, 2^32)): the low word is the offset
    this.get(L.a);
    this.op(OP.i32_wrap_i64);
  }

  /**
   * Marks window `idx` (an i32 local) written in the instance's written-windows mask (one i64
   * global, bit min(idx, 63): windows 63 and up share the top bit): the block pool copies back
   * only the windows some thread's mask names (pool/pool-launch.ts). Every check that admits a
   * store, atom or red into a window calls it — this cache miss, and the once-per-block and
   * once-per-loop checks (compile-wasm.ts oneWindow) — before the access runs, so a trap after it
   * leaves its window marked.
   */
  protected markWritten(idx: number): void {
    this.c.byte(OP.global_get).u32(this.writtenGlobal);
    this.i64(1n);
    this.get(idx);
    this.i32(63);
    this.get(idx);
    this.i32(63);
    this.op(OP.i32_lt_u);
    this.op(OP.select);
    this.op(OP.i64_extend_i32_u);
    this.op(OP.i64_shl);
    this.op(OP.i64_or);
    this.c.byte(OP.global_set).u32(this.writtenGlobal);
  }

  /** The index of the written-windows mask global (markWritten). */
  protected writtenGlobal = 0;

  /**
   * A memcheck fault: calls the module's fault function (faultFunction), which writes the fault
   * record (before the window table) and traps; the launch (wasm-launch.ts) turns the record into
   * the same report the JavaScript backend gives. Out of line because a call inside a loop keeps
   * V8 from unrolling it: the window scan, unrolled in every site, made the thread loop spill.
   */
  protected fault(kind: number, pushAddress: () => void, size: number, write: boolean): void {
    const { L, P } = this;
    this.get(P.winBase);
    this.i32(32);
    this.op(OP.i32_sub);
    pushAddress();
    this.i32(size);
    this.get(L.t);
    this.i32(this.line);
    this.i32(write ? 1 : 0);
    this.get(L.b);
    this.i32(kind);
    // its index follows the imports, whose number (with the bridges, js-bridge.ts) is known only at the end
    this.c.byte(OP.call);
    this.faultCalls.push(this.c.u32Slot());
    this.op(OP.unreachable);
  }

  /** Where the fault function's index goes (patched once the imports are known: compile-wasm.ts). */
  protected readonly faultCalls: number[] = [];

  /** Shared accesses compiled with a bounds check (the others: inside the static shared variables, or a repeat). */
  protected sharedChecks = 0;

  /** Shared checks emitted in all copies (lockstep-emit.ts: a lock-step loop must have none). */
  protected sharedCheckCode = 0;

  /** Global access sites, each with a cached window in two globals (start, limit). */
  protected sites = 0;

  /**
   * Global and shared accesses (offset:size per base register or shared variable) checked earlier
   * in the current block, by an unguarded instruction, with the base register unchanged since: the
   * same access again is in a window (in the shared size) and aligned, so it needs no check.
   * Cleared at each block's start.
   */
  protected readonly proven = new Map<string, Set<string>>();

  /** The ld/st whose address is being emitted. */
  private accessIns: Instruction | undefined;

  /** While the block-checked copy of the thread loop is emitted: its sites, which need no check per thread (block-checks.ts). */
  protected blockChecked: Set<Instruction> | undefined;

  /** Whether the instruction being emitted is guarded (its checks prove nothing for later ones). */
  protected guarded = false;

  /**
   * Value ranges of 32-bit registers defined earlier in the current block (ranges.ts). Cleared
   * with `proven`, forgotten as a register is written again.
   */
  private readonly ranges = new Map<string, Range>();

  protected forgetProven(register: string): void {
    this.proven.delete(register);
    this.ranges.delete(register);
  }

  /** Forgets everything proven: a block is entered from elsewhere. */
  protected forgetAll(): void {
    this.proven.clear();
    this.ranges.clear();
  }

  protected noteRange(register: string, range: Range): void {
    const r = this.regs.get(register);
    if (r && (r.cls === 'i32' || r.cls === 'i16')) this.ranges.set(register, range);
  }

  /** An operand's range: an immediate, a shared variable's address or a register with a known range. */
  protected rangeOperand(o: Operand): Range | undefined {
    if (o.kind === 'int') return o.value >= 0n && o.value < 2n ** 31n ? exact(Number(o.value)) : undefined;
    if (o.kind === 'sym') {
      const sym = this.lay.symbols.get(o.name);
      return sym?.space === 'shared' ? exact(sym.offset) : undefined;
    }
    return o.kind === 'reg' ? this.ranges.get(o.name) : undefined;
  }

  /** The index of the first window-cache global (the globals before it carry uniform registers). */
  protected windowGlobals = 0;
}
