/**
 * Debian's Chromium driven headless through playwright-core (which never downloads a browser
 * here: we give it /usr/bin/chromium). A fresh profile per use; every request that is not a local
 * file is refused and recorded; the browser is closed even when the test fails, and the caller can
 * check that no process of that profile is left.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface OpenedPage {
  page: Page;
  /** console.error messages and uncaught page errors. */
  errors: string[];
  /** URLs the page tried to load that are not file:// (all refused). */
  blocked: string[];
}

export interface Chromium {
  open(fileUrl: string): Promise<OpenedPage>;
  profileDir: string;
}

/** PIDs of processes whose command line names this profile directory. */
export async function processesUsing(profileDir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = await readFile(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes(profileDir)) pids.push(Number(entry));
    } catch {
      // The process ended meanwhile.
    }
  }
  return pids;
}

export async function withChromium<T>(fn: (c: Chromium) => Promise<T>): Promise<T> {
  const profileDir = await mkdtemp(join(tmpdir(), 'kos-chromium-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1400, height: 900 },
    });
    const ctx = context;
    const open = async (fileUrl: string): Promise<OpenedPage> => {
      const page = await ctx.newPage();
      const errors: string[] = [];
      const blocked: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.route('**/*', async (route) => {
        const url = route.request().url();
        if (url.startsWith('file://')) await route.continue();
        else {
          blocked.push(url);
          await route.abort();
        }
      });
      await page.goto(fileUrl, { waitUntil: 'load' });
      return { page, errors, blocked };
    };
    return await fn({ open, profileDir });
  } finally {
    await context?.close();
    await rm(profileDir, { recursive: true, force: true });
  }
}
