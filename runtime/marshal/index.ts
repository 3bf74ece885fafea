export { classifyArgs, classifyNumber, type ArgValue } from './classify.js';
export { checkArgs, checkResultTypes, type WasmArg } from './check.js';
export { floatResult, mapResults } from './results.js';
export { stringifyExact } from './exact-json.js';
