import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { expect } from 'vitest';
import { freshContext } from './chromium.js';

export const ROOT = join(import.meta.dirname, '..', '..');

/** A fresh context and page on the workbench at `url`; page errors fail the test at the end. */
export async function openWorkbench(browser: Browser, url: string, options: { colorScheme?: 'light' | 'dark'; before?: (context: BrowserContext) => Promise<void> } = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await freshContext(browser, options.colorScheme ? { colorScheme: options.colorScheme } : {});
  await options.before?.(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('[data-testid=screen-module]');
  return { context, page, errors };
}

export async function typeArgs(page: Page, text: string): Promise<void> {
  await page.click('[data-testid=args-editor] .monaco-editor .view-lines');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text);
}

export async function openExample(page: Page, id: string): Promise<void> {
  await page.click(`[data-testid=example-${id}]`);
  await page.waitForSelector('[data-testid=screen-invoke]');
}

export async function uploadFixture(page: Page, rel: string): Promise<void> {
  await page.setInputFiles('[data-testid=file-input]', join(ROOT, rel));
  await page.waitForSelector('[data-testid=screen-invoke]');
}

/** Clicks an export button and returns the downloaded file's text. */
export async function downloadText(page: Page, selector: string): Promise<string> {
  const [download] = (await Promise.all([page.waitForEvent('download'), page.locator(selector).first().click()])) as [Download, void];
  return readFileSync((await download.path())!, 'utf8');
}

export function expectNoPageErrors(errors: string[]): void {
  expect(errors).toEqual([]);
}
