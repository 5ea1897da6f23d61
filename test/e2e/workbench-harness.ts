import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ApiRequest } from '../../src-main/api/methods';
import { ExperimentService, type ExperimentServiceOptions } from '../../src-main/service/experiment-service';
import { startWorkbenchServer, type RunningServer } from '../../src-main/server/workbench-server';

const root = fileURLToPath(new URL('../../', import.meta.url));
const rendererDir = join(root, 'out', 'renderer');
/**
 * The README's pictures are these tests' screenshots. They land in
 * resources/readme/ only when asked (VGG_WORKBENCH_README_SCREENSHOTS=1), so an
 * ordinary test run does not rewrite committed files; otherwise in a temp folder.
 */
export const SCREENSHOT_DIR = process.env.VGG_WORKBENCH_README_SCREENSHOTS
  ? join(root, 'resources', 'readme')
  : join(tmpdir(), 'vgg-workbench-e2e-screenshots');
const CHROMIUM = '/usr/bin/chromium';

/** Everything the renderer bundle is built from: a change in any of them makes out/renderer stale. */
const RENDERER_SOURCES = ['src-renderer', 'src-main/api', 'src-main/shared'];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Builds out/ with electron-vite when the renderer is missing or older than its sources (about 20 s). */
export function ensureRendererBuilt(): void {
  const index = join(rendererDir, 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  const sources = Math.max(...RENDERER_SOURCES.map((p) => newestMtime(join(root, p))));
  if (built > sources) return;
  const build = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`electron-vite build failed:\n${build.stderr || build.stdout}`);
}

export interface Workbench {
  /** The app's data folder (temporary). */
  dir: string;
  service: ExperimentService;
  server: RunningServer;
  browser: Browser;
  page: Page;
  /** Console errors and uncaught page errors: a test ends by checking there were none. */
  pageErrors: string[];
  close(): Promise<void>;
}

/**
 * The real thing in browser mode: the service on a temporary database and
 * data folder, the HTTP + WebSocket server serving the built renderer, and
 * Debian's Chromium driven by playwright-core, with the page open.
 */
export async function openWorkbench(
  serviceOptions: Pick<ExperimentServiceOptions, 'systemDatasetDir' | 'datasetBaseUrl' | 'exampleRunsFile' | 'queueUrl'> = {},
): Promise<Workbench> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the end-to-end tests drive Debian's Chromium (apt-get install chromium)`);
  ensureRendererBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'e2e-workbench-'));
  process.env.VGG_WORKBENCH_HOME = dir;
  // No example set unless a test asks for it (first-hour.test.ts): the other tests start from an empty database as they expect.
  const service = ExperimentService.open({ databasePath: join(dir, 'runs.sqlite'), dataDir: dir, exampleRunsFile: null, ...serviceOptions });
  const server = await startWorkbenchServer({ service, host: '127.0.0.1', port: 0, rendererDir });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light', acceptDownloads: true });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // A refused call (400, 404, 409, 503 'unavailable') is part of the app's flow and shown in it; a 500 is a bug.
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() === 500) pageErrors.push(`${response.status()} from ${response.url()}`);
  });
  // With the token, as `serve` prints it: the page's cookie then carries it.
  await page.goto(server.openUrl);
  return {
    dir,
    service,
    server,
    browser,
    page,
    pageErrors,
    async close() {
      await browser.close();
      await server.close();
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A tiny LeNet run on real Fashion-MNIST (wasm, so every machine has the engine): seconds on 2 cores. */
export function tinyRun(overrides: Partial<ApiRequest<'runs.start'>['config']> = {}): ApiRequest<'runs.start'>['config'] {
  return { model: 'lenet', epochs: 2, batchSize: 64, lr: 0.1, trainLimit: 256, testLimit: 100, engine: 'wasm', ...overrides };
}

/** A series as the page's chart inspector reports it (src-renderer/src/components/charts/chart-inspector.ts). */
export interface InspectedSeries {
  name: string;
  type: string;
  data: unknown[];
}
interface PageWithCharts {
  vggWorkbenchCharts?: { series(element: unknown): InspectedSeries[] | null };
}

/** The series a chart's ECharts instance holds, read through the page's chart inspector. */
export function chartSeries(page: Page, testId: string): Promise<InspectedSeries[] | null> {
  return page
    .getByTestId(testId)
    .evaluate((element) => (globalThis as unknown as PageWithCharts).vggWorkbenchCharts?.series(element) ?? null);
}

/** Points of the named series (null when the chart or the series is missing). */
export async function seriesLength(page: Page, testId: string, name: string): Promise<number | null> {
  const series = await chartSeries(page, testId);
  return series?.find((s) => s.name === name)?.data.length ?? null;
}

/** Polls until `check` returns a value that is not undefined; fails with `what` after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Opens a view from the navigation (its links, not the views' own buttons). */
export async function goTo(page: Page, view: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: view, exact: true }).click();
}

/** A README picture of the page as it is now, scrolled to the top. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.evaluate('window.scrollTo(0, 0)');
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}
