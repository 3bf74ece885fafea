import { useEffect, useState } from 'react';
import type { WorkbenchSettings } from '../../contract/workbench.js';
import { checkRemoteUrl, loadRemoteTarget, storeRemoteTarget } from '../transport/select-transport.js';
import { getWorkbenchStore, useWorkbench } from '../store/store.js';

const MiB = 1024 * 1024;

function RemoteTarget() {
  const saved = loadRemoteTarget();
  const target = useWorkbench((s) => s.target);
  const connected = useWorkbench((s) => s.connected);
  const reason = useWorkbench((s) => s.connectionReason);
  const loadError = useWorkbench((s) => s.settingsLoadError);
  const mode = useWorkbench((s) => s.mode);
  const [url, setUrl] = useState(saved?.url ?? '');
  const [token, setToken] = useState(saved?.token ?? '');
  const problem = url ? checkRemoteUrl(url) : undefined;
  // The transport is chosen at start-up; switching target reloads the window with the new one.
  // In Electron the token is handed to the main process (safeStorage), not kept in localStorage.
  const apply = (target: { url: string; token: string } | undefined) => {
    void storeRemoteTarget(target).then(() => window.location.reload());
  };
  return (
    <section className="card" data-testid="target-card">
      <h2>Target</h2>
      <p data-testid="target-current">
        In use: <b className="mono">{target ? target.label : saved ? saved.url : mode === 'electron' ? 'this machine' : 'this server'}</b>{' '}
        {connected && !loadError ? <span className="badge ok">connected</span> : <span className="badge err">unreachable</span>}
      </p>
      {loadError || (!connected && reason) ? (
        <p className="error" data-testid="target-error">
          {loadError ? <><b>{loadError.code}</b>: {loadError.message}</> : reason}
          {loadError?.code === 'unauthorized' ? ' — enter this server’s token below (or switch back to this machine).' : null}
        </p>
      ) : null}
      <p className="hint">Run modules on this machine's engine, or on a TensorWasm server (started with <span className="mono">tensor-wasm serve --ui</span>) — e.g. a GPU box driven from a laptop.</p>
      <div className="form-grid">
        <label>Server URL<input className="mono" value={url} placeholder="http://gpu-box:8080" onChange={(e) => setUrl(e.target.value)} data-testid="remote-url" /></label>
        <label>Token<input type="password" value={token} onChange={(e) => setToken(e.target.value)} data-testid="remote-token" /></label>
      </div>
      {problem ? <p className="error">{problem}</p> : null}
      <div className="row">
        <button className="primary" disabled={!url || !!problem} onClick={() => apply({ url, token })} data-testid="use-remote">Use this server</button>
        <button disabled={!saved} onClick={() => apply(undefined)} data-testid="use-local">Use this machine</button>
      </div>
    </section>
  );
}

export function SettingsScreen() {
  const settings = useWorkbench((s) => s.settings);
  const devices = useWorkbench((s) => s.devices);
  const error = useWorkbench((s) => s.settingsError);
  const devicesError = useWorkbench((s) => s.devicesError);
  const loadError = useWorkbench((s) => s.settingsLoadError);
  const [draft, setDraft] = useState<WorkbenchSettings | undefined>(settings);
  const [saved, setSaved] = useState(false);
  useEffect(() => setDraft(settings), [settings]);
  useEffect(() => {
    void getWorkbenchStore().getState().loadSettings();
  }, []);
  // The target card always renders: with an unreachable target or a rejected token the settings
  // never load, and switching target is the way out.
  if (!draft)
    return (
      <div className="screen" data-testid="screen-settings">
        <section className="card">
          <h2>Engine</h2>
          {loadError ? (
            <p className="error" data-testid="settings-load-error">Cannot read the settings — <b>{loadError.code}</b>: {loadError.message}</p>
          ) : (
            <p className="hint">Loading settings…</p>
          )}
        </section>
        <RemoteTarget />
      </div>
    );
  const set = (patch: Partial<WorkbenchSettings>) => {
    setSaved(false);
    setDraft({ ...draft, ...patch, offload: { ...draft.offload, ...(patch.offload ?? {}) } });
  };
  const save = async () => setSaved(await getWorkbenchStore().getState().updateSettings(draft));
  return (
    <div className="screen" data-testid="screen-settings">
      <section className="card">
        <h2>Engine</h2>
        <div className="form-grid">
          <label>
            Device
            <select value={draft.device} onChange={(e) => set({ device: e.target.value as WorkbenchSettings['device'] })} data-testid="setting-device">
              <option value="auto">auto</option>
              <option value="cpu">cpu</option>
              <option value="cuda">cuda</option>
            </select>
          </label>
          <label>Deadline (ms)<input type="number" min={1} value={draft.deadlineMs} onChange={(e) => set({ deadlineMs: Number(e.target.value) })} data-testid="setting-deadline" /></label>
          <label>Memory cap (MiB)<input type="number" min={1} value={Math.round(draft.maxMemoryBytes / MiB)} onChange={(e) => set({ maxMemoryBytes: Number(e.target.value) * MiB })} /></label>
          <label>
            Log level
            <select value={draft.logLevel} onChange={(e) => set({ logLevel: e.target.value as WorkbenchSettings['logLevel'] })}>
              {['error', 'warn', 'info', 'debug', 'trace'].map((l) => <option key={l}>{l}</option>)}
            </select>
          </label>
          <label className="check"><input type="checkbox" checked={draft.offload.enabled} onChange={(e) => set({ offload: { ...draft.offload, enabled: e.target.checked } })} data-testid="setting-offload" /> Auto-offload</label>
          <label>Offload trip-count threshold<input type="number" min={1} value={draft.offload.tripCountThreshold} onChange={(e) => set({ offload: { ...draft.offload, tripCountThreshold: Number(e.target.value) } })} /></label>
          <label>Offload v128 ratio threshold<input type="number" min={0} max={1} step={0.05} value={draft.offload.v128RatioThreshold} onChange={(e) => set({ offload: { ...draft.offload, v128RatioThreshold: Number(e.target.value) } })} /></label>
          <label>
            Theme
            <select value={draft.theme} onChange={(e) => set({ theme: e.target.value as WorkbenchSettings['theme'] })}>
              <option value="system">follow the system</option>
              <option value="dark">dark</option>
              <option value="light">light</option>
            </select>
          </label>
        </div>
        <div className="row">
          <button className="primary" onClick={() => void save()} data-testid="settings-save">Save</button>
          {saved ? <span className="badge ok">saved</span> : null}
        </div>
        {error ? <p className="error" data-testid="settings-error"><b>{error.code}</b>: {error.message}</p> : null}
      </section>
      <section className="card">
        <h2>Devices</h2>
        {devicesError ? <p className="error" data-testid="devices-error">Cannot list devices — <b>{devicesError.code}</b>: {devicesError.message}</p> : null}
        <table className="grid-table" data-testid="devices">
          <thead><tr><th>Id</th><th>Name</th><th>Available</th><th>Details</th></tr></thead>
          <tbody>
            {devices.map((d) => (
              <tr key={d.id}>
                <td className="mono">{d.id}</td>
                <td>{d.name}</td>
                <td>{d.available ? <span className="badge ok">yes</span> : <span className="badge err">no</span>}</td>
                <td>{d.available ? [d.computeCapability && `sm ${d.computeCapability}`, d.totalMemoryBytes && `${Math.round(d.totalMemoryBytes / MiB)} MiB`, `${d.maxThreadsPerBlock} threads/block`].filter(Boolean).join(' · ') : d.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <RemoteTarget />
    </div>
  );
}
