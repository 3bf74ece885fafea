import { useState } from 'react';
import { presetsFor } from '../lib/presets.js';
import { getWorkbenchStore, useWorkbench } from '../store/store.js';

/** The module's saved invocations: one button each (Alt+1…9), and saving what the screen holds now. */
export function PresetBar() {
  const moduleName = useWorkbench((s) => s.module?.name);
  const all = useWorkbench((s) => s.settings?.presets);
  const running = useWorkbench((s) => !!s.activeRunId);
  const [name, setName] = useState('');
  const store = getWorkbenchStore().getState();
  if (!moduleName) return null;
  const presets = presetsFor(all, moduleName);
  const save = async () => {
    if (await store.savePreset(name)) setName('');
  };
  return (
    <div className="row presets" data-testid="presets">
      <span className="hint">Presets</span>
      {presets.length === 0 ? <span className="hint" data-testid="presets-empty">none yet: name what is set now and save it</span> : null}
      {presets.map((p, i) => (
        <span key={p.name} className="preset" data-testid={`preset-${i + 1}`}>
          <button onClick={() => void store.runPreset(i)} disabled={running} title={`${p.exportName}(${p.argsJson.length > 80 ? `${p.argsJson.slice(0, 80)}…` : p.argsJson})`} data-testid={`preset-run-${i + 1}`}>
            {i < 9 ? <span className="kbd">Alt+{i + 1}</span> : null} {p.name} <span className="hint">{p.exportName}</span>
          </button>
          <button className="link" aria-label={`delete preset ${p.name}`} onClick={() => void store.deletePreset(p.name)} data-testid={`preset-delete-${i + 1}`}>×</button>
        </span>
      ))}
      <input
        className="preset-name"
        placeholder="preset name"
        maxLength={80}
        value={name}
        onChange={(e) => setName(e.target.value)}
        onKeyDown={(e) => { if (e.key === 'Enter') void save(); }}
        data-testid="preset-name"
      />
      <button onClick={() => void save()} disabled={!name.trim()} data-testid="preset-save">Save preset</button>
    </div>
  );
}
