/**
 * The symbolic evaluation of one loop iteration without per-instruction objects: values are rows
 * of a node table in typed arrays (reused across loops), affine forms live in a shared term pool,
 * and dependency walks use epoch stamps instead of sets. Allocating a node object, a Map per
 * affine form and a Set per dependency list was most of the analysis time (a third of it GC).
 *
 * It computes exactly what the object evaluator (`loop-analysis-reference.ts`, kept as the test
 * oracle and the fallback for malformed bodies) computes: same nodes, same affine forms with the
 * same term order, same dependency order. Objects (`Sym`, `Affine`) are built only for loops that
 * reach the plan (`toSym`, `affineObject`).
 */
import { isSimd, OP, PREFIX_SIMD, type DecodedBody } from './instructions.js';
import { opName, scalarLoadWidth, shuffleSource, scalarStoreWidth, scalarUnary, simdLoadWidth, simdShape } from './op-tables.js';
import { constSym, entrySym, globalSym, loadSym, opSym, v128ConstSym, type Affine, type Sym } from './symbolic.js';

export const K_CONST = 0;
export const K_V128CONST = 1;
export const K_ENTRY = 2;
export const K_GLOBAL = 3;
export const K_OP = 4;
export const K_LOAD = 5;

const T_I32 = 0;
const CONST_TYPES = ['i32', 'i64', 'f32', 'f64'] as const;

const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I32_MUL = 0x6c;
const I32_SHL = 0x74;

const AFF_UNKNOWN = 0;
const AFF_YES = 1;
const AFF_NO = 2;

function grownInt32(old: Int32Array, n: number): Int32Array {
  if (n <= old.length) return old;
  const next = new Int32Array(Math.max(n, old.length * 2));
  next.set(old);
  return next;
}

/**
 * One loop's evaluation state. A single instance is reused for every loop (the analyser is
 * synchronous); nothing in it may be kept after `analyzeLoop` returns.
 */
export class FlatLoop {
  /** The module's bytes (shuffle lane indices), set by `evaluate`. */
  bytes: Uint8Array = new Uint8Array(0);

  // Node table.
  n = 0;
  kind = new Uint8Array(0);
  ctype = new Uint8Array(0);
  /** const value, v128.const byte position, entry local, global index or load's access index. */
  val = new Float64Array(0);
  op = new Int32Array(0);
  imm = new Float64Array(0);
  nargs = new Uint8Array(0);
  arg0 = new Int32Array(0);
  arg1 = new Int32Array(0);
  arg2 = new Int32Array(0);
  instr = new Int32Array(0);
  affState = new Uint8Array(0);
  affC = new Float64Array(0);
  affStart = new Int32Array(0);
  affLen = new Int32Array(0);
  /** 0 unknown, 1 no load, 2 depends on a load. */
  loadDep = new Uint8Array(0);
  visit = new Int32Array(0);

  // Affine term pool.
  poolLen = 0;
  termKey = new Float64Array(256);
  termCoef = new Float64Array(256);

  // Operand stack.
  stack = new Int32Array(0);

  // Accesses in program order.
  accCount = 0;
  accKind = new Uint8Array(0); // 0 load, 1 store
  accOp = new Int32Array(0);
  accAddr = new Int32Array(0);
  accValue = new Int32Array(0); // -1: none
  accOffset = new Float64Array(0);
  accWidth = new Int32Array(0);

  // Locals (index < localCount), stamped per loop so nothing is cleared between loops.
  stamp = 0;
  curNode = new Int32Array(0);
  curStamp = new Int32Array(0);
  entryNode = new Int32Array(0);
  entryStamp = new Int32Array(0);
  written = new Int32Array(0);
  writtenCount = 0;
  ivStamp = new Int32Array(0);
  ivStep = new Float64Array(0);
  localSeen = new Int32Array(0);
  localSeenEpoch = 0;

  // Instructions marked as data (stamped by instruction index).
  dataStamp = new Int32Array(0);

  /** Scratch list filled by `collectLocals`. */
  deps: Int32Array = new Int32Array(64);
  depCount = 0;
  visitEpoch = 0;

