/** Renderer entry: picks the transport, builds the store, wires pushed events, renders. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { createFrameBatcher } from './lib/frame-batcher.js';
import { setupMonaco } from './monaco/setup-monaco.js';
import { createWorkbenchStore, setWorkbenchStore } from './store/store.js';
import { loadDesktopRemoteToken, selectTransport } from './transport/select-transport.js';
import './styles.css';

setupMonaco();
let onConnection: ((connected: boolean, reason?: string) => void) | undefined;
// Electron keeps a remote server's token in the main process (safeStorage): ask for it first.
const desktopToken = window.tensorWasmDesktop ? await loadDesktopRemoteToken(window.tensorWasmDesktop).catch(() => undefined) : undefined;
const { api, mode } = selectTransport((connected, reason) => onConnection?.(connected, reason), desktopToken);
const store = createWorkbenchStore({ api, storage: localStorage });
setWorkbenchStore(store);
const state = store.getState();
state.setMode(mode);
onConnection = (connected, reason) => store.getState().setConnection(connected, reason);
// Event batches are taken in at the next frame (10,000 launches a second arrive as 20 batches: the
// work is spread over frames), and the screens are told at most 4 times a second while they keep
// coming (each telling re-renders every screen that shows launches).
const frames = { requestFrame: (cb: () => void) => requestAnimationFrame(cb), setTimer: (cb: () => void, ms: number) => setTimeout(cb, ms), now: () => performance.now() };
const announce = createFrameBatcher(() => store.getState().announceLaunches(), frames, { minIntervalMs: 250 });
const ingest = createFrameBatcher((batch: Parameters<typeof state.ingest>[0]) => {
  store.getState().ingest(batch, true);
  announce([true]);
}, frames);
api.onEvents(ingest);
void state.loadTarget();
void state.loadSettings();
void state.loadModuleLists();
void state.refreshRuns();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
