/** The event-stream reader lives in contract/sse.ts, shared with the renderer. */
export { readSse, type SseMessage } from '../../contract/sse.js';
