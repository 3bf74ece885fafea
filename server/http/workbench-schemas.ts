import { z } from 'zod';
import { TensorWasmError } from '../../contract/errors.js';
import { presetsSchema } from '../../contract/workbench-schemas.js';
import type { WorkbenchLimits } from '../../workbench/workbench-service.js';
import { clip } from './clip.js';

/**
 * Strict schemas for the workbench bodies that set limits (issue 15, defect 2): every key known,
 * every value typed and bounded by this server's ceilings; anything else — an unknown key,
 * `__proto__`, a 24-hour deadline under `--deadline 3s` — is `invalid_args` naming the field.
 */
const DEVICE = z.enum(['auto', 'cpu', 'cuda']);
const positiveInt = z.number().int().min(1);

const offloadPatch = z.strictObject({
  enabled: z.boolean().optional(),
  tripCountThreshold: positiveInt.max(2 ** 31 - 1).optional(),
  v128RatioThreshold: z.number().min(0).max(1).optional(),
});

export function settingsPatchSchema(limits: WorkbenchLimits) {
  return z.strictObject({
    device: DEVICE.optional(),
    deadlineMs: positiveInt.max(limits.maxDeadlineMs, `must be at most ${limits.maxDeadlineMs} ms (this server's deadline)`).optional(),
    maxMemoryBytes: z
      .number()
      .int()
      .min(65536, 'must be at least 64 KiB')
      .max(limits.maxMemoryBytes, `must be at most ${limits.maxMemoryBytes} bytes (this server's memory cap)`)
      .optional(),
    offload: offloadPatch.optional(),
    logLevel: z.enum(['error', 'warn', 'info', 'debug', 'trace']).optional(),
    theme: z.enum(['system', 'dark', 'light']).optional(),
    presets: presetsSchema.optional(),
  });
}

/** Overrides are lowered to the ceilings, not refused above them: the run record says what applied. */
const overrides = z.strictObject({
  device: DEVICE.optional(),
  deadlineMs: positiveInt.optional(),
  maxMemoryBytes: positiveInt.optional(),
  offload: offloadPatch.optional(),
});

export const invokeRequestSchema = z.strictObject({
  runId: z.string(),
  moduleId: z.string(),
  exportName: z.string().min(1),
  argsJson: z.string(),
  wasiArgs: z.array(z.string()).max(4096).optional(),
  overrides: overrides.optional(),
});

/** Parses `value` with `schema`, or throws `invalid_args` naming the first field that is wrong. */
export function parseStrict<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  const keys = issue.code === 'unrecognized_keys' ? ` ${issue.keys.map((k) => `'${clip(k, 60)}'`).join(', ')}` : '';
  const where = path ? `'${clip(path, 80)}'` : what;
  const message = issue.code === 'unrecognized_keys' ? `${where}: unknown key${issue.keys.length > 1 ? 's' : ''}${keys}` : `${where} ${clip(issue.message, 120)}`;
  throw new TensorWasmError('invalid_args', `${what}: ${message}`);
}
