import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * For mutation testing only (stryker.config.json): one worker thread that keeps its modules between
 * runs. Stryker switches mutants at run time (mutant schemata), so nothing needs re-importing, and
 * a fresh forked process per mutant costs seconds on a loaded machine.
 */
export default mergeConfig(base, defineConfig({ test: { pool: 'threads', isolate: false, maxWorkers: 1, fileParallelism: false } }));
