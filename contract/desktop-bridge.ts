/**
 * What only the desktop app offers the renderer besides the WorkbenchApi: a remote server's token
 * kept by the main process (encrypted with the OS keychain through Electron's safeStorage), never
 * in the renderer's localStorage. Exposed by preload/ as `window.tensorWasmDesktop`, one function
 * per channel, each resolving to an IpcReply like the workbench bridge. Plain types only.
 */
import type { IpcReply } from './workbench.js';

export const DESKTOP_CHANNELS = {
  getRemoteToken: 'desktop:getRemoteToken',
  setRemoteToken: 'desktop:setRemoteToken',
} as const;

export type DesktopMethod = keyof typeof DESKTOP_CHANNELS;

export interface DesktopApi {
  /** The token saved for this server's origin, or null (none saved, or saved for another origin). */
  getRemoteToken(url: string): Promise<string | null>;
  /** Saves the token for this server's origin (null clears it); `persisted` is false when the OS offers no encryption (kept for this session only). */
  setRemoteToken(url: string, token: string | null): Promise<{ persisted: boolean }>;
}

export type DesktopBridge = { [M in DesktopMethod]: (...args: Parameters<DesktopApi[M]>) => Promise<IpcReply<Awaited<ReturnType<DesktopApi[M]>>>> };
