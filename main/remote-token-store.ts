/**
 * A remote server's token, kept by the main process and encrypted at rest with Electron's
 * safeStorage (the OS keychain / DPAPI / libsecret), instead of in plain text in the renderer's
 * localStorage. The token is bound to the origin it was saved for: asking with another origin
 * gets nothing, so a changed URL never receives the old server's token. When the OS offers no
 * encryption the token is kept in memory for this session only (never written in clear).
 * Pure of Electron imports: safeStorage is injected, so tests run under Node.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Electron's safeStorage, reduced to what is used. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(text: string): Buffer;
  decryptString(data: Buffer): string;
}

interface SavedToken {
  origin: string;
  /** safeStorage ciphertext, base64. */
  token: string;
}

function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

export class RemoteTokenStore {
  /** The session-only token when encryption is unavailable. */
  private memory: { origin: string; token: string } | undefined;

  constructor(
    private readonly file: string,
    private readonly safeStorage: SafeStorageLike,
  ) {}

  async get(url: string): Promise<string | null> {
    const origin = originOf(url);
    if (!origin) return null;
    if (this.memory) return this.memory.origin === origin ? this.memory.token : null;
    let saved: SavedToken;
    try {
      saved = JSON.parse(await readFile(this.file, 'utf8')) as SavedToken;
    } catch {
      return null;
    }
    if (saved?.origin !== origin || typeof saved.token !== 'string' || !this.safeStorage.isEncryptionAvailable()) return null;
    try {
      return this.safeStorage.decryptString(Buffer.from(saved.token, 'base64'));
    } catch {
      return null; // written under another OS account or keychain: as good as none
    }
  }

  async set(url: string, token: string | null): Promise<{ persisted: boolean }> {
    const origin = originOf(url);
    this.memory = undefined;
    await rm(this.file, { force: true });
    if (token === null || !origin) return { persisted: false };
    if (!this.safeStorage.isEncryptionAvailable()) {
      this.memory = { origin, token };
      return { persisted: false };
    }
    const saved: SavedToken = { origin, token: this.safeStorage.encryptString(token).toString('base64') };
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(saved), { mode: 0o600 });
    await rename(tmp, this.file);
    return { persisted: true };
  }
}
