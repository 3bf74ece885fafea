/**
 * The workbench's Content-Security-Policy, sent as a response header for every app:// document
 * (and repeated in renderer/index.html for browser mode). Scripts only from the app itself; no
 * eval, no inline scripts, no plugins. Inline styles are allowed because Monaco injects its
 * stylesheet at run time. `connect-src http: https:` lets the renderer reach a remote target.
 */
export const WORKBENCH_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self' http: https:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
