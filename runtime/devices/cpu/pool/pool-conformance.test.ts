import { describe, expect, it } from 'vitest';
import { defineConformanceSuite } from '../../conformance/suite.js';
import { CpuDevice } from '../cpu-device.js';
import { existingBlockPool } from './block-pool.js';

// Every conformance kernel with its blocks on two threads (the caller and one pool worker), checked
// against the suite's own references: the pool changes where blocks run, never what they compute.
defineConformanceSuite('CpuDevice, blocks on 2 threads', () => new CpuDevice({ workers: 2, poolMinThreads: 1, adaptivePool: false }), { wasmMemory: true });

describe('the pool under the conformance suite', () => {
  it('was used, by one worker made once and reused by every launch', () => {
    expect(existingBlockPool()?.started).toBe(1);
    expect(existingBlockPool()?.size()).toBe(1);
  });
});
