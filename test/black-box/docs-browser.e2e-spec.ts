import { existsSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { type Browser, chromium } from 'playwright-core';
import { ReferenceApi } from '../../reference-api/main.js';
import { CODE_PATTERN } from '../../src/codes/code-format.js';
import { decodeMessage } from '../../src/queue/code-message.js';
import { type AppProcess, startLocalAppProcess } from '../support/app-process.js';
import { Azurite, drainQueue, sharedQueueClient } from '../support/azurite.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = 'test-output/screenshots';
const KEY = `docs-key-${randomBytes(12).toString('hex')}`;

/**
 * The OpenAPI docs page in a real browser (Debian's Chromium, driven by
 * playwright-core) against the production build with Azurite and the
 * reference API behind it: helmet's Content-Security-Policy must let
 * Swagger UI run, and "Try it out" must get a real code.
 */
describe('the docs page in a browser', () => {
  let azurite: Azurite;
  let referenceApi: ReferenceApi;
  let app: AppProcess;
  let browser: Browser;
  let base: string;
  let queueName: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `No browser at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH`,
      );
    }
    azurite = await Azurite.start();
    referenceApi = new ReferenceApi([KEY]);
    const local = { connectionString: azurite.connectionString, endpoint: await referenceApi.listen(), key: KEY };
    ({ app, base, queueName } = await startLocalAppProcess(local));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop('SIGKILL');
    await referenceApi?.close();
    await azurite?.stop();
  }, 30_000);

  it('runs "Try it out" on GET /api/v1/getcode and shows a 200 with a code', async () => {
    const page = await browser.newPage();
    const blocked: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/.test(message.text())) blocked.push(message.text());
    });
    await page.goto(`${base}/docs`);
    await page.getByRole('button', { name: /^Try it out/ }).click();

    const operation = page.locator('#operations-codes-CodesController_getCode');
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    await operation.getByRole('button', { name: 'Execute' }).click();

    const response = operation.locator('.live-responses-table .response').first();
    await response.locator('.response-col_status').getByText('200').waitFor({ timeout: 15_000 });
    const body = await response.locator('.response-col_description pre').first().innerText();
    const { code } = JSON.parse(body) as { code: string };
    expect(code).toMatch(CODE_PATTERN);
    await page.screenshot({ path: `${SCREENSHOTS}/docs-try-it-out.png`, fullPage: true });

    const messages = await drainQueue(sharedQueueClient(azurite, queueName));
    expect(messages.map((text) => decodeMessage(text).code)).toEqual([code]);
    expect(blocked).toEqual([]);
  }, 60_000);

  it('loads the home page and the docs page with no console error or warning and no failed request', async () => {
    for (const path of ['/', '/docs']) {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('requestfailed', (request) => problems.push(`${request.url()}: ${request.failure()?.errorText}`));
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
      });
      await page.goto(`${base}${path}`, { waitUntil: 'networkidle' });
      if (path === '/docs') {
        // The reference is there at once; Swagger UI, loaded on demand, must start without a complaint too.
        await page.getByRole('heading', { name: /GET \/api\/v1\/getcode/ }).waitFor();
        await page.getByRole('button', { name: /^Try it out/ }).click();
        await page.locator('.swagger-ui .opblock').first().waitFor();
      }
      expect({ path, problems }).toEqual({ path, problems: [] });
      // The icon is a data URL: the browser asks the server for no /favicon.ico.
      expect(await page.locator('link[rel="icon"]').getAttribute('href', { timeout: 1_000 })).toMatch(
        /^data:image\/svg\+xml,/,
      );
      await page.close();
    }
  }, 60_000);

  it('opens Swagger UI at once when a link points into it', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/docs#/codes/CodesController_getCode`);
    await page.locator('#operations-codes-CodesController_getCode').waitFor();
    expect(await page.locator('#reference').isHidden()).toBe(true);
  }, 30_000);

  it('links the docs from the home page', async () => {
    const page = await browser.newPage();
    await page.goto(base);
    await page.getByRole('link', { name: 'API docs' }).click();
    await page.getByRole('heading', { level: 1, name: /azure-integrated-auth API/ }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/docs-from-home.png` });
  }, 30_000);
});
