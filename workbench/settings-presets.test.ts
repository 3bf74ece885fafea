import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { presetsSchema } from '../contract/workbench-schemas.js';
import { DEFAULT_WORKBENCH_SETTINGS, PRESET_LIMITS } from '../contract/workbench.js';
import { mergeSettings, SettingsStore } from './settings-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const p = (name: string, extra: Record<string, unknown> = {}) => ({ moduleName: 'm.wasm', name, exportName: 'run', argsJson: '[1]', ...extra });

describe('presets in the settings', () => {
  it('persist across a restart of the store, as every other setting does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-presets-'));
    dirs.push(dir);
    await new SettingsStore(dir).update({ presets: [p('one'), p('two', { exportName: '_start', argsJson: '[]', wasiArgs: '"a b" c' })] });
    const again = await new SettingsStore(dir).get();
    expect(again.presets).toEqual([p('one'), p('two', { exportName: '_start', argsJson: '[]', wasiArgs: '"a b" c' })]);
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).presets).toHaveLength(2);
  });

  it('a hand-edited settings.json with a bad preset falls back to the defaults rather than failing every run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-presets-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ ...DEFAULT_WORKBENCH_SETTINGS, presets: [{ name: 1 }] }));
    expect((await new SettingsStore(dir).get()).presets).toBeUndefined();
  });

  it('refuses bad presets with invalid_args naming the field, quoting at most ~200 characters', () => {
    const bad: [unknown, RegExp][] = [
      ['x', /'presets' must be a list/],
      [[p('')], /presets\.0\.name/],
      [[p('x'.repeat(81))], /presets\.0\.name' must be text of 1 to 80/],
      [[p('a'), p('a')], /unique/],
      [[p('a', { argsJson: 'x'.repeat(PRESET_LIMITS.argsJsonChars + 1) })], /argsJson/],
      [[p('a', { extra: 1 })], /unknown fields/],
      [[{ ...p('a'), __proto__: { polluted: true } }, null], /presets\.1' must be an object/],
      [Array.from({ length: PRESET_LIMITS.count + 1 }, (_, i) => p(`p${i}`)), /at most 100/],
    ];
    for (const [presets, message] of bad) {
      let error: { code?: string; message?: string } | undefined;
      try {
        mergeSettings(DEFAULT_WORKBENCH_SETTINGS, { presets } as never);
      } catch (e) {
        error = e as typeof error;
      }
      expect(error?.code).toBe('invalid_args');
      expect(error?.message).toMatch(message);
      expect(error!.message!.length).toBeLessThan(320);
    }
  });

  it('the store and the IPC schema accept and refuse the same preset lists', () => {
    const arbText = (max: number) => fc.oneof(fc.string({ maxLength: 4 }), fc.string({ minLength: max - 1, maxLength: max + 1 }));
    const arbPreset = fc.record(
      { moduleName: arbText(PRESET_LIMITS.moduleNameChars), name: arbText(PRESET_LIMITS.nameChars), exportName: fc.constantFrom('', 'run'), argsJson: fc.constantFrom('[]', 'x'.repeat(PRESET_LIMITS.argsJsonChars + 1)), wasiArgs: fc.constantFrom('a', 'x'.repeat(PRESET_LIMITS.wasiArgsChars + 1)) },
      { requiredKeys: ['moduleName', 'name', 'exportName', 'argsJson'] },
    );
    fc.assert(
      fc.property(fc.array(arbPreset, { maxLength: 3 }), (presets) => {
        const unique = new Set(presets.map((x) => `${x.moduleName}\u0000${x.name}`)).size === presets.length;
        let storeOk = true;
        try {
          mergeSettings(DEFAULT_WORKBENCH_SETTINGS, { presets });
        } catch {
          storeOk = false;
        }
        // The schema checks shape and size; uniqueness is the store's.
        expect(storeOk).toBe(presetsSchema.safeParse(presets).success && unique);
      }),
      { numRuns: 300 },
    );
  });
});
