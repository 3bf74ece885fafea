/**
 * Rewrites a module so each promoted loop is entered through a guard (binaryen):
 *
 *   loop $guard                       ;; fresh name, never branched to: runs once
 *     if (i32.eqz (local.tee $t (call $tensorwasm:offload.<loopId> L0 R0 bases… params…)))
 *       loop $original …original body… end      ;; the CPU fallback, unchanged
 *       [call $tensorwasm:offload.verify_done (loop index)]   ;; verification mode only
 *     else
 *       derived locals := their value after $t iterations; induction variables += $t·step
 *
 * The host import returns the number of iterations it ran on the device, or 0 to fall back.
 * Loops are found in binaryen's IR by their pre-order ordinal in the function, which is the order
 * of `loop` opcodes in the binary; a function whose loop count does not match the analyser's is
 * left alone (and reported as such).
 */
import type { Affine } from './symbolic.js';
import type { LaneType, LoopPlan } from './types.js';

export const OFFLOAD_IMPORT_MODULE = 'tensorwasm:offload';
export const VERIFY_IMPORT = 'verify_done';

// binaryen is 14 MB of JavaScript: load it only when a module has promoted loops.
type Binaryen = typeof import('binaryen').default;
type BModule = InstanceType<Binaryen['Module']>;
let binaryenPromise: Promise<Binaryen> | undefined;
export function loadBinaryen(): Promise<Binaryen> {
  binaryenPromise ??= import('binaryen').then((m) => m.default);
  return binaryenPromise;
}

export interface RewriteResult {
  bytes: Uint8Array;
  /** Plans actually wired, in import order (their index is the verify_done argument). */
  wired: LoopPlan[];
  /** Plans that could not be wired, with why. */
  skipped: { plan: LoopPlan; reason: string }[];
}

export function importNameFor(plan: LoopPlan): string {
  return `loop_${plan.loopId}`;
}

/** Binaryen's child expressions in binary (evaluation) order, for the ids loops can sit under. */
function childrenOf(b: Binaryen, expr: number): number[] {
  let info: Record<string, unknown> & { id: number };
  try {
    info = b.getExpressionInfo(expr) as unknown as Record<string, unknown> & { id: number };
  } catch {
    // binaryen.js cannot describe some expressions (it throws on them): treat them as leaves. A
    // loop hidden below one makes binaryen's loop count differ from the analyser's, and that
    // function's loops are then skipped with that reason; other functions are still wired.
    return [];
  }
  const refs = (...names: string[]): number[] => names.map((n) => info[n]).filter((v): v is number => typeof v === 'number' && v !== 0);
  const list = (name: string): number[] => ((info[name] as number[] | undefined) ?? []).filter((v) => v !== 0);
  switch (info.id) {
    case b.BlockId: return list('children');
    case b.IfId: return refs('condition', 'ifTrue', 'ifFalse');
    case b.LoopId: return refs('body');
    case b.BreakId: return refs('value', 'condition');
    case b.SwitchId: return refs('value', 'condition');
    case b.CallId: return list('operands');
    case b.CallIndirectId: return [...list('operands'), ...refs('target')];
    case b.LocalSetId: case b.GlobalSetId: case b.DropId: case b.ReturnId: case b.UnaryId: return refs('value');
    case b.LoadId: case b.SIMDLoadId: return refs('ptr');
    case b.StoreId: return refs('ptr', 'value');
    case b.BinaryId: return refs('left', 'right');
    case b.SelectId: return refs('ifTrue', 'ifFalse', 'condition');
    case b.MemoryGrowId: return refs('delta');
    case b.SIMDExtractId: return refs('vec');
    case b.SIMDReplaceId: return refs('vec', 'value');
    case b.SIMDShuffleId: return refs('left', 'right');
    case b.SIMDTernaryId: return refs('a', 'b', 'c');
    case b.SIMDShiftId: return refs('vec', 'shift');
    case b.SIMDLoadStoreLaneId: return refs('ptr', 'vec');
    case b.MemoryCopyId: return refs('dest', 'source', 'size');
    case b.MemoryFillId: return refs('dest', 'value', 'size');
    case b.TryId: return [...refs('body'), ...list('catchBodies')];
    case b.ThrowId: return list('operands');
    default: return [];
  }
}

