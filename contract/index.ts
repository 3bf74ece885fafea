export * from './errors.js';
export * from './cuda-codes.js';
export * from './values.js';
export * from './module.js';
export * from './device.js';
export * from './events.js';
export * from './engine.js';
export * from './offload.js';
