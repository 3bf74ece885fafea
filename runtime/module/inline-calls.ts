/**
 * Which calls can skip the instance worker. A call's isolation is what it can observe of other
 * calls (their memory, globals, tables) and that it ends by its deadline. For a module that has
 * no state a call could change, one instance serves every call exactly as a fresh one would (the
 * module is "state-free"); for an export that provably ends within a few thousand instructions,
 * no deadline can be reached that a worker's termination would have to enforce. A call with both
 * properties runs on the calling thread from a recycled instance (engine.ts), which costs no thread
 * hop and no instantiation; everything else runs in a worker with a fresh instance, as before.
 *
 * Conservative by construction: anything the scan does not recognise (a decode error, GC
 * instructions, atomics, indirect calls, loops, recursion) makes the export unbounded.
 */
import { decodeBody, OP, PREFIX_ATOMIC, misc } from '../offload/instructions.js';
import { scanModule } from '../offload/module-scan.js';
import type { ParsedModule } from './parse.js';

/** The longest call (in Wasm instructions executed, at most) that may run on the calling thread. */
export const INLINE_MAX_STEPS = 10_000;
/** The deepest call chain allowed there: the calling thread's stack is shared with the host. */
export const INLINE_MAX_DEPTH = 64;

export interface InlineCalls {
  /** No imports, no memory, no mutable global, no table or segment a call can change. */
  stateFree: boolean;
  /** Why not, in words (for logs and tests); undefined when state-free. */
  reason?: string;
  /** Function exports that end within INLINE_MAX_STEPS instructions: name → that bound. Empty unless state-free. */
  bounded: ReadonlyMap<string, number>;
}

const SECTION_START = 8;
const MAX_TABLE_ENTRIES = 65_536;

const NONE: InlineCalls = Object.freeze({ stateFree: false, bounded: new Map<string, number>() });

/** Table and segment instructions that change instance state (table.set, table.init, elem.drop, …). */
const MUTATING = new Set<number>([OP.tableSet, misc(9), misc(12), misc(13), misc(14), misc(15), misc(17)]);

interface FunctionFacts {
  /** Instructions in the body. */
  count: number;
  /** Direct callees, one entry per call site. */
  calls: number[];
  /** Has a loop, an indirect call or an instruction the bound does not cover. */
  open: boolean;
  /** Changes a table or a segment. */
  mutates: boolean;
}

/** A function's bound: most instructions a call executes, and its deepest call chain (itself = 1). */
interface Bound {
  steps: number;
  height: number;
}

const UNBOUNDED: Bound = { steps: Infinity, height: Infinity };

/** Whether `parsed` is state-free and which of its exports are bounded. Never throws. */
export function analyzeInlineCalls(bytes: Uint8Array, parsed: ParsedModule): InlineCalls {
  if (parsed.imports.length > 0) return notFree('it has imports');
  if (parsed.memories.length > 0) return notFree('it has a memory');
  if (parsed.globals.some((g) => g.mutable)) return notFree('it has a mutable global');
  // Instantiation runs on the calling thread too: no start function (it could loop), no huge table.
  if (parsed.sections.some((s) => s.id === SECTION_START)) return notFree('it has a start function');
  if (parsed.tables.some((t) => t.initial > MAX_TABLE_ENTRIES)) return notFree('it has a table too large to make on the calling thread');
  let facts: Map<number, FunctionFacts>;
  try {
    facts = scanFunctions(bytes);
  } catch (error) {
    return notFree(`its code could not be scanned (${(error as Error).message})`);
  }
  for (const f of facts.values()) if (f.mutates) return notFree('it changes a table or segment');
  const memo = new Map<number, Bound>();
  const bounded = new Map<string, number>();
  for (const exp of parsed.exports) {
    if (exp.kind !== 'func') continue;
    const bound = boundOf(exp.index, facts, memo, new Set(), 1);
    if (bound.steps <= INLINE_MAX_STEPS && bound.height <= INLINE_MAX_DEPTH) bounded.set(exp.name, bound.steps);
  }
  return { stateFree: true, bounded };
}

function notFree(reason: string): InlineCalls {
  return { ...NONE, reason };
}

function scanFunctions(bytes: Uint8Array): Map<number, FunctionFacts> {
  const scan = scanModule(bytes);
  const facts = new Map<number, FunctionFacts>();
  for (const body of scan.bodies) {
    const type = scan.types[scan.funcTypes[body.funcIndex - scan.importedFuncCount]!];
    const d = decodeBody(bytes, body.start, body.end, type?.params ?? [], scan.memory64);
    const f: FunctionFacts = { count: d.count, calls: [], open: false, mutates: false };
    for (let i = 0; i < d.count; i++) {
      const op = d.op[i]!;
      if (op === OP.call || op === OP.returnCall) f.calls.push(d.a[i]!);
      else if (op === OP.loop || op === OP.callIndirect || op === OP.returnCallIndirect || op === OP.callRef || op === OP.returnCallRef || op >= PREFIX_ATOMIC * 0x1000) f.open = true;
      if (MUTATING.has(op)) f.mutates = true;
    }
    facts.set(body.funcIndex, f);
  }
  return facts;
}

/**
 * A call of `index`: its own instructions (each at most once: no loops) plus its callees' at each
 * call site, and the deepest chain. Unbounded when open, recursive or over either limit (counting
 * stops there, so a wide call tree costs no more than the limit to measure).
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
  for (const callee of f.calls) {
    const b = boundOf(callee, facts, memo, onPath, depth + 1);
    steps += b.steps;
    height = Math.max(height, b.height + 1);
    if (steps > INLINE_MAX_STEPS || height > INLINE_MAX_DEPTH) break;
  }
  onPath.delete(index);
  const bound = steps > INLINE_MAX_STEPS || height > INLINE_MAX_DEPTH ? UNBOUNDED : { steps, height };
  memo.set(index, bound);
  return bound;
}