  private ensureNodes(cap: number): void {
    if (cap <= this.kind.length) return;
    const size = Math.max(cap, this.kind.length * 2, 256);
    this.kind = new Uint8Array(size);
    this.ctype = new Uint8Array(size);
    this.val = new Float64Array(size);
    this.op = new Int32Array(size);
    this.imm = new Float64Array(size);
    this.nargs = new Uint8Array(size);
    this.arg0 = new Int32Array(size);
    this.arg1 = new Int32Array(size);
    this.arg2 = new Int32Array(size);
    this.instr = new Int32Array(size);
    this.affState = new Uint8Array(size);
    this.affC = new Float64Array(size);
    this.affStart = new Int32Array(size);
    this.affLen = new Int32Array(size);
    this.loadDep = new Uint8Array(size);
    this.visit = new Int32Array(size);
    this.stack = new Int32Array(size);
    this.accKind = new Uint8Array(size);
    this.accOp = new Int32Array(size);
    this.accAddr = new Int32Array(size);
    this.accValue = new Int32Array(size);
    this.accOffset = new Float64Array(size);
    this.accWidth = new Int32Array(size);
    this.visitEpoch = 0;
  }

  private ensureLocals(count: number): void {
    if (count <= this.curNode.length) return;
    const size = Math.max(count, this.curNode.length * 2, 64);
    this.curNode = new Int32Array(size);
    this.curStamp = new Int32Array(size);
    this.entryNode = new Int32Array(size);
    this.entryStamp = new Int32Array(size);
    this.written = new Int32Array(size);
    this.ivStamp = new Int32Array(size);
    this.ivStep = new Float64Array(size);
    this.localSeen = new Int32Array(size);
    // Stamps keep counting: fresh arrays are zero, below every stamp in use.
  }

  private node(kind: number, op: number, instr: number): number {
    const id = this.n++;
    this.kind[id] = kind;
    this.op[id] = op;
    this.instr[id] = instr;
    this.nargs[id] = 0;
    this.affState[id] = AFF_UNKNOWN;
    this.loadDep[id] = 0;
    this.visit[id] = 0;
    return id;
  }

  constNode(t: number, v: number): number {
    const id = this.node(K_CONST, 0, 0);
    this.ctype[id] = t;
    this.val[id] = v;
    return id;
  }

  private opNode(op: number, count: number, x: number, y: number, z: number, imm: number, instr: number): number {
    const id = this.node(K_OP, op, instr);
    this.nargs[id] = count;
    this.arg0[id] = x;
    this.arg1[id] = y;
    this.arg2[id] = z;
    this.imm[id] = imm;
    return id;
  }

  private loadNode(op: number, addr: number, access: number, instr: number): number {
    const id = this.node(K_LOAD, op, instr);
    this.arg0[id] = addr;
    this.val[id] = access;
    return id;
  }

  private access(kind: number, op: number, addr: number, value: number, offset: number, width: number): void {
    const k = this.accCount++;
    this.accKind[k] = kind;
    this.accOp[k] = op;
    this.accAddr[k] = addr;
    this.accValue[k] = value;
    this.accOffset[k] = offset;
    this.accWidth[k] = width;
  }

  /** Current value of a local (its entry symbol until written). */
  valueOf(local: number): number {
    if (this.curStamp[local] === this.stamp) return this.curNode[local] as number;
    if (this.entryStamp[local] === this.stamp) return this.entryNode[local] as number;
    const id = this.node(K_ENTRY, 0, 0);
    this.val[id] = local;
    this.entryStamp[local] = this.stamp;
    this.entryNode[local] = id;
    return id;
  }

  isWritten(local: number): boolean {
    return local >= 0 && local < this.curStamp.length && this.curStamp[local] === this.stamp;
  }

  isIv(local: number): boolean {
    return local >= 0 && local < this.ivStamp.length && this.ivStamp[local] === this.stamp;
  }

  setIv(local: number, step: number): void {
    this.ivStamp[local] = this.stamp;
    this.ivStep[local] = step;
  }

  /** Step of an induction variable, 0 for anything else (globals included): `ivs.get(key) ?? 0`. */
  stepOf(key: number): number {
    return this.isIv(key) ? (this.ivStep[key] as number) : 0;
  }

  isNonIv(local: number): boolean {
    return this.isWritten(local) && !this.isIv(local);
  }

