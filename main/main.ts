/**
 * Electron main process: only calls one setup per feature (Electron Fiddle's thin main).
 * Security switches live in window-options.ts and security.ts; IPC only in ipc-hub.ts.
 */
import { app, BrowserWindow, dialog, ipcMain, protocol, safeStorage, session, shell } from 'electron';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_ENTRY, APP_SCHEME } from './app-url.js';
import { guardContents, guardSession, type ExternalLinks } from './security.js';
import { setupProtocol } from './setup-protocol.js';
import { setupWorkbench, type WorkbenchSetup } from './setup-workbench.js';
import { createWindowOptions } from './window-options.js';

/** The project root: dist/main/main.js → ../..; the same from sources. */
const root = [join(dirname(fileURLToPath(import.meta.url)), '..', '..'), join(dirname(fileURLToPath(import.meta.url)), '..')].find((d) => existsSync(join(d, 'package.json')))!;
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
app.enableSandbox();

let workbench: WorkbenchSetup | undefined;

/** Links leave the app only to the system browser, and only after the person says yes. */
const externalLinks: ExternalLinks = {
  confirm: async (url) => {
    const answer = await dialog.showMessageBox({
      type: 'question',
      buttons: ['Open in browser', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      noLink: true,
      title: 'Open a link',
      message: 'Open this link in your web browser?',
      detail: url,
    });
    return answer.response === 0;
  },
  open: (url) => shell.openExternal(url),
};

function createWindow(): void {
  const window = new BrowserWindow(createWindowOptions(join(root, 'dist', 'preload', 'preload.cjs')));
  guardContents(window.webContents, externalLinks);
  workbench?.attach(window.webContents);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_ENTRY);
}

void app.whenReady().then(() => {
  guardSession(session.defaultSession);
  setupProtocol(protocol, join(root, 'dist', 'renderer'));
  workbench = setupWorkbench({
    ipcMain,
    openDialog: (options) => dialog.showOpenDialog(options),
    userDataDir: app.getPath('userData'),
    examplesDir: join(root, 'assets', 'examples'),
    engineVersion: version,
    safeStorage,
  });
  app.on('web-contents-created', (_event, contents) => guardContents(contents, externalLinks));
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', () => {
  void workbench?.close();
});
