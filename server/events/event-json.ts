import type { RunEvent } from '../../contract/events.js';
import { resultsToJson } from '../../contract/values.js';

/**
 * A run event as JSON text. `finished` events carry results that may be i64 (bigint), which
 * `JSON.stringify` cannot write; they go through the contract's exact writer instead.
 */
export function runEventToJson(event: RunEvent): string {
  if (event.type === 'finished' && event.results !== undefined) {
    const { results, ...rest } = event;
    const head = JSON.stringify(rest);
    return `${head.slice(0, -1)},"results":${resultsToJson(results)}}`;
  }
  return JSON.stringify(event);
}
