// The developer portal in a real browser: Debian's Chromium driven by playwright-core, against
// a test server on a real 127.0.0.1 port serving the built portal at /portal. Screenshots go to
// test-artifacts/portal/ (kept by CI as artefacts).
import { existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServedTestContext } from './real-port.ts';
import type { TestContextOptions } from './test-context.ts';
import { DEFAULT_PORTAL_DIR } from '../../src/http/portal.ts';

export const CHROMIUM_PATH = process.env.FIELDLINE_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(process.cwd(), 'test-artifacts', 'portal');

/**
 * Why the browser suites cannot run here, or false when they can. CI sets
 * FIELDLINE_REQUIRE_BROWSER=1, so a missing Chromium fails there instead of skipping. They run
 * on PGlite (the server a new user starts): the PostgreSQL pass of CI leaves them out.
 */
export function browserSkipReason(): string | false {
  if (process.env.DATABASE_URL) return 'browser suites run on the embedded PGlite pass only';
  if (existsSync(CHROMIUM_PATH)) return false;
  if (process.env.FIELDLINE_REQUIRE_BROWSER === '1')
    throw new Error(
      `FIELDLINE_REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`,
    );
  return `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`;
}

/**
 * The build to serve: FIELDLINE_TEST_PORTAL_DIR when set (a build of one's own, made with
 * `node scripts/build-portal.js --outDir DIR`), else web/dist, built once if this checkout has
 * none yet (npm ci's prepare step normally made it).
 */
function portalBuild(): string {
  const own = process.env.FIELDLINE_TEST_PORTAL_DIR;
  if (own) return own;
  const built = ['index.html', 'customer.html'].every((page) => existsSync(join(DEFAULT_PORTAL_DIR, page)));
  if (built) return DEFAULT_PORTAL_DIR;
  const build = spawnSync(process.execPath, ['scripts/build-portal.js'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build:portal failed');
  return DEFAULT_PORTAL_DIR;
}

/** Debian's headless Chromium, with nothing of its own calling out. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface PortalSession {
  /** http://127.0.0.1:<port> */
  base: string;
  t: Awaited<ReturnType<typeof createServedTestContext>>['t'];
  browser: Browser;
  page: Page;
  /** Errors the page threw or logged (a test can assert there were none). */
  pageErrors: string[];
  /** Opens a portal path, e.g. `/keys`. */
  open(path: string): Promise<void>;
  /** Saves test-artifacts/portal/<name>.png (the whole page). */
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startPortal(
  options: TestContextOptions & { viewport?: { width: number; height: number } } = {},
): Promise<PortalSession> {
  const portalDir = portalBuild();
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const { viewport = { width: 1280, height: 860 }, ...contextOptions } = options;
  const served = await createServedTestContext({ webhooks: { allowPrivate: true }, portalDir, ...contextOptions });
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport, baseURL: served.base });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: served.base });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return {
    base: served.base,
    t: served.t,
    browser,
    page,
    pageErrors,
    open: async (path) => {
      await page.goto(`/portal${path}`);
    },
    screenshot: async (name) => {
      await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
    },
    close: async () => {
      await browser.close();
      await served.close();
    },
  };
}

let people = 0;

/** Signs a new person up through the portal's form; lands on the overview. */
export async function signUpInPortal(
  portal: PortalSession,
  name = 'Ada Lovelace',
  company = 'Ada Plumbing',
): Promise<{ email: string; password: string }> {
  const email = `portal-${process.pid}-${Date.now()}-${++people}@example.com`;
  const password = 'correct horse battery staple';
  await portal.open('/sign-up');
  await portal.page.getByLabel('Your name').fill(name);
  await portal.page.getByLabel('Email').fill(email);
  await portal.page.getByLabel('Password').fill(password);
  await portal.page.getByLabel('Company name').fill(company);
  await portal.page.getByRole('button', { name: 'Create account' }).click();
  await portal.page.getByRole('navigation', { name: 'Portal' }).waitFor();
  return { email, password };
}