  /**
   * Runs the body once (all but the latch br_if). Returns the latch condition's node, or a reason
   * string when the loop is rejected (the same reasons as the object evaluator). Local indices must
   * be below `body.localCount` (the caller checks).
   */
  evaluate(body: DecodedBody, start: number, end: number, bytes: Uint8Array): number | string {
    this.bytes = bytes;
    const instructions = end - start;
    this.ensureNodes(2 * instructions + 8);
    this.ensureLocals(body.localCount);
    if (++this.stamp > 0x3fffffff) {
      this.curStamp.fill(0);
      this.entryStamp.fill(0);
      this.ivStamp.fill(0);
      this.dataStamp.fill(0);
      this.stamp = 1;
    }
    this.n = 0;
    this.poolLen = 0;
    this.accCount = 0;
    this.writtenCount = 0;
    const stack = this.stack;
    let sp = 0;
    const ops = body.op;
    const as = body.a;
    const UNDERFLOW = 'malformed body: operand stack underflow';
    for (let i = start + 1; i < end - 1; i++) {
      const op = ops[i] as number;
      const a = as[i] as number;
      if (isSimd(op)) {
        const sub = op - PREFIX_SIMD * 0x1000;
        switch (simdShape(sub)) {
          case 'load': {
            if (sp < 1) return UNDERFLOW;
            const addr = stack[--sp] as number;
            const sym = this.loadNode(op, addr, this.accCount, i);
            this.access(0, op, addr, -1, a, simdLoadWidth(sub));
            stack[sp++] = sym;
            break;
          }
          case 'store': {
            if (sp < 2) return UNDERFLOW;
            const value = stack[--sp] as number;
            const addr = stack[--sp] as number;
            this.access(1, op, addr, value, a, 16);
            break;
          }
          case 'load-lane': {
            if (sp < 2) return UNDERFLOW;
            const v = stack[--sp] as number;
            const addr = stack[--sp] as number;
            const sym = this.loadNode(op, addr, this.accCount, i);
            this.access(0, op, addr, -1, a, 8);
            stack[sp++] = this.opNode(op, 2, v, sym, -1, body.b[i] as number, i);
            break;
          }
          case 'store-lane': {
            if (sp < 2) return UNDERFLOW;
            const value = stack[--sp] as number;
            const addr = stack[--sp] as number;
            this.access(1, op, addr, value, a, 8);
            break;
          }
          case 'const': {
            const id = this.node(K_V128CONST, 0, 0);
            this.val[id] = a;
            stack[sp++] = id;
            break;
          }
          case 'unary':
            if (sp < 1) return UNDERFLOW;
            stack[sp - 1] = this.opNode(op, 1, stack[sp - 1] as number, -1, -1, a, i);
            break;
          case 'binary': {
            if (sp < 2) return UNDERFLOW;
            let y = stack[--sp] as number;
            let x = stack[sp - 1] as number;
            if (sub === 0x0d) {
              const used = shuffleSource(this.bytes, a);
              if (used === 0) y = x;
              else if (used === 1) x = y;
            }
            stack[sp - 1] = this.opNode(op, 2, x, y, -1, a, i);
            break;
          }
          case 'ternary': {
            if (sp < 3) return UNDERFLOW;
            const z = stack[--sp] as number;
            const y = stack[--sp] as number;
            stack[sp - 1] = this.opNode(op, 3, stack[sp - 1] as number, y, z, a, i);
            break;
          }
          default:
            return `unsupported instruction in the body: ${opName(op)}`;
        }
        continue;
      }
      const loadWidth = scalarLoadWidth(op);
      if (loadWidth !== undefined) {
        if (sp < 1) return UNDERFLOW;
        const addr = stack[sp - 1] as number;
        stack[sp - 1] = this.loadNode(op, addr, this.accCount, i);
        this.access(0, op, addr, -1, a, loadWidth);
        continue;
      }
      const storeWidth = scalarStoreWidth(op);
      if (storeWidth !== undefined) {
        if (sp < 2) return UNDERFLOW;
        const value = stack[--sp] as number;
        const addr = stack[--sp] as number;
        this.access(1, op, addr, value, a, storeWidth);
        continue;
      }
      if (op >= 0x45 && op <= 0xc4) {
        if (scalarUnary(op)) {
          if (sp < 1) return UNDERFLOW;
          stack[sp - 1] = this.opNode(op, 1, stack[sp - 1] as number, -1, -1, 0, i);
        } else {
          if (sp < 2) return UNDERFLOW;
          const y = stack[--sp] as number;
          stack[sp - 1] = this.opNode(op, 2, stack[sp - 1] as number, y, -1, 0, i);
        }
        continue;
      }
      if (op >= 0xfc000 && op <= 0xfc007) {
        if (sp < 1) return UNDERFLOW;
        stack[sp - 1] = this.opNode(op, 1, stack[sp - 1] as number, -1, -1, 0, i);
        continue;
      }
      switch (op) {
        case OP.nop:
          break;
        case OP.drop:
          if (sp < 1) return UNDERFLOW;
          sp--;
          break;
        case OP.select:
        case OP.selectT: {
          if (sp < 3) return UNDERFLOW;
          const c = stack[--sp] as number;
          const y = stack[--sp] as number;
          stack[sp - 1] = this.opNode(OP.select, 3, stack[sp - 1] as number, y, c, 0, i);
          break;
        }
        case OP.localGet:
          stack[sp++] = this.valueOf(a);
          break;
        case OP.localSet:
          if (sp < 1) return UNDERFLOW;
          this.write(a, stack[--sp] as number);
          break;
        case OP.localTee:
          if (sp < 1) return UNDERFLOW;
          this.write(a, stack[sp - 1] as number);
          break;
        case OP.globalGet: {
          const id = this.node(K_GLOBAL, 0, 0);
          this.val[id] = a;
          stack[sp++] = id;
          break;
        }
        case OP.i32Const:
          stack[sp++] = this.constNode(0, a);
          break;
        case OP.i64Const:
          stack[sp++] = this.constNode(1, a);
          break;
        case OP.f32Const:
          stack[sp++] = this.constNode(2, a);
          break;
        case OP.f64Const:
          stack[sp++] = this.constNode(3, a);
          break;
        default:
          return `unsupported instruction in the body: ${opName(op)}`;
      }
    }
    if (sp < 1) return UNDERFLOW;
    const cond = stack[--sp] as number;
    if (sp > 0) return 'malformed body: values left on the stack';
    return cond;
  }

