import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRESET_LIMITS, type InvokePreset } from '../../contract/workbench.js';
import { keyAction } from './keys.js';
import { presetProblem, presetsFor, removePreset, upsertPreset } from './presets.js';

const preset = (moduleName: string, name: string, extra: Partial<InvokePreset> = {}): InvokePreset => ({ moduleName, name, exportName: 'run', argsJson: '[1]', ...extra });
const arbPreset = fc.record({ moduleName: fc.constantFrom('a.wasm', 'b.wasm'), name: fc.constantFrom('p', 'q', 'r', ' p '), exportName: fc.constantFrom('run', 'main'), argsJson: fc.string({ maxLength: 8 }) });

describe('presets', () => {
  it('upsert keeps one preset per module and name, in first-saved order, with the newest content', () => {
    fc.assert(
      fc.property(fc.array(arbPreset, { maxLength: 30 }), (saves) => {
        let list: InvokePreset[] = [];
        for (const p of saves) list = upsertPreset(list, p);
        const keys = list.map((p) => `${p.moduleName}/${p.name}`);
        expect(new Set(keys).size).toBe(keys.length);
        // order: the order in which each key was first saved
        const firstSeen = [...new Set(saves.map((p) => `${p.moduleName}/${p.name.trim()}`))];
        expect(keys).toEqual(firstSeen);
        for (const p of list) {
          const last = saves.filter((s) => s.moduleName === p.moduleName && s.name.trim() === p.name).at(-1)!;
          expect(p.argsJson).toBe(last.argsJson);
          expect(p.exportName).toBe(last.exportName);
        }
      }),
    );
  });

  it('presetsFor lists one module only; remove drops exactly the named one', () => {
    const list = [preset('a.wasm', 'x'), preset('b.wasm', 'x'), preset('a.wasm', 'y')];
    expect(presetsFor(list, 'a.wasm').map((p) => p.name)).toEqual(['x', 'y']);
    expect(removePreset(list, 'a.wasm', 'x')).toEqual([preset('b.wasm', 'x'), preset('a.wasm', 'y')]);
    expect(presetsFor(undefined, 'a.wasm')).toEqual([]);
  });

  it('says why a preset cannot be saved: no name, too long, too many', () => {
    expect(presetProblem([], preset('a', '  '))).toMatch(/name/);
    expect(presetProblem([], preset('a', 'x'.repeat(PRESET_LIMITS.nameChars + 1)))).toMatch(/at most 80/);
    expect(presetProblem([], preset('a', 'big', { argsJson: `[${'1,'.repeat(PRESET_LIMITS.argsJsonChars)}1]` }))).toMatch(/KiB/);
    const full = Array.from({ length: PRESET_LIMITS.count }, (_, i) => preset('a', `p${i}`));
    expect(presetProblem(full, preset('a', 'one more'))).toMatch(/at most 100/);
    expect(presetProblem(full, preset('a', 'p3'))).toBeUndefined(); // replacing is always allowed
    expect(presetProblem([], preset('a', 'ok'))).toBeUndefined();
  });

  it('Alt+1…9 run the preset of that number, by physical key (macOS types ¡ for Alt+1)', () => {
    const k = (key: string, code: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey', boolean>> = {}) => ({ key, code, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });
    expect(keyAction(k('1', 'Digit1', { altKey: true }), [])).toEqual({ kind: 'preset', index: 0 });
    expect(keyAction(k('¡', 'Digit1', { altKey: true }), [])).toEqual({ kind: 'preset', index: 0 });
    expect(keyAction(k('9', 'Digit9', { altKey: true }), [])).toEqual({ kind: 'preset', index: 8 });
    expect(keyAction(k('0', 'Digit0', { altKey: true }), [])).toBeUndefined();
    expect(keyAction(k('1', 'Digit1', { altKey: true, ctrlKey: true }), [])).toBeUndefined();
    expect(keyAction(k('!', 'Digit1', { altKey: true, shiftKey: true }), [])).toBeUndefined();
    expect(keyAction(k('1', 'Digit1'), [])).toBeUndefined();
  });
});
