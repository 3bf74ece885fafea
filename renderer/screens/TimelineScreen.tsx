import { LaunchDetails } from '../components/LaunchDetails.js';
import { Timeline } from '../components/Timeline.js';
import { getWorkbenchStore, useWorkbench } from '../store/store.js';

export function TimelineScreen() {
  const running = useWorkbench((s) => s.activeRunId);
  const shownRun = useWorkbench((s) => s.shownRun);
  const runs = useWorkbench((s) => s.runs);
  const past = shownRun ? runs.find((r) => r.runId === shownRun) : undefined;
  const runB = useWorkbench((s) => s.timelineB);
  return (
    <div className="screen wide" data-testid="screen-timeline">
      <section className="card">
        <h2>
          Timeline {running ? <span className="spinner" aria-label="running" /> : null}
          {shownRun ? <span className="badge" data-testid="timeline-past-run"> past run {past ? `${past.exportName} · ${new Date(past.startedAt).toLocaleTimeString()}` : shownRun}</span> : null}
        </h2>
        {runB ? (
          <p className="row" data-testid="timeline-side-by-side">
            <span className="badge">B</span> {runB.exportName}({runB.argsJson.slice(1, -1).slice(0, 40)}) · {new Date(runB.startedAt).toLocaleTimeString()} · {runB.launches.length + runB.launchesDropped} launches — under A, both aligned at their start
            <button onClick={() => getWorkbenchStore().getState().closeSideBySide()} data-testid="timeline-close-b">Close B</button>
          </p>
        ) : null}
        <p className="hint">Wheel or W/S zoom · drag or A/D pan · F fits · Z zooms to the selected launch · click a slice to select its launch.</p>
        <Timeline />
      </section>
      <section className="card">
        <h3>Launch details</h3>
        <LaunchDetails />
      </section>
    </div>
  );
}
