import { useEffect, useState, type DragEvent } from 'react';
import { useTheme } from './components/theme.js';
import { keyAction } from './lib/keys.js';
import { CompareScreen } from './screens/CompareScreen.js';
import { InvokeScreen } from './screens/InvokeScreen.js';
import { LaunchesScreen } from './screens/LaunchesScreen.js';
import { ModuleScreen, openFiles } from './screens/ModuleScreen.js';
import { RunsScreen } from './screens/RunsScreen.js';
import { SettingsScreen } from './screens/SettingsScreen.js';
import { TimelineScreen } from './screens/TimelineScreen.js';
import { getWorkbenchStore, useWorkbench } from './store/store.js';
import type { Screen } from './store/ui-slice.js';

const SCREENS: { id: Screen; label: string }[] = [
  { id: 'module', label: 'Module' },
  { id: 'invoke', label: 'Invoke' },
  { id: 'launches', label: 'Launches' },
  { id: 'timeline', label: 'Timeline' },
  { id: 'compare', label: 'Offload compare' },
  { id: 'runs', label: 'Runs' },
  { id: 'settings', label: 'Settings' },
];

function TitleBar() {
  const target = useWorkbench((s) => s.target);
  const mode = useWorkbench((s) => s.mode);
  const connected = useWorkbench((s) => s.connected);
  const reason = useWorkbench((s) => s.connectionReason);
  const module = useWorkbench((s) => s.module);
  return (
    <header className="titlebar">
      <span className="brand">TensorWasm</span>
      <span className="module-name">{module ? module.name : 'no module'}</span>
      <span className="spacer" />
      <span className={`target ${connected ? '' : 'down'}`} data-testid="target" title={reason ?? ''}>
        <span className="dot" /> {target ? target.label : mode === 'remote' ? 'remote server' : 'connecting…'}
        {target ? <span className="hint"> · engine {target.engineVersion}</span> : null}
        {!connected && reason ? <span className="hint"> · {reason}</span> : null}
      </span>
    </header>
  );
}

export function App() {
  const screen = useWorkbench((s) => s.screen);
  const notice = useWorkbench((s) => s.notice);
  const theme = useTheme();
  const [dragging, setDragging] = useState(false);
  const store = getWorkbenchStore().getState();

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const action = keyAction(e, SCREENS.map((s) => s.id));
      if (!action) return;
      const s = getWorkbenchStore().getState();
      // Monaco binds Ctrl/⌘+Enter itself (the argument editor runs on it): do not run twice.
      if (action.kind === 'run' && e.target instanceof Element && e.target.closest('.monaco-editor')) return;
      e.preventDefault();
      if (action.kind === 'run') {
        if (s.screen === 'invoke') void s.invoke();
      } else if (action.kind === 'cancel') {
        if (s.activeRunId) void s.cancelInvoke();
        else if (s.compareRunning) void s.cancelCompare();
      } else if (action.kind === 'open') {
        if (s.target?.nativeDialogs) void s.pickModule();
        else document.querySelector<HTMLInputElement>('[data-testid=file-input]')?.click() ?? s.setScreen('module');
      } else if (action.kind === 'preset') {
        if (s.module) {
          s.setScreen('invoke');
          void s.runPreset(action.index);
        }
      } else s.setScreen(action.screen);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    void openFiles(e.dataTransfer.files);
  };

  return (
    <div className="app" onDragOver={(e) => { e.preventDefault(); setDragging(true); }} onDragLeave={() => setDragging(false)} onDrop={onDrop}>
      <TitleBar />
      <nav className="nav">
        {SCREENS.map((s, i) => (
          <button key={s.id} className={screen === s.id ? 'active' : ''} aria-current={screen === s.id ? 'page' : undefined} onClick={() => store.setScreen(s.id)} data-testid={`nav-${s.id}`} title={`Ctrl/⌘+${i + 1}`}>
            {s.label}
          </button>
        ))}
      </nav>
      <main className="main">
        {notice ? (
          <div className={`notice ${notice.kind}`} role="alert">
            {notice.text} <button className="link" onClick={() => store.dismissNotice()}>dismiss</button>
          </div>
        ) : null}
        {screen === 'module' ? <ModuleScreen /> : null}
        {screen === 'invoke' ? <InvokeScreen /> : null}
        {screen === 'launches' ? <LaunchesScreen /> : null}
        {screen === 'timeline' ? <TimelineScreen /> : null}
        {screen === 'compare' ? <CompareScreen /> : null}
        {screen === 'runs' ? <RunsScreen /> : null}
        {screen === 'settings' ? <SettingsScreen /> : null}
      </main>
      {dragging ? <div className="drop-overlay">Drop a .wasm module to open it</div> : null}
    </div>
  );
}
