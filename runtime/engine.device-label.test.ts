/**
 * The engine names a call's device without loading the devices (start-up, issue 18): its label
 * must stay the one devices/select.ts gives, for every selection.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import { deviceLabelFor } from './devices/select.js';
import { wasmFixture } from './test-support/fixtures.js';

const engine = createEngine({ poolSize: 1 });
afterAll(() => engine.close());

describe('the device a result names', () => {
  it.each(['auto', 'cpu', 'cuda'] as const)('is devices/select.ts deviceLabelFor(%s)', async (selection) => {
    const { ref } = await engine.load(wasmFixture('add.wasm'));
    const r = await engine.invoke(ref, 'add', '[1, 2]', { device: selection });
    expect(r.device).toBe(deviceLabelFor(selection));
  });
});
