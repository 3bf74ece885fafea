/**
 * Every IPC argument is checked against the method's schema (contract/workbench-schemas.ts) before
 * a handler runs: wrong types, missing or extra arguments, unknown keys (`__proto__` included) and
 * oversized values are refused with `invalid_args`, the handler is never called, and the message
 * names the method and argument without quoting the value. The fuzz over every method is
 * main/ipc-args.fuzz.test.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import { WORKBENCH_METHODS, type WorkbenchMethod } from '../contract/workbench.js';
import { APP_ENTRY } from './app-url.js';
import { createIpcHub, type IpcInvokeEvent } from './ipc-hub.js';

const MODULE_ID = 'a'.repeat(64);

function hub() {
  const channels = new Map<string, (event: IpcInvokeEvent, ...args: unknown[]) => Promise<unknown>>();
  const impl = Object.fromEntries(WORKBENCH_METHODS.map((m) => [m, vi.fn(async () => 'handled')])) as Record<WorkbenchMethod, ReturnType<typeof vi.fn>>;
  createIpcHub({ handle: (c, l) => channels.set(c, l), removeHandler: (c) => channels.delete(c) }, impl as never);
  const call = (method: WorkbenchMethod, ...args: unknown[]) => channels.get(`workbench:${method}`)!({ senderFrame: { url: APP_ENTRY } }, ...args) as Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>;
  return { call, impl };
}

describe('IPC arguments are checked against the contract before any handler runs', () => {
  const valid: [WorkbenchMethod, unknown[]][] = [
    ['getTarget', []],
    ['openModule', [{ kind: 'bytes', name: 'k.wasm', bytes: new Uint8Array([0, 0x61, 0x73, 0x6d]) }]],
    ['openModule', [{ kind: 'path', path: '/home/me/k.wasm' }]],
    ['openModule', [{ kind: 'recent', moduleId: MODULE_ID }]],
    ['invoke', [{ runId: 'r1', moduleId: MODULE_ID, exportName: 'add', argsJson: '[1,2]', overrides: { offload: { enabled: true } } }]],
    ['compareOffload', [{ compareId: 'c', moduleId: MODULE_ID, exportName: 'f', argsJson: '[1]', repetitions: 3, sweep: { argIndex: 0, values: [1, 2] } }]],
    ['exportReport', ['r1', 'chrome-trace']],
    ['updateSettings', [{ theme: 'dark' }]],
    ['cancel', ['r1']],
  ];
  it.each(valid)('%s with valid arguments reaches its handler', async (method, args) => {
    const { call, impl } = hub();
    expect(await call(method, ...args)).toEqual({ ok: true, value: 'handled' });
    expect(impl[method]).toHaveBeenCalledOnce();
  });

  const invalid: [string, WorkbenchMethod, unknown[], RegExp][] = [
    ['a path that is not a string', 'openModule', [{ kind: 'path', path: 5 }], /openModule: argument 0\.path/],
    ['an unknown open kind', 'openModule', [{ kind: 'url', url: 'file:///etc/shadow' }], /openModule: argument 0/],
    ['an extra key', 'openModule', [{ kind: 'path', path: '/x.wasm', allowPaths: true }], /Unrecognized key/],
    ['__proto__ smuggled in', 'updateSettings', [JSON.parse('{"theme":"dark","__proto__":{"deadlineMs":1}}')], /updateSettings: argument 0/],
    ['an unknown setting', 'updateSettings', [{ theme: 'dark', shell: '/bin/sh' }], /Unrecognized key/],
    ['bytes that are not bytes', 'openModule', [{ kind: 'bytes', name: 'x', bytes: [0, 97, 115, 109] }], /Uint8Array/],
    ['a module id that is a path', 'openModule', [{ kind: 'recent', moduleId: '../../etc/passwd' }], /sha256/],
    ['a missing argument', 'getRun', [], /getRun: argument/],
    ['an extra argument', 'getTarget', ['surprise'], /getTarget: argument/],
    ['a bad report format', 'exportReport', ['r1', 'exe'], /exportReport: argument 1/],
    ['a non-integer deadline override', 'invoke', [{ runId: 'r', moduleId: MODULE_ID, exportName: 'f', argsJson: '[]', overrides: { deadlineMs: 1.5 } }], /argument 0\.overrides\.deadlineMs/],
    ['an infinite sweep value', 'compareOffload', [{ compareId: 'c', moduleId: MODULE_ID, exportName: 'f', argsJson: '[]', repetitions: 1, sweep: { argIndex: 0, values: [Infinity] } }], /argument 0\.sweep\.values\.0/],
    ['a run id longer than the cap', 'getRun', ['x'.repeat(10_000)], /getRun: argument 0/],
  ];
  it.each(invalid)('refuses %s with invalid_args, without calling the handler', async (_label, method, args, message) => {
    const { call, impl } = hub();
    const reply = await call(method, ...args);
    expect(reply.ok).toBe(false);
    expect(reply.error!.code).toBe('invalid_args');
    expect(reply.error!.message).toMatch(message);
    expect(reply.error!.message.length).toBeLessThanOrEqual(201);
    expect(reply.error!.message).not.toContain('xxxxxxxxxx');
    expect(impl[method]).not.toHaveBeenCalled();
  });

  it('refuses module bytes over the cap without copying them anywhere', async () => {
    const { call, impl } = hub();
    const big = new Uint8Array(64 * 1024 * 1024 + 1);
    const reply = await call('openModule', { kind: 'bytes', name: 'big.wasm', bytes: big });
    expect(reply.error).toMatchObject({ code: 'invalid_args', message: expect.stringMatching(/at most 67108864 bytes/) });
    expect(impl.openModule).not.toHaveBeenCalled();
  });
});
