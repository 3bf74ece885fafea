/**
 * Which calls can skip the instance worker. A call's isolation is what it can observe of other
 * calls (memory, globals, tables they changed) and that it ends by its deadline.
 *
 * - An export that changes nothing — no store, no `memory.grow`, no `global.set`, no table or
 *   segment change, no call to an import, in anything it can reach — sees an instance exactly as
 *   instantiation left it, every time: one recycled instance that only such exports ever run in
 *   serves it as a fresh one would. If it also provably ends within a few thousand instructions
 *   (no loop, no recursion, no indirect call, a shallow call chain), no deadline can be reached
 *   that a worker's termination would have to enforce. Such a call runs on the calling thread
 *   from that recycled instance (engine.ts `callInline`): no thread hop, no instantiation.
 * - A module with no state at all (no imports, no memory, no mutable global, no instruction that
 *   changes a table or segment) is "state-free": its worker keeps one instance for every call.
 * Everything else runs in a worker with a fresh instance per call.
 *
 * Conservative by construction: anything the scan does not recognise (a decode error, GC
 * instructions, atomics) counts as unbounded and changing.
 */
import { decodeBody, OP, PREFIX_ATOMIC, misc, simd } from '../offload/instructions.js';
import { scanModule } from '../offload/module-scan.js';
import { isWasiCudaModule } from '../cuda/import-check.js';
import { isWasiFunction } from '../wasi/preview1-functions.js';
import type { ParsedModule } from './parse.js';

/** The longest call (in Wasm instructions executed, at most) that may run on the calling thread. */
export const INLINE_MAX_STEPS = 10_000;
/** The deepest call chain allowed there: the calling thread's stack is shared with the host. */
export const INLINE_MAX_DEPTH = 64;

export interface InlineCalls {
  /** No imports, no memory, no mutable global, no instruction that changes a table or segment. */
  stateFree: boolean;
  /** Exports that may run on the calling thread (bounded, changing nothing): name → most instructions a call executes. */
  exports: ReadonlyMap<string, number>;
  /** Why no export may run inline, in words, when that is decided for the whole module. */
  reason?: string;
}

const SECTION_START = 8;
const MAX_TABLE_ENTRIES = 65_536;

/** Instructions that change a table or a segment (table.set, table.init, elem.drop, …, data.drop). */
const TABLE_OR_SEGMENT = new Set<number>([OP.tableSet, misc(9), misc(12), misc(13), misc(14), misc(15), misc(17)]);
/** Everything else that changes instance state: global.set, stores, memory.grow, memory.init/copy/fill, v128 stores. */
const WRITES = new Set<number>([
  OP.globalSet, OP.memoryGrow, misc(8), misc(10), misc(11), simd(0x0b), simd(0x58), simd(0x59), simd(0x5a), simd(0x5b),
  0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e,
]);

interface FunctionFacts {
  /** Instructions in the body. */
  count: number;
  /** Direct callees, one entry per call site. */
  calls: number[];
  /** Has a loop, an indirect call or an instruction the bound does not cover. */
  open: boolean;
  /** Changes a table or a segment. */
  changesTables: boolean;
  /** Changes anything (tables and segments included). */
  writes: boolean;
}

/** A function's bound: most instructions a call executes, its deepest call chain (itself = 1), and whether anything it reaches writes. */
interface Bound {
  steps: number;
  height: number;
  writes: boolean;
}

const UNBOUNDED: Bound = { steps: Infinity, height: Infinity, writes: true };

