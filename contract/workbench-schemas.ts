/**
 * Run-time schemas for the arguments of every WorkbenchApi method, as they arrive over IPC from a
 * renderer that may be compromised. Derived from the contract's types and held to them: the
 * compile-time checks at the bottom fail the build if a schema accepts something the method's
 * parameters do not allow, or refuses something they do. Objects are strict (unknown keys, and so
 * `__proto__`, are refused); strings, arrays and byte arrays have caps so one call cannot make the
 * main process hold or parse an unbounded amount. Ranges that are settings policy (deadline and
 * memory limits) stay with the settings store; these schemas check shape, types and size.
 */
import { z } from 'zod';
import { TensorWasmError } from './errors.js';
import type { DesktopApi, DesktopMethod } from './desktop-bridge.js';
import { PRESET_LIMITS, type WorkbenchArgs, type WorkbenchMethod } from './workbench.js';

/** The largest module the workbench opens: the same cap as the server's default upload limit. */
export const MAX_MODULE_BYTES = 64 * 1024 * 1024;
/** The largest JSON argument text one call may carry. */
export const MAX_ARGS_JSON_CHARS = 16 * 1024 * 1024;
const MAX_ID_CHARS = 200;
const MAX_NAME_CHARS = 1024;
const MAX_PATH_CHARS = 4096;
const MAX_LIST_ITEMS = 4096;
/** Errors quote at most this much of anything the caller sent (docs/ERRORS.md). */
const MAX_QUOTED_CHARS = 200;

const id = z.string().min(1).max(MAX_ID_CHARS);
const moduleId = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 in hex');
const name = z.string().max(MAX_NAME_CHARS);
/** zod 4's number refuses NaN and ±Infinity. */
const finite = z.number();
const positiveInt = z.number().int().positive();
const device = z.enum(['auto', 'cpu', 'cuda']);
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'must be a Uint8Array').refine((b) => b.byteLength <= MAX_MODULE_BYTES, `must be at most ${MAX_MODULE_BYTES} bytes`);

const offloadSettings = z.strictObject({
  enabled: z.boolean(),
  tripCountThreshold: positiveInt,
  v128RatioThreshold: finite,
  verify: z.boolean().optional(),
});

const openModuleRequest = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('bytes'), name, bytes }),
  z.strictObject({ kind: z.literal('example'), id }),
  z.strictObject({ kind: z.literal('recent'), moduleId }),
  z.strictObject({ kind: z.literal('path'), path: z.string().min(1).max(MAX_PATH_CHARS) }),
]);

const callOverrides = z.strictObject({
  device: device.optional(),
  deadlineMs: positiveInt.optional(),
  maxMemoryBytes: positiveInt.optional(),
  offload: offloadSettings.partial().optional(),
});

const invokeRequest = z.strictObject({
  runId: id,
  moduleId,
  exportName: name,
  argsJson: z.string().max(MAX_ARGS_JSON_CHARS),
  wasiArgs: z.array(z.string().max(64 * 1024)).max(MAX_LIST_ITEMS).optional(),
  overrides: callOverrides.optional(),
});

const compareRequest = z.strictObject({
  compareId: id,
  moduleId,
  exportName: name,
  argsJson: z.string().max(MAX_ARGS_JSON_CHARS),
  repetitions: positiveInt,
  warmup: z.number().int().nonnegative().optional(),
  sweep: z.strictObject({ argIndex: z.number().int().nonnegative(), values: z.array(finite).max(MAX_LIST_ITEMS) }).optional(),
});

/** Presets: shape and size here; the settings store checks the same limits for every face. */
export const presetSchema = z.strictObject({
  moduleName: z.string().min(1).max(PRESET_LIMITS.moduleNameChars),
  name: z.string().min(1).max(PRESET_LIMITS.nameChars),
  exportName: z.string().min(1).max(PRESET_LIMITS.exportNameChars),
  argsJson: z.string().max(PRESET_LIMITS.argsJsonChars),
  wasiArgs: z.string().max(PRESET_LIMITS.wasiArgsChars).optional(),
});
export const presetsSchema = z.array(presetSchema).max(PRESET_LIMITS.count);