  private write(local: number, value: number): void {
    if (this.curStamp[local] !== this.stamp) {
      this.curStamp[local] = this.stamp;
      this.written[this.writtenCount++] = local;
    }
    this.curNode[local] = value;
  }

  /** The value a written local holds at the end of the iteration. */
  finalValue(local: number): number {
    return this.curNode[local] as number;
  }

  // ---- Affine forms (c + Σ coef·symbol; keys: locals ≥ 0, globals -(index+1)) ----

  private reservePool(extra: number): void {
    const need = this.poolLen + extra;
    if (need <= this.termKey.length) return;
    const size = Math.max(need, this.termKey.length * 2);
    const keys = new Float64Array(size);
    keys.set(this.termKey);
    const coefs = new Float64Array(size);
    coefs.set(this.termCoef);
    this.termKey = keys;
    this.termCoef = coefs;
  }

  /** Whether the node has an i32 affine form (computed once); read it with affC/affStart/affLen. */
  affine(id: number): boolean {
    const state = this.affState[id];
    if (state !== AFF_UNKNOWN) return state === AFF_YES;
    let ok = false;
    switch (this.kind[id]) {
      case K_CONST:
        if (this.ctype[id] === T_I32) {
          this.affC[id] = this.val[id] as number;
          this.affStart[id] = this.poolLen;
          this.affLen[id] = 0;
          ok = true;
        }
        break;
      case K_ENTRY:
      case K_GLOBAL: {
        this.reservePool(1);
        const at = this.poolLen++;
        this.termKey[at] = this.kind[id] === K_ENTRY ? (this.val[id] as number) : -((this.val[id] as number) + 1);
        this.termCoef[at] = 1;
        this.affC[id] = 0;
        this.affStart[id] = at;
        this.affLen[id] = 1;
        ok = true;
        break;
      }
      case K_OP: {
        const op = this.op[id] as number;
        if (op !== I32_ADD && op !== I32_SUB && op !== I32_MUL && op !== I32_SHL) break;
        if ((this.nargs[id] as number) < 2) break;
        const x = this.arg0[id] as number;
        const y = this.arg1[id] as number;
        if (!this.affine(x)) break;
        if (!this.affine(y)) break;
        if (op === I32_ADD) ok = this.combine(id, x, y, 1);
        else if (op === I32_SUB) ok = this.combine(id, x, y, -1);
        else if (op === I32_MUL && this.affLen[y] === 0) ok = this.scale(id, x, this.affC[y] as number);
        else if (op === I32_MUL && this.affLen[x] === 0) ok = this.scale(id, y, this.affC[x] as number);
        else if (op === I32_SHL && this.affLen[y] === 0) ok = this.scale(id, x, 2 ** ((this.affC[y] as number) & 31));
        break;
      }
      default:
        break;
    }
    // Coefficients that large mean i32 wrap-around matters: not a usable affine form.
    if (ok && Math.abs(this.affC[id] as number) > 2 ** 32) ok = false;
    if (ok) {
      const s = this.affStart[id] as number;
      const e = s + (this.affLen[id] as number);
      for (let t = s; t < e; t++) if (Math.abs(this.termCoef[t] as number) > 2 ** 31) ok = false;
    }
    this.affState[id] = ok ? AFF_YES : AFF_NO;
    return ok;
  }

