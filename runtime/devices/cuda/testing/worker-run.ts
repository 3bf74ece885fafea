/** Test support: runs vector_add on a CudaDevice inside worker threads, as the engine's instances do. */
import { startWorker } from '../../../node/worker-url.js';

export interface WorkerOutcome {
  thread: number;
  label?: string;
  wrong?: number;
  error?: string;
}

export async function runWorkers(count: number): Promise<WorkerOutcome[]> {
  return Promise.all(
    Array.from(
      { length: count },
      (_, i) =>
        new Promise<WorkerOutcome>((resolve) => {
          const worker = startWorker(import.meta.url, './worker-entry', { workerData: { n: 300 + i * 100 } });
          worker.once('message', (m: WorkerOutcome) => {
            resolve(m);
            void worker.terminate();
          });
          worker.once('error', (e) => resolve({ thread: -1, error: String(e) }));
        }),
    ),
  );
}
