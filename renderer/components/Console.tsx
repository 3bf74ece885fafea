import { useEffect, useRef } from 'react';
import { useWorkbench } from '../store/store.js';

/** stdout/stderr of the current run, with the workbench's own ▶/✓/✗ lines. */
export function Console() {
  const lines = useWorkbench((s) => s.console);
  const ref = useRef<HTMLPreElement>(null);
  useEffect(() => {
    ref.current?.scrollTo({ top: ref.current.scrollHeight });
  }, [lines]);
  return (
    <section className="card">
      <h3>Console</h3>
      <pre className="console" ref={ref} data-testid="console">
        {lines.map((l, i) => (
          <span key={i} className={`c-${l.stream}`}>
            {l.text}
            {l.text.endsWith('\n') ? '' : '\n'}
          </span>
        ))}
      </pre>
    </section>
  );
}
