import { GridView } from '../components/GridView.js';
import { KernelSummary } from '../components/KernelSummary.js';
import { LaunchTable } from '../components/LaunchTable.js';
import { useWorkbench } from '../store/store.js';

export function LaunchesScreen() {
  const count = useWorkbench((s) => (s.launchVersion, s.launches.items.length));
  const running = useWorkbench((s) => s.activeRunId);
  return (
    <div className="screen" data-testid="screen-launches">
      <section className="card">
        <h2>
          Launches <span className="badge" data-testid="launch-count">{count}</span> {running ? <span className="spinner" aria-label="running" /> : null}
        </h2>
        <LaunchTable />
      </section>
      <div className="two-col">
        <section className="card">
          <h3>Grid</h3>
          <GridView />
        </section>
        <section className="card">
          <h3>Per-kernel summary</h3>
          <KernelSummary />
        </section>
      </div>
    </div>
  );
}
