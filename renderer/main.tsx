/** Renderer entry: picks the transport, builds the store, wires pushed events, renders. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
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
api.onEvents((batch) => store.getState().ingest(batch));
void state.loadTarget();
void state.loadSettings();
void state.loadModuleLists();
void state.refreshRuns();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
