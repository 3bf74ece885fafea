/**
 * Saved invocations (presets), as pure list operations so they are testable without a store.
 * The list lives in the workbench settings; each change sends the whole list back.
 */
import { PRESET_LIMITS, type InvokePreset } from '../../contract/workbench.js';

/** The presets of one module, in the order they were saved (Alt+1 is the first). */
export function presetsFor(presets: readonly InvokePreset[] | undefined, moduleName: string): InvokePreset[] {
  return (presets ?? []).filter((p) => p.moduleName === moduleName);
}

/** Why a preset cannot be saved, or undefined when it can. */
export function presetProblem(presets: readonly InvokePreset[] | undefined, preset: InvokePreset): string | undefined {
  const name = preset.name.trim();
  if (!name) return 'give the preset a name';
  if (name.length > PRESET_LIMITS.nameChars) return `a preset name has at most ${PRESET_LIMITS.nameChars} characters`;
  if (preset.argsJson.length > PRESET_LIMITS.argsJsonChars) return `arguments of a preset are at most ${PRESET_LIMITS.argsJsonChars / 1024} KiB; this one has ${Math.ceil(preset.argsJson.length / 1024)} KiB`;
  if ((preset.wasiArgs ?? '').length > PRESET_LIMITS.wasiArgsChars) return `program arguments of a preset are at most ${PRESET_LIMITS.wasiArgsChars} characters`;
  const replaces = (presets ?? []).some((p) => p.moduleName === preset.moduleName && p.name === name);
  if (!replaces && (presets ?? []).length >= PRESET_LIMITS.count) return `at most ${PRESET_LIMITS.count} presets; delete one first`;
  return undefined;
}

/** Adds a preset, or replaces the one of the same module and name in place (its key stays). */
export function upsertPreset(presets: readonly InvokePreset[] | undefined, preset: InvokePreset): InvokePreset[] {
  const named = { ...preset, name: preset.name.trim() };
  const list = [...(presets ?? [])];
  const at = list.findIndex((p) => p.moduleName === named.moduleName && p.name === named.name);
  if (at >= 0) list[at] = named;
  else list.push(named);
  return list;
}

export function removePreset(presets: readonly InvokePreset[] | undefined, moduleName: string, name: string): InvokePreset[] {
  return (presets ?? []).filter((p) => !(p.moduleName === moduleName && p.name === name));
}
