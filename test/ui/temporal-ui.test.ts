import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCodecProxy } from '../../scripts/local/codec-proxy.js';
import { projectRoot } from '../../scripts/local/temporal-server.js';
import { eventually } from '../helpers/stack.js';
import { startLocalStack, type LocalStack } from './local-stack.js';

/**
 * What support sees in the Temporal UI (docs/testing.md, "The browser test"): `npm start`'s own stack, its demo
 * export run opened in headless Chromium. Through the local codec proxy the run's input and result are plaintext;
 * when the codec refuses (a proxy with a wrong token), the UI shows the ciphertext and no work order data.
 */
const screenshots = path.join(projectRoot, 'reports', 'ui');
const codecError = 'Codec Server could not connect';

let stack: LocalStack;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  stack = await startLocalStack();
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** The run page's "Input" and "Result" panels as the page shows them (text between the headings). */
async function inputAndResult(page: Page): Promise<{ text: string; input: string; result: string } | undefined> {
  const text = await page.locator('body').innerText();
  const m = /\nInput\s*⌄?\s*\n([\s\S]*?)\nResult\s*⌄?\s*\n([\s\S]*?)\n(?:Event History|Timeline)/.exec(text);
  return m ? { text, input: m[1].trim(), result: m[2].trim() } : undefined;
}

describe('Temporal UI of npm start', () => {
  it('shows the export run of the demo work order decoded: input and result in plaintext, no codec error', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
    const decodes: number[] = [];
    page.on('response', (r) => { if (r.url().startsWith(`${stack.codecUrl}/decode`)) decodes.push(r.status()); });
    await page.goto(stack.demoRunUrl, { timeout: 120_000 });
    try {
      const shown = await eventually(async () => {
        const s = await inputAndResult(page);
        return s?.input.includes(`"workOrderId": "${stack.demoWorkOrderId}"`) && s.result.includes('"state": "sent"') ? s : undefined;
      }, 120_000, 500);
      expect(shown.input).toContain('"tenantId": "demo"');
      expect(shown.text).not.toContain(codecError);
      // The UI called the codec the way it does (…/decode?preserveStorageRefs=true), and the proxy answered.
      expect(decodes.length).toBeGreaterThan(0);
      expect(decodes.every((s) => s === 200)).toBe(true);
    } finally {
      await page.screenshot({ path: path.join(screenshots, 'decoded.png'), fullPage: true });
      await page.close();
    }
  });

  it('shows ciphertext and not the work order data when the codec refuses (wrong token)', async () => {
    const wrong = await startCodecProxy({ port: 0, apiUrl: stack.apiUrl, supportToken: 'not-a-support-token', uiOrigins: [new URL(stack.uiUrl).origin] });
    const context = await browser.newContext({ viewport: { width: 1400, height: 1600 } });
    const refusals: number[] = [];
    // The UI's codec endpoint, answered by the proxy with the wrong token instead of npm start's.
    await context.route(`${stack.codecUrl}/**`, async (route) => {
      const url = new URL(route.request().url());
      const response = await route.fetch({ url: `${wrong.url}${url.pathname}${url.search}` });
      refusals.push(response.status());
      await route.fulfill({ response });
    });
    const page = await context.newPage();
    try {
      await page.goto(stack.demoRunUrl, { timeout: 120_000 });
      const shown = await eventually(async () => {
        const s = await inputAndResult(page);
        return s && /^"[A-Za-z0-9+/]{40,}={0,2}"$/.test(s.input) && /^"[A-Za-z0-9+/]{40,}={0,2}"$/.test(s.result) ? s : undefined;
      }, 120_000, 500);
      expect(shown.input).not.toContain(stack.demoWorkOrderId);
      expect(shown.result).not.toContain('sent');
      expect(shown.text).not.toContain('"workOrderId"');
      expect(shown.text).toContain(codecError);
      expect(refusals.length).toBeGreaterThan(0);
      expect(refusals.every((s) => s === 401)).toBe(true);
    } finally {
      await page.screenshot({ path: path.join(screenshots, 'refused.png'), fullPage: true });
      await context.close();
      await wrong.stop();
    }
  });
});
