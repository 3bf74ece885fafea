/** The engine's public API for its faces (CLI, server, Electron main). */
export { Engine, createEngine } from './engine.js';
export { describeModule, callableExports, notCallableReason, sha256Hex } from './module/describe.js';
export { classifyArgs, checkArgs, mapResults, stringifyExact, type ArgValue } from './marshal/index.js';
export { getLogger, logLevelFromEnv, type LogLevel } from './telemetry/logger.js';
export { setupTracingFromEnv, shutdownTracing } from './telemetry/tracing.js';
export { analyzeOffload, compareOffload, formatOffloadReport, formatCompare, DEFAULT_THRESHOLDS as DEFAULT_OFFLOAD_THRESHOLDS } from './offload/index.js';
export * from '../contract/index.js';
