import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { HAVE_CHROMIUM, launchChromium } from './chromium.js';
import { startWorkbenchServer, type RunningServer } from './server.js';
import { openWorkbench } from './workbench-page.js';

export interface OpenOptions {
  /** Another server than the suite's own (a token-guarded one, a remote target). */
  url?: string;
  colorScheme?: 'light' | 'dark';
  /** Runs on the fresh context before the page opens (init scripts, storage). */
  before?: (context: BrowserContext) => Promise<void>;
}

export interface WorkbenchSuite {
  /** The real server and engine serving the built renderer, one per spec file. */
  readonly server: RunningServer;
  readonly browser: Browser;
  /** The context of the page the current test opened (closed after each test). */
  readonly context: BrowserContext | undefined;
  /** A fresh context and page on the workbench; `errors` collects the page's uncaught errors. */
  open(options?: OpenOptions): Promise<{ page: Page; errors: string[]; context: BrowserContext }>;
}

/**
 * The set-up every workbench spec shares: one server and one Chromium per file (started together,
 * they are the slow part), a fresh isolated context per test, everything closed afterwards. Call it
 * at the top of a spec file; it registers the vitest hooks itself.
 */
export function useWorkbenchSuite(): WorkbenchSuite {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) return;
    [server, browser] = await Promise.all([startWorkbenchServer(), launchChromium()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  return {
    get server() {
      if (!server) throw new Error('the workbench server is not running (no Chromium, or beforeAll failed)');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('Chromium is not running');
      return browser;
    },
    get context() {
      return context;
    },
    async open(options = {}) {
      const opened = await openWorkbench(this.browser, options.url ?? this.server.url, {
        ...(options.colorScheme ? { colorScheme: options.colorScheme } : {}),
        ...(options.before ? { before: options.before } : {}),
      });
      context = opened.context;
      return opened;
    },
  };
}

export interface SharedPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** The page's uncaught errors since it opened (all the group's tests). */
  readonly errors: string[];
  /** The page back on the Module screen, where each test of the group starts. */
  atModule(): Promise<{ page: Page; errors: string[]; context: BrowserContext }>;
}

/**
 * One page for the tests of the describe block it is called in, opened once in its beforeAll and
 * closed in its afterAll. A page load is the 3.8 MB renderer bundle parsed and run (2-3 s of CPU
 * each, 5 s and more on a loaded machine), most of a short test: tests whose set-up is the same
 * share it. Each test still does its own set-up from the Module screen (open the module, type its
 * arguments), so it passes alone (`-t`) and does not need an earlier test's state.
 */
export function useSharedPage(suite: WorkbenchSuite, options: Omit<OpenOptions, 'url'> = {}): SharedPage {
  let opened: { page: Page; errors: string[]; context: BrowserContext } | undefined;
  beforeAll(async () => {
    if (!HAVE_CHROMIUM) return;
    opened = await openWorkbench(suite.browser, suite.server.url, {
      ...(options.colorScheme ? { colorScheme: options.colorScheme } : {}),
      ...(options.before ? { before: options.before } : {}),
    });
  }, 120_000);
  afterAll(async () => {
    await opened?.context.close();
  });
  const get = () => {
    if (!opened) throw new Error('the shared page did not open (no Chromium, or beforeAll failed)');
    return opened;
  };
  return {
    get page() {
      return get().page;
    },
    get context() {
      return get().context;
    },
    get errors() {
      return get().errors;
    },
    async atModule() {
      const opened = get();
      await opened.page.click('[data-testid=nav-module]');
      await opened.page.waitForSelector('[data-testid=screen-module]');
      return opened;
    },
  };
}