  /** x + scaleY·y with the key order of a Map copied from x and updated from y. */
  private combine(id: number, x: number, y: number, scaleY: number): boolean {
    const xLen = this.affLen[x] as number;
    const yLen = this.affLen[y] as number;
    this.reservePool(xLen + yLen);
    const keys = this.termKey;
    const coefs = this.termCoef;
    const start = this.poolLen;
    let len = 0;
    const xs = this.affStart[x] as number;
    for (let t = 0; t < xLen; t++) {
      keys[start + len] = keys[xs + t] as number;
      coefs[start + len] = coefs[xs + t] as number;
      len++;
    }
    const ys = this.affStart[y] as number;
    for (let t = 0; t < yLen; t++) {
      const key = keys[ys + t] as number;
      const add = (coefs[ys + t] as number) * scaleY;
      let at = -1;
      for (let u = start; u < start + len; u++) {
        if (keys[u] === key) {
          at = u;
          break;
        }
      }
      const next = (at >= 0 ? (coefs[at] as number) : 0) + add;
      if (next === 0) {
        if (at >= 0) {
          for (let u = at; u < start + len - 1; u++) {
            keys[u] = keys[u + 1] as number;
            coefs[u] = coefs[u + 1] as number;
          }
          len--;
        }
      } else if (at >= 0) {
        coefs[at] = next;
      } else {
        keys[start + len] = key;
        coefs[start + len] = next;
        len++;
      }
    }
    this.poolLen = start + len;
    this.affC[id] = (this.affC[x] as number) + (this.affC[y] as number) * scaleY;
    this.affStart[id] = start;
    this.affLen[id] = len;
    return true;
  }

  private scale(id: number, x: number, by: number): boolean {
    if (by === 0) {
      this.affC[id] = 0;
      this.affStart[id] = this.poolLen;
      this.affLen[id] = 0;
      return true;
    }
    const xLen = this.affLen[x] as number;
    this.reservePool(xLen);
    const start = this.poolLen;
    const xs = this.affStart[x] as number;
    for (let t = 0; t < xLen; t++) {
      this.termKey[start + t] = this.termKey[xs + t] as number;
      this.termCoef[start + t] = (this.termCoef[xs + t] as number) * by;
    }
    this.poolLen = start + xLen;
    this.affC[id] = (this.affC[x] as number) * by;
    this.affStart[id] = start;
    this.affLen[id] = xLen;
    return true;
  }

  /** The affine form as the object the plan carries (only for loops that reach a plan). */
  affineObject(id: number): Affine {
    const terms = new Map<number, number>();
    const s = this.affStart[id] as number;
    for (let t = s; t < s + (this.affLen[id] as number); t++) terms.set(this.termKey[t] as number, this.termCoef[t] as number);
    return { c: this.affC[id] as number, terms };
  }

  /** Σ coef·step over the form's terms (its change per iteration). */
  strideOf(id: number): number {
    let stride = 0;
    const s = this.affStart[id] as number;
    const e = s + (this.affLen[id] as number);
    for (let t = s; t < e; t++) stride += (this.termCoef[t] as number) * this.stepOf(this.termKey[t] as number);
    return stride;
  }

  // ---- Dependencies ----

  /** Whether the value depends on a load of this iteration. */
  dependsOnLoad(id: number): boolean {
    const state = this.loadDep[id];
    if (state !== 0) return state === 2;
    let result = false;
    const kind = this.kind[id];
    if (kind === K_LOAD) result = true;
    else if (kind === K_OP) {
      const count = this.nargs[id] as number;
      // Every operand is visited (not short-circuited) so memoisation matches the reference.
      if (count > 0 && this.dependsOnLoad(this.arg0[id] as number)) result = true;
      if (count > 1 && this.dependsOnLoad(this.arg1[id] as number)) result = true;
      if (count > 2 && this.dependsOnLoad(this.arg2[id] as number)) result = true;
    }
    this.loadDep[id] = result ? 2 : 1;
    return result;
  }

