/** Auto-offload (guide §5): the library API the faces use. */
export { analyzeOffload, DEFAULT_THRESHOLDS, type OffloadAnalysis } from './analyze.js';
export { compareOffload, percentile, type CompareOptions } from './compare.js';
export { formatCompare, formatOffloadReport } from './format-report.js';
export { prepareOffload, type PreparedOffload } from './prepare.js';
export type { CompareOffloadResult, LoopReport, OffloadReport, OffloadThresholds } from '../../contract/offload.js';
