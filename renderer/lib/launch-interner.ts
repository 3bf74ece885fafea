import type { LaunchEvent } from '../../contract/events.js';

/** Distinct values remembered per field; past it new values are kept as they came (a guest whose every launch differs). */
const LIMIT = 4096;

/**
 * Shares the equal parts of the launches a run streams: the `args` text and the grid and block
 * triples of a loop's launches are usually the same, and JSON.parse makes a new copy of each per
 * launch. Every launch is kept for the whole run, so each copy survived to the old generation:
 * sharing them leaves the collector less to copy (its scavenges were whole missed frames while
 * 10,000 launches a second streamed) and the heap less to hold. Grid and block arrays are shared
 * between launches: never change a launch's arrays in place.
 */
export class LaunchInterner {
  private readonly strings = new Map<string, string>();
  private readonly triples = new Map<string, [number, number, number]>();

  /** The launch with its shared parts replaced by the first equal ones seen (the same object, changed in place). */
  intern(l: LaunchEvent): LaunchEvent {
    l.args = this.string(l.args);
    l.grid = this.triple(l.grid);
    l.block = this.triple(l.block);
    return l;
  }

  private string(s: string): string {
    const seen = this.strings.get(s);
    if (seen !== undefined) return seen;
    if (this.strings.size < LIMIT) this.strings.set(s, s);
    return s;
  }

  private triple(t: [number, number, number]): [number, number, number] {
    const key = `${t[0]},${t[1]},${t[2]}`;
    const seen = this.triples.get(key);
    if (seen) return seen;
    if (this.triples.size < LIMIT) this.triples.set(key, t);
    return t;
  }
}