const settingsPatch = z.strictObject({
  device: device.optional(),
  deadlineMs: positiveInt.optional(),
  maxMemoryBytes: positiveInt.optional(),
  offload: offloadSettings.optional(),
  logLevel: z.enum(['error', 'warn', 'info', 'debug', 'trace']).optional(),
  theme: z.enum(['system', 'dark', 'light']).optional(),
  presets: presetsSchema.optional(),
});

/** One tuple schema per method: the whole argument list, no more and no fewer arguments. */
export const WORKBENCH_ARG_SCHEMAS = {
  getTarget: z.tuple([]),
  listExamples: z.tuple([]),
  listRecent: z.tuple([]),
  openModule: z.tuple([openModuleRequest]),
  pickModule: z.tuple([]),
  invoke: z.tuple([invokeRequest]),
  cancel: z.tuple([id]),
  compareOffload: z.tuple([compareRequest]),
  listRuns: z.tuple([]),
  getRun: z.tuple([id]),
  deleteRun: z.tuple([id]),
  exportReport: z.tuple([id, z.enum(['json', 'html', 'chrome-trace'])]),
  getSettings: z.tuple([]),
  updateSettings: z.tuple([settingsPatch]),
  listDevices: z.tuple([]),
  getPtx: z.tuple([moduleId, z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 in hex')]),
} as const;

/** A remote server's address: http(s) only, no credentials in it (the token travels separately). */
const remoteUrl = z
  .string()
  .max(2048)
  .refine((text) => {
    try {
      const u = new URL(text);
      return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without credentials');

/** The desktop-only channels (contract/desktop-bridge.ts). */
export const DESKTOP_ARG_SCHEMAS = {
  getRemoteToken: z.tuple([remoteUrl]),
  setRemoteToken: z.tuple([remoteUrl, z.string().min(1).max(4096).nullable()]),
} as const;

function clip(text: string): string {
  return text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text;
}

/**
 * Checks one call's arguments; returns them parsed, or throws `invalid_args` naming the method and
 * the first bad argument (path and rule only: the value itself is never quoted).
 */
export function parseWorkbenchArgs<M extends WorkbenchMethod>(method: M, args: unknown[]): WorkbenchArgs<M> {
  return parseWith(WORKBENCH_ARG_SCHEMAS[method], method, args) as WorkbenchArgs<M>;
}

export function parseDesktopArgs<M extends DesktopMethod>(method: M, args: unknown[]): Parameters<DesktopApi[M]> {
  return parseWith(DESKTOP_ARG_SCHEMAS[method], method, args) as Parameters<DesktopApi[M]>;
}

function parseWith(schema: z.ZodType | undefined, method: string, args: unknown[]): unknown {
  if (!schema) throw new TensorWasmError('invalid_args', 'unknown method');
  const result = schema.safeParse(args);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `argument ${issue.path.map(String).join('.')}` : 'arguments';
  throw new TensorWasmError('invalid_args', clip(`${method}: ${where}: ${issue?.message ?? 'invalid'}`));
}

// ── compile-time: the schemas and the contract agree (a missing method is an error too) ──

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type SchemaMatches = { [M in WorkbenchMethod]: Same<z.output<(typeof WORKBENCH_ARG_SCHEMAS)[M]>, WorkbenchArgs<M>> };
type Mismatched = { [M in WorkbenchMethod]: SchemaMatches[M] extends true ? never : M }[WorkbenchMethod];
const everySchemaMatches: [Mismatched] extends [never] ? true : Mismatched = true;
void everySchemaMatches;
type DesktopMismatched = { [M in DesktopMethod]: Same<z.output<(typeof DESKTOP_ARG_SCHEMAS)[M]>, Parameters<DesktopApi[M]>> extends true ? never : M }[DesktopMethod];
const everyDesktopSchemaMatches: [DesktopMismatched] extends [never] ? true : DesktopMismatched = true;
void everyDesktopSchemaMatches;
