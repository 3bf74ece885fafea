/**
 * Workbench settings persisted as `<dataDir>/settings.json`. Every update is validated, so a
 * bad value is refused with a clear error instead of reaching the engine.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TensorWasmError } from '../contract/errors.js';
import { DEFAULT_WORKBENCH_SETTINGS, PRESET_LIMITS, type InvokePreset, type WorkbenchSettings } from '../contract/workbench.js';

const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'];
const THEMES = ['system', 'dark', 'light'];
const DEVICES = ['auto', 'cpu', 'cuda'];

function bad(field: string, rule: string, value: unknown): never {
  const shown = JSON.stringify(value) ?? String(value);
  // Errors never echo more than ~200 characters of what was sent (docs/ERRORS.md).
  throw new TensorWasmError('invalid_args', `setting '${field}' ${rule}; got ${shown.length > 200 ? `${shown.slice(0, 200)}…` : shown}`);
}

function checkText(field: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'string' || value.length < min || value.length > max) bad(field, `must be text of ${min} to ${max} characters`, typeof value === 'string' ? `${value.length} characters` : value);
}

/** Every face (IPC, HTTP, a hand-edited settings.json) gets the same preset limits. */
function checkPresets(presets: unknown): InvokePreset[] {
  if (!Array.isArray(presets)) bad('presets', 'must be a list', presets);
  if (presets.length > PRESET_LIMITS.count) bad('presets', `holds at most ${PRESET_LIMITS.count}`, `${presets.length} presets`);
  const seen = new Set<string>();
  return presets.map((p: unknown, i) => {
    if (typeof p !== 'object' || p === null || Array.isArray(p)) bad(`presets.${i}`, 'must be an object', p);
    const o = p as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => !['moduleName', 'name', 'exportName', 'argsJson', 'wasiArgs'].includes(k));
    if (extra.length) bad(`presets.${i}`, 'has unknown fields', extra);
    checkText(`presets.${i}.moduleName`, o.moduleName, 1, PRESET_LIMITS.moduleNameChars);
    checkText(`presets.${i}.name`, o.name, 1, PRESET_LIMITS.nameChars);
    checkText(`presets.${i}.exportName`, o.exportName, 1, PRESET_LIMITS.exportNameChars);
    checkText(`presets.${i}.argsJson`, o.argsJson, 0, PRESET_LIMITS.argsJsonChars);
    if (o.wasiArgs !== undefined) checkText(`presets.${i}.wasiArgs`, o.wasiArgs, 0, PRESET_LIMITS.wasiArgsChars);
    const key = `${String(o.moduleName)}\u0000${String(o.name)}`;
    if (seen.has(key)) bad(`presets.${i}.name`, 'must be unique for its module', o.name);
    seen.add(key);
    const preset: InvokePreset = { moduleName: o.moduleName as string, name: o.name as string, exportName: o.exportName as string, argsJson: o.argsJson as string };
    if (o.wasiArgs !== undefined) preset.wasiArgs = o.wasiArgs as string;
    return preset;
  });
}

/** Merges a patch into settings, refusing anything out of range. */
export function mergeSettings(current: WorkbenchSettings, patch: Partial<WorkbenchSettings>): WorkbenchSettings {
  if (typeof patch !== 'object' || patch === null) bad('settings', 'must be an object', patch);
  const next: WorkbenchSettings = { ...current, ...patch, offload: { ...current.offload, ...(patch.offload ?? {}) } };
  if (!DEVICES.includes(next.device)) bad('device', 'must be auto, cpu or cuda', next.device);
  if (!Number.isInteger(next.deadlineMs) || next.deadlineMs < 1 || next.deadlineMs > 24 * 3600_000) bad('deadlineMs', 'must be an integer from 1 ms to 24 h', next.deadlineMs);
  if (!Number.isInteger(next.maxMemoryBytes) || next.maxMemoryBytes < 65536 || next.maxMemoryBytes > 4 * 1024 ** 3) {
    bad('maxMemoryBytes', 'must be an integer from 64 KiB to 4 GiB (one wasm32 address space)', next.maxMemoryBytes);
  }
  if (typeof next.offload.enabled !== 'boolean') bad('offload.enabled', 'must be true or false', next.offload.enabled);
  if (!Number.isInteger(next.offload.tripCountThreshold) || next.offload.tripCountThreshold < 1) bad('offload.tripCountThreshold', 'must be a positive integer', next.offload.tripCountThreshold);
  const ratio = next.offload.v128RatioThreshold;
  if (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1)) bad('offload.v128RatioThreshold', 'must be a number from 0 to 1', ratio);
  if (!LOG_LEVELS.includes(next.logLevel)) bad('logLevel', `must be one of ${LOG_LEVELS.join(', ')}`, next.logLevel);
  if (!THEMES.includes(next.theme)) bad('theme', 'must be system, dark or light', next.theme);
  if (next.presets !== undefined) next.presets = checkPresets(next.presets);
  return next;
}

export class SettingsStore {
  private readonly path: string;
  private current: WorkbenchSettings | undefined;

  constructor(private readonly dataDir: string) {
    this.path = join(dataDir, 'settings.json');
  }

  async get(): Promise<WorkbenchSettings> {
    if (this.current) return this.current;
    try {
      const saved = JSON.parse(await readFile(this.path, 'utf8')) as Partial<WorkbenchSettings>;
      this.current = mergeSettings(DEFAULT_WORKBENCH_SETTINGS, saved);
    } catch {
      // Missing or unreadable (e.g. edited by hand into something invalid): start from defaults.
      this.current = DEFAULT_WORKBENCH_SETTINGS;
    }
    return this.current;
  }

  async update(patch: Partial<WorkbenchSettings>): Promise<WorkbenchSettings> {
    const next = mergeSettings(await this.get(), patch);
    await mkdir(this.dataDir, { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(next, null, 2));
    await rename(tmp, this.path);
    this.current = next;
    return next;
  }
}
