import { TensorWasmError, type ErrorInfo } from '../../contract/errors.js';
import type { RunEvent } from '../../contract/events.js';

export interface RunEventHubOptions {
  /** How long a finished run's events stay for late subscribers. */
  retentionMs: number;
  /** How long a subscriber waits for a run that has not started yet. */
  waitMs: number;
  /** Events kept per run for replay (live subscribers still get every event). */
  maxEventsPerRun: number;
  /** Runs tracked at once; past it the oldest finished runs are dropped first. */
  maxRuns: number;
}

export const DEFAULT_HUB_OPTIONS: RunEventHubOptions = {
  retentionMs: 60_000,
  waitMs: 60_000,
  maxEventsPerRun: 10_000,
  maxRuns: 1_000,
};

interface Subscriber {
  onEvent: (event: RunEvent) => void;
  onEnd: () => void;
}

interface Channel {
  state: 'waiting' | 'running' | 'done';
  events: RunEvent[];
  subscribers: Set<Subscriber>;
  timer?: NodeJS.Timeout;
}

const TERMINAL = new Set<RunEvent['type']>(['finished', 'failed']);

/**
 * Fans one invocation's run events out to its event-stream subscribers. A client picks the run id,
 * subscribes (the channel waits for the run), then invokes; events are also kept a while after the
 * run so a subscriber that comes late still sees the whole run.
 */
export class RunEventHub {
  private readonly channels = new Map<string, Channel>();
  private readonly options: RunEventHubOptions;

  constructor(options: Partial<RunEventHubOptions> = {}) {
    this.options = { ...DEFAULT_HUB_OPTIONS, ...options };
  }

  /** Starts recording a run; the returned function is the engine's `onEvent`. */
  begin(runId: string): (event: RunEvent) => void {
    let channel = this.channels.get(runId);
    if (channel && channel.state !== 'waiting') {
      throw new TensorWasmError('invalid_args', `runId '${runId}' is already in use; choose a fresh one per invocation`);
    }
    if (!channel) {
      this.makeRoom();
      channel = { state: 'waiting', events: [], subscribers: new Set() };
      this.channels.set(runId, channel);
    }
    clearTimeout(channel.timer);
    channel.state = 'running';
    const live = channel;
    return (event) => this.publish(runId, live, event);
  }

  /** Ends a run that failed before the engine could say so (queue full, unknown export, ...). */
  fail(runId: string, error: ErrorInfo, durationMs: number): void {
    const channel = this.channels.get(runId);
    if (channel && channel.state === 'running') {
      this.publish(runId, channel, { type: 'failed', runId, t: Date.now(), durationMs, error });
    }
  }

  /** Replays what the run has emitted so far, then forwards live events until it ends. */
  subscribe(runId: string, onEvent: (event: RunEvent) => void, onEnd: () => void): () => void {
    let channel = this.channels.get(runId);
    if (!channel) {
      this.makeRoom();
      channel = { state: 'waiting', events: [], subscribers: new Set() };
      this.channels.set(runId, channel);
      channel.timer = setTimeout(() => this.expire(runId), this.options.waitMs).unref();
    }
    for (const event of channel.events) onEvent(event);
    if (channel.state === 'done') {
      onEnd();
      return () => {};
    }
    const subscriber: Subscriber = { onEvent, onEnd };
    channel.subscribers.add(subscriber);
    const owned = channel;
    return () => owned.subscribers.delete(subscriber);
  }

  get runCount(): number {
    return this.channels.size;
  }

  close(): void {
    for (const runId of [...this.channels.keys()]) this.expire(runId);
  }

  private publish(runId: string, channel: Channel, event: RunEvent): void {
    if (channel.state === 'done') return;
    if (channel.events.length < this.options.maxEventsPerRun) channel.events.push(event);
    for (const subscriber of channel.subscribers) subscriber.onEvent(event);
    if (TERMINAL.has(event.type)) {
      channel.state = 'done';
      for (const subscriber of channel.subscribers) subscriber.onEnd();
      channel.subscribers.clear();
      channel.timer = setTimeout(() => this.expire(runId), this.options.retentionMs).unref();
    }
  }

  private expire(runId: string): void {
    const channel = this.channels.get(runId);
    if (!channel) return;
    clearTimeout(channel.timer);
    this.channels.delete(runId);
    for (const subscriber of channel.subscribers) subscriber.onEnd();
    channel.subscribers.clear();
  }

  /** Keeps memory bounded: drops finished runs first, then the oldest waiting ones. */
  private makeRoom(): void {
    if (this.channels.size < this.options.maxRuns) return;
    for (const wanted of ['done', 'waiting'] as const) {
      for (const [runId, channel] of this.channels) {
        if (channel.state === wanted) {
          this.expire(runId);
          return;
        }
      }
    }
    throw new TensorWasmError('queue_full', `too many runs are being tracked (${this.options.maxRuns}); try again shortly`);
  }
}