function loopsInPreOrder(b: Binaryen, root: number): number[] {
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const expr = stack.pop() as number;
    if (b.getExpressionId(expr) === b.LoopId) out.push(expr);
    const children = childrenOf(b, expr);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as number);
  }
  return out;
}

/** binaryen.js's Loop accessors (present at run time, missing from its typings). */
interface LoopAccess {
  getName(expr: number): string;
  getBody(expr: number): number;
  setName(expr: number, name: string): void;
  setBody(expr: number, body: number): void;
}
const loopAccess = (b: Binaryen): LoopAccess => (b as unknown as { Loop: LoopAccess }).Loop;

function typeOf(b: Binaryen, lane: LaneType): number {
  return lane === 'f32' ? b.f32 : lane === 'f64' ? b.f64 : lane === 'i64' ? b.i64 : b.i32;
}

export async function rewriteModule(bytes: Uint8Array, plans: readonly LoopPlan[], loopCounts: ReadonlyMap<number, number>, verify: boolean): Promise<RewriteResult> {
  const b = await loadBinaryen();
  const module: BModule = b.readBinary(bytes);
  try {
    // Not Features.All: that makes binaryen emit encodings V8 does not read (compact imports).
    // The module's own features (target_features) plus what the guards use is enough.
    const F = b.Features;
    module.setFeatures(module.getFeatures() | F.SIMD128 | F.MutableGlobals | F.NontrappingFPToInt | F.BulkMemory | F.SignExt | F.Multivalue | F.ReferenceTypes);
    const wired: LoopPlan[] = [];
    const skipped: { plan: LoopPlan; reason: string }[] = [];
    const byFunction = new Map<number, LoopPlan[]>();
    for (const plan of plans) byFunction.set(plan.functionIndex, [...(byFunction.get(plan.functionIndex) ?? []), plan]);

    // Function refs before imports are added (addFunctionImport appends to the function list).
    const targets = new Map<number, number>();
    for (const index of byFunction.keys()) targets.set(index, module.getFunctionByIndex(index));
    const globalName = (index: number): string => b.getGlobalInfo(module.getGlobalByIndex(index)).name;
    const globalType = (index: number): number => b.getGlobalInfo(module.getGlobalByIndex(index)).type;
    if (verify) module.addFunctionImport('__tw_offload_verify', OFFLOAD_IMPORT_MODULE, VERIFY_IMPORT, b.createType([b.i32]), b.none);

    let guardCounter = 0;
    for (const [index, fnPlans] of byFunction) {
      const func = targets.get(index) as number;
      const info = b.getFunctionInfo(func);
      const loops = loopsInPreOrder(b, info.body);
      if (loops.length !== loopCounts.get(index)) {
        for (const plan of fnPlans) skipped.push({ plan, reason: `binaryen sees ${loops.length} loops in ${plan.function}, the analyser ${loopCounts.get(index)}` });
        continue;
      }
      const paramTypes = b.expandType(info.params);
      const localTypeOf = (local: number): number => (local < paramTypes.length ? (paramTypes[local] as number) : (info.vars[local - paramTypes.length] as number));
      const affine = (form: Affine): number => {
        let expr = module.i32.const(form.c | 0);
        for (const [key, coef] of form.terms) {
          const sym = key >= 0 ? module.local.get(key, b.i32) : module.global.get(globalName(-key - 1), b.i32);
          expr = module.i32.add(expr, coef === 1 ? sym : module.i32.mul(sym, module.i32.const(coef | 0)));
        }
        return expr;
      };
      for (const plan of fnPlans) {
        const loop = loops[plan.ordinal];
        if (loop === undefined) {
          skipped.push({ plan, reason: 'loop not found in the rewritten function' });
          continue;
        }
        const operands: number[] = [affine(plan.left), affine(plan.right)];
        const paramTypesOfImport: number[] = [b.i32, b.i32];
        for (const access of plan.accesses) {
          operands.push(affine(access.base));
          paramTypesOfImport.push(b.i32);
        }
        let bad: string | undefined;
        for (const source of plan.params) {
          const t = typeOf(b, source.type);
          if (source.k === 'local') {
            if (localTypeOf(source.local) !== t) bad = `local ${source.local} type differs in binaryen`;
            operands.push(module.local.get(source.local, t));
            paramTypesOfImport.push(t);
          } else if (source.k === 'global') {
            if (globalType(source.index) !== t) bad = `global ${source.index} type differs in binaryen`;
            operands.push(module.global.get(globalName(source.index), t));
            paramTypesOfImport.push(t);
          } else {
            const lanes = source.type === 'f64' || source.type === 'i64' ? 2 : 4;
            for (let lane = 0; lane < lanes; lane++) {
              const vec = module.local.get(source.local, b.v128);
              const extract =
                source.type === 'f32' ? module.f32x4.extract_lane(vec, lane)
                  : source.type === 'f64' ? module.f64x2.extract_lane(vec, lane)
                    : source.type === 'i64' ? module.i64x2.extract_lane(vec, lane)
                      : module.i32x4.extract_lane(vec, lane);
              operands.push(extract);
              paramTypesOfImport.push(t);
            }
          }
        }
        if (bad) {
          skipped.push({ plan, reason: bad });
          continue;
        }
        const importName = `__tw_offload_${guardCounter}`;
        module.addFunctionImport(importName, OFFLOAD_IMPORT_MODULE, importNameFor(plan), b.createType(paramTypesOfImport), b.i32);
        // binaryen.js has no typed wrapper for adding a local to an existing function.
        const tripsLocal = (b as unknown as { _BinaryenFunctionAddVar(f: number, t: number): number })._BinaryenFunctionAddVar(func, b.i32);
        const trips = (): number => module.local.get(tripsLocal, b.i32);

        // After a dispatch: derived locals first (they read the induction variables' entry values).
        const updates: number[] = [];
        for (const d of plan.derived) {
          let perIteration = 0;
          for (const [key, coef] of d.form.terms) perIteration += coef * (plan.ivs.find((iv) => iv.local === key)?.step ?? 0);
          const last = module.i32.mul(module.i32.sub(trips(), module.i32.const(1)), module.i32.const(perIteration | 0));
          updates.push(module.local.set(d.local, module.i32.add(affine(d.form), last)));
        }
        for (const iv of plan.ivs) {
          updates.push(module.local.set(iv.local, module.i32.add(module.local.get(iv.local, b.i32), module.i32.mul(trips(), module.i32.const(iv.step | 0)))));
        }

        const originalName = loopAccess(b).getName(loop);
        const original = module.loop(originalName, loopAccess(b).getBody(loop));
        const fallback = verify ? module.block(null, [original, module.call('__tw_offload_verify', [module.i32.const(wired.length)], b.none)], b.none) : original;
        const dispatched = updates.length > 0 ? module.block(null, updates, b.none) : module.nop();
        const call = module.call(importName, operands, b.i32);
        const guard = module.if(module.i32.eqz(module.local.tee(tripsLocal, call, b.i32)), fallback, dispatched);
        loopAccess(b).setName(loop, `__tw_offload_guard_${guardCounter}`);
        loopAccess(b).setBody(loop, guard);
        guardCounter++;
        wired.push(plan);
      }
    }
    if (!module.validate()) throw new Error('the rewritten module does not validate');
    return { bytes: module.emitBinary(), wired, skipped };
  } finally {
    module.dispose();
  }
}
