/**
 * End to end through the CLI, as a user runs it: `tensor-wasm run <guest> --invoke <export>
 * --args ... --device cpu` prints the guest's own check ([0] = results correct); a limit breach
 * exits 1 with `limit_exceeded: ...` (the 257-kernel breach is in guests-engine.test.ts); a kernel
 * that never finishes exits with deadline_exceeded.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const GUESTS = join(ROOT, 'fixtures/guests/wasm');
const run = promisify(execFile);

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'bin/tensor-wasm.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, TENSOR_WASM_FROM_SOURCE: '1', TENSOR_WASM_LOG: 'warn', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw error;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('tensor-wasm run with wasi:cuda guests on the CPU device', () => {
  it('the C vector add prints [0] (its own check passed); TENSOR_WASM_LOG=trace logs every wasi:cuda call with hex dumps', async () => {
    const r = await cli(['run', join(GUESTS, 'vector_add.wasm'), '--invoke', 'run_vector_add', '--args', '[2048]', '--device', 'cpu'], { TENSOR_WASM_LOG: 'trace' });
    expect(r.stdout.trim()).toBe('[0]');
    expect(r.code).toBe(0);
    const lines = r.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { hostCall?: string; args?: Record<string, unknown>; result?: unknown; dump?: string; what?: string });
    const calls = lines.filter((l) => l.hostCall?.startsWith('wasi:cuda/host.'));
    expect(calls.map((l) => l.hostCall)).toEqual(['wasi:cuda/host.wasi_cuda_load_ptx', 'wasi:cuda/host.wasi_cuda_launch', 'wasi:cuda/host.wasi_cuda_sync']);
    expect(calls[1]!.args).toMatchObject({ grid: [8, 1, 1], block: [256, 1, 1] });
    expect(calls.map((l) => l.result)).toEqual(['0', '0', '0']);
    expect(lines.find((l) => l.what === 'argv')?.dump).toMatch(/^[0-9a-f]{8} {2}07 /);
  });

  it("the guide's Rust vector_add_gpu prints [0] on the device TENSOR_WASM_DEVICE picks; --events prints launch and sync", async () => {
    const r = await cli(['run', join(GUESTS, 'vector_add_gpu.wasm'), '--invoke', 'check_vector_add', '--args', '[1000]', '--events'], { TENSOR_WASM_DEVICE: 'cpu' });
    expect(r.stdout.trim()).toBe('[0]');
    expect(r.code).toBe(0);
    const events = r.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { type: string; kernel?: string; status?: number });
    expect(events.find((e) => e.type === 'launch')).toMatchObject({ kernel: 'vector_add', device: 'cpu', grid: [4, 1, 1] });
    expect(events.find((e) => e.type === 'sync')).toMatchObject({ status: 0 });
  });

  it('every bad-input case gets its code (the guest checks them all) and the run succeeds', async () => {
    const r = await cli(['run', join(GUESTS, 'bad_inputs.wasm'), '--invoke', 'all_bad_inputs', '--device', 'cpu']);
    expect(r.stdout.trim()).toBe('[0]');
    expect(r.code).toBe(0);
  });

  it('more than 8 MiB of PTX ends the instance: exit 1 and a limit_exceeded line naming max_ptx_bytes', async () => {
    const r = await cli(['run', join(GUESTS, 'limits.wasm'), '--invoke', 'load_padded_ptx', '--args', '[8388609]', '--device', 'cpu']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^limit_exceeded: .*max_ptx_bytes is 8388608/m);
  });

  it('a kernel that never finishes exits with deadline_exceeded', async () => {
    const r = await cli(['run', join(GUESTS, 'spin.wasm'), '--invoke', 'spin_forever', '--device', 'cpu', '--deadline', '1s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^deadline_exceeded: /m);
  });
});