  /**
   * The entry locals a value depends on, in first-occurrence order of a left-to-right walk (the
   * order the reference's set unions produce), into `deps[0..depCount)`.
   */
  collectLocals(id: number): void {
    this.depCount = 0;
    if (++this.visitEpoch > 0x3fffffff) {
      this.visit.fill(0);
      this.visitEpoch = 1;
    }
    if (++this.localSeenEpoch > 0x3fffffff) {
      this.localSeen.fill(0);
      this.localSeenEpoch = 1;
    }
    this.walkLocals(id);
  }

  private walkLocals(id: number): void {
    if (this.visit[id] === this.visitEpoch) return;
    this.visit[id] = this.visitEpoch;
    const kind = this.kind[id];
    if (kind === K_ENTRY) {
      const local = this.val[id] as number;
      if (this.localSeen[local] !== this.localSeenEpoch) {
        this.localSeen[local] = this.localSeenEpoch;
        if (this.depCount >= this.deps.length) this.deps = grownInt32(this.deps, this.depCount + 1);
        this.deps[this.depCount++] = local;
      }
    } else if (kind === K_OP) {
      const count = this.nargs[id] as number;
      if (count > 0) this.walkLocals(this.arg0[id] as number);
      if (count > 1) this.walkLocals(this.arg1[id] as number);
      if (count > 2) this.walkLocals(this.arg2[id] as number);
    } else if (kind === K_LOAD) {
      this.walkLocals(this.arg0[id] as number);
    }
  }

  /** Whether `local` is among the last `collectLocals` result. */
  collected(local: number): boolean {
    return local >= 0 && local < this.localSeen.length && this.localSeen[local] === this.localSeenEpoch;
  }

  // ---- Data vs bookkeeping ----

  beginDataMarks(instructionCount: number): void {
    if (instructionCount > this.dataStamp.length) this.dataStamp = new Int32Array(Math.max(instructionCount, this.dataStamp.length * 2));
  }

  /** Marks the instructions that compute a stored or carried value (not through addresses). */
  markData(id: number): void {
    const kind = this.kind[id];
    if (kind === K_OP) {
      const at = this.instr[id] as number;
      if (this.dataStamp[at] === this.stamp) return;
      this.dataStamp[at] = this.stamp;
      const count = this.nargs[id] as number;
      if (count > 0) this.markData(this.arg0[id] as number);
      if (count > 1) this.markData(this.arg1[id] as number);
      if (count > 2) this.markData(this.arg2[id] as number);
    } else if (kind === K_LOAD) {
      this.dataStamp[this.instr[id] as number] = this.stamp;
    }
  }

  isData(instruction: number): boolean {
    return this.dataStamp[instruction] === this.stamp;
  }

  // ---- Objects for the plan ----

  /** The node as a `Sym` tree (for the lifter), shared sub-nodes built once. */
  toSym(id: number, memo: (Sym | undefined)[]): Sym {
    const known = memo[id];
    if (known) return known;
    let sym: Sym;
    switch (this.kind[id]) {
      case K_CONST:
        sym = constSym(CONST_TYPES[this.ctype[id] as number] as 'i32', this.val[id] as number);
        break;
      case K_V128CONST:
        sym = v128ConstSym(this.val[id] as number);
        break;
      case K_ENTRY:
        sym = entrySym(this.val[id] as number);
        break;
      case K_GLOBAL:
        sym = globalSym(this.val[id] as number);
        break;
      case K_LOAD:
        sym = loadSym(this.op[id] as number, this.toSym(this.arg0[id] as number, memo), this.val[id] as number, this.instr[id] as number);
        break;
      default: {
        const count = this.nargs[id] as number;
        const args: Sym[] = [];
        if (count > 0) args.push(this.toSym(this.arg0[id] as number, memo));
        if (count > 1) args.push(this.toSym(this.arg1[id] as number, memo));
        if (count > 2) args.push(this.toSym(this.arg2[id] as number, memo));
        sym = opSym(this.op[id] as number, args, this.imm[id] as number, this.instr[id] as number);
      }
    }
    memo[id] = sym;
    return sym;
  }
}

export const sharedFlatLoop = new FlatLoop();