/** What `parsed` allows: state-free or not, and which exports may run inline. Never throws. */
export function analyzeInlineCalls(bytes: Uint8Array, parsed: ParsedModule): InlineCalls {
  const noMutableGlobal = !parsed.globals.some((g) => g.mutable);
  const mayBeStateFree = parsed.imports.length === 0 && parsed.memories.length === 0 && noMutableGlobal;
  // The recycled instance is made on the calling thread: nothing there may loop or be huge.
  const notHere = cannotInstantiateHere(parsed);
  if (!mayBeStateFree && notHere) return { stateFree: false, exports: new Map(), reason: notHere };
  let facts: Map<number, FunctionFacts>;
  try {
    facts = scanFunctions(bytes);
  } catch (error) {
    return { stateFree: false, exports: new Map(), reason: `its code could not be scanned (${(error as Error).message})` };
  }
  const stateFree = mayBeStateFree && ![...facts.values()].some((f) => f.changesTables);
  if (notHere) return { stateFree, exports: new Map(), reason: notHere };
  const memo = new Map<number, Bound>();
  const fits = (b: Bound) => b.steps <= INLINE_MAX_STEPS && b.height <= INLINE_MAX_DEPTH;
  // A reactor's _initialize runs once when the recycled instance is made: it may write (a fresh
  // instance would have run it too) but must be bounded and call no import.
  const init = parsed.exports.find((e) => e.kind === 'func' && e.name === '_initialize');
  if (init && !fits(boundOf(init.index, facts, memo, new Set(), 1))) {
    return { stateFree, exports: new Map(), reason: 'its _initialize is not short or calls an import' };
  }
  const exports = new Map<string, number>();
  for (const exp of parsed.exports) {
    if (exp.kind !== 'func' || exp === init) continue;
    const bound = boundOf(exp.index, facts, memo, new Set(), 1);
    if (fits(bound) && !bound.writes) exports.set(exp.name, bound.steps);
  }
  return { stateFree, exports };
}

/** Why the recycled instance cannot be made on the calling thread, or undefined when it can. */
function cannotInstantiateHere(parsed: ParsedModule): string | undefined {
  if (parsed.sections.some((s) => s.id === SECTION_START)) return 'it has a start function';
  if (parsed.imports.some((i) => i.kind !== 'func')) return 'it imports a memory, table or global';
  // A worker would fail to link it: every call must go there and report that.
  const unlinked = parsed.imports.find((i) => !isWasiFunction(i.module, i.name) && !isWasiCudaModule(i.module));
  if (unlinked) return `it imports ${unlinked.module}.${unlinked.name}, which the engine does not provide`;
  if (parsed.tables.some((t) => t.initial > MAX_TABLE_ENTRIES)) return 'it has a table too large to make on the calling thread';
  return undefined;
}

function scanFunctions(bytes: Uint8Array): Map<number, FunctionFacts> {
  const scan = scanModule(bytes);
  const facts = new Map<number, FunctionFacts>();
  for (const body of scan.bodies) {
    const type = scan.types[scan.funcTypes[body.funcIndex - scan.importedFuncCount]!];
    const d = decodeBody(bytes, body.start, body.end, type?.params ?? [], scan.memory64);
    const f: FunctionFacts = { count: d.count, calls: [], open: false, changesTables: false, writes: false };
    for (let i = 0; i < d.count; i++) {
      const op = d.op[i]!;
      if (op === OP.call || op === OP.returnCall) f.calls.push(d.a[i]!);
      else if (op === OP.loop || op === OP.callIndirect || op === OP.returnCallIndirect || op === OP.callRef || op === OP.returnCallRef || op >= PREFIX_ATOMIC * 0x1000) f.open = true;
      if (TABLE_OR_SEGMENT.has(op)) f.changesTables = f.writes = true;
      else if (WRITES.has(op)) f.writes = true;
    }
    facts.set(body.funcIndex, f);
  }
  return facts;
}

/**
 * A call of `index`: its own instructions (each at most once: no loops) plus its callees' at each
 * call site, the deepest chain, and whether anything on the way writes. Unbounded when open,
 * recursive, calling an import (it has no facts) or over either limit (counting stops there, so a
 * wide call tree costs no more than the limit to measure).
 */
function boundOf(index: number, facts: Map<number, FunctionFacts>, memo: Map<number, Bound>, onPath: Set<number>, depth: number): Bound {
  const known = memo.get(index);
  if (known) return known;
  // Deeper than any bounded chain: stop here (a long chain must not exhaust this thread's stack).
  // Callers above become unbounded, which may be too cautious for one reached again higher up, never too bold.
  if (depth > INLINE_MAX_DEPTH) return UNBOUNDED;
  const f = facts.get(index);
  if (!f || f.open || onPath.has(index)) return UNBOUNDED;
  onPath.add(index);
  let steps = f.count;
  let height = 1;
  let writes = f.writes;
  for (const callee of f.calls) {
    const b = boundOf(callee, facts, memo, onPath, depth + 1);
    steps += b.steps;
    height = Math.max(height, b.height + 1);
    writes ||= b.writes;
    if (steps > INLINE_MAX_STEPS || height > INLINE_MAX_DEPTH) break;
  }
  onPath.delete(index);
  const bound = steps > INLINE_MAX_STEPS || height > INLINE_MAX_DEPTH ? UNBOUNDED : { steps, height, writes };
  memo.set(index, bound);
  return bound;
}
