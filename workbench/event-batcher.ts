/**
 * Batches workbench events for a transport (IPC send, server-sent events): at most one flush per
 * interval, so thousands of launches per second cost tens of messages, not thousands. Within a
 * batch, block-progress events of the same launch are coalesced to the latest one (only the
 * newest count matters to the grid view).
 */
import type { WorkbenchEvent } from '../contract/workbench.js';

export interface EventBatcher {
  push(event: WorkbenchEvent): void;
  /** Sends what is pending now. */
  flush(): void;
  close(): void;
}

export function createEventBatcher(send: (batch: WorkbenchEvent[]) => void, intervalMs = 50, maxBatch = 5000): EventBatcher {
  let pending: WorkbenchEvent[] = [];
  // index in `pending` of the latest block-progress per run+launch
  let progressAt = new Map<string, number>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    progressAt = new Map();
    send(batch);
  };

  return {
    push(event) {
      if (closed) return;
      if (event.kind === 'run' && event.event.type === 'block-progress') {
        const key = `${event.event.runId}:${event.event.launchSeq}`;
        const at = progressAt.get(key);
        if (at !== undefined) {
          pending[at] = event;
          return;
        }
        progressAt.set(key, pending.length);
      }
      pending.push(event);
      if (pending.length >= maxBatch) flush();
      else timer ??= setTimeout(flush, intervalMs);
    },
    flush,
    close() {
      flush();
      closed = true;
    },
  };
}
