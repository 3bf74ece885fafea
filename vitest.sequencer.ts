/**
 * The order `npm test` starts its test files in: the browser specs (e2e/, about half of the suite's
 * time, a minute or more each) first, then vitest's own order. Vitest schedules slow files first
 * only from the durations it cached in an earlier run; on a fresh clone (CI) it has none, and the
 * long specs started last ran alone on one of the two workers while the other sat idle.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export class BrowserSpecsFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isSpec = (f: TestSpecification): boolean => /[\\/]e2e[\\/].*\.spec\.ts$/.test(f.moduleId);
    return [...sorted.filter(isSpec), ...sorted.filter((f) => !isSpec(f))];
  }
}
