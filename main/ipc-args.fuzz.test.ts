/**
 * Fuzz: random argument lists for every WorkbenchApi method, sent through the IPC hub as a
 * compromised renderer could. A call reaches its handler exactly when the method's schema accepts
 * it; everything else is `invalid_args` with a short message, and the hub never throws.
 * Cases: FUZZ_RUNS (1000 in npm test; npm run fuzz sets more).
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { WORKBENCH_ARG_SCHEMAS } from '../contract/workbench-schemas.js';
import { WORKBENCH_METHODS, type WorkbenchMethod } from '../contract/workbench.js';
import { APP_ENTRY } from './app-url.js';
import { createIpcHub, type IpcInvokeEvent } from './ipc-hub.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

describe('IPC argument fuzz', () => {
  it('random argument lists reach a handler only when the schema accepts them, and never crash the hub', async () => {
    const channels = new Map<string, (event: IpcInvokeEvent, ...args: unknown[]) => Promise<unknown>>();
    const impl = Object.fromEntries(WORKBENCH_METHODS.map((m) => [m, vi.fn(async () => 'handled')])) as Record<WorkbenchMethod, ReturnType<typeof vi.fn>>;
    createIpcHub({ handle: (c, l) => channels.set(c, l), removeHandler: (c) => channels.delete(c) }, impl as never);
    const call = (method: WorkbenchMethod, args: unknown[]) => channels.get(`workbench:${method}`)!({ senderFrame: { url: APP_ENTRY } }, ...args) as Promise<{ ok: boolean; error?: { code: string; message: string } }>;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...WORKBENCH_METHODS), fc.array(fc.anything({ withObjectString: true, withNullPrototype: true, withTypedArray: true }), { maxLength: 3 }), async (method, args) => {
        impl[method].mockClear();
        const accepted = WORKBENCH_ARG_SCHEMAS[method].safeParse(args).success;
        const reply = await call(method, args);
        expect(reply.ok).toBe(accepted);
        expect(impl[method].mock.calls.length).toBe(accepted ? 1 : 0);
        if (!reply.ok) {
          expect(reply.error!.code).toBe('invalid_args');
          expect(reply.error!.message.length).toBeLessThanOrEqual(201);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
