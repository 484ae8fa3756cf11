/**
 * Issue 13: GraphiQL as a user sees it, in a real headless Chromium (Debian's `chromium` package,
 * driven by playwright-core), with no network but the gateway: every request the page makes to
 * any other origin is aborted and counted (there must be none). The page opens on the example
 * query with the example tabs; running it shows the emulator's newest tickets in the result pane.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_TABS } from '../../src/http/graphiql.ts';
import { type Stack, UNTHROTTLED, withStack } from '../helpers/gateway.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** An editor's text (Monaco lays out spaces as non-breaking ones), spaces collapsed. */
const shownText = async (pane: Locator): Promise<string> =>
  ((await pane.textContent()) ?? '').replace(/\s+/g, ' ');

describe('GraphiQL in a headless browser, offline', () => {
  let stack: Stack;
  withStack(UNTHROTTLED, (s) => {
    stack = s;
  });
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `No Chromium at ${CHROMIUM}: the GraphiQL browser test needs it (apt-get install chromium, or set CHROMIUM_PATH).`,
      );
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A page that may reach the gateway's origin only: everything else is aborted and listed. */
  async function offlinePage(): Promise<{ page: Page; offsite: string[]; failed: string[] }> {
    // Tall enough for the editors to lay out every line of the answer (Monaco draws only the
    // lines in view).
    const page = await browser.newPage({ viewport: { width: 1280, height: 2400 } });
    const offsite: string[] = [];
    const failed: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === stack.gateway.origin) {
        return route.continue();
      }
      offsite.push(url);
      return route.abort('internetdisconnected');
    });
    page.on('requestfailed', (request) => failed.push(request.url()));
    page.on('pageerror', (error) => failed.push(`page error: ${error.message}`));
    return { page, offsite, failed };
  }

  it('loads with no request off the gateway, runs the example query and shows tickets', async () => {
    const newest = await stack.gql<{ tickets: { nodes: { subject: string }[] } }>(
      '{ tickets(first: 5) { nodes { subject } } }',
    );
    const subjects = newest.data?.tickets.nodes.map((node) => node.subject) ?? [];
    expect(subjects).toHaveLength(5);

    const { page, offsite, failed } = await offlinePage();
    try {
      await page.goto(stack.gateway.url, { waitUntil: 'load' });
      // Scripts, styles, workers and icon: all from the page itself.
      expect(offsite).toEqual([]);
      expect(await page.title()).toBe('deskgraph');
      // The example tabs, the first (the welcome query) open.
      const tabs = page.locator('.graphiql-tab');
      await tabs.first().waitFor({ timeout: 15_000 });
      expect(await tabs.count()).toBe(EXAMPLE_TABS.length);
      const editor = page.locator('.graphiql-query-editor');
      await expect
        .poll(() => shownText(editor), { timeout: 10_000 })
        .toContain('tickets(first: 5)');

      await page.locator('.graphiql-execute-button').click();
      const response = page.locator('.graphiql-response');
      await expect
        .poll(() => shownText(response), { timeout: 10_000 })
        .toContain(`"subject": ${JSON.stringify(subjects[0])}`);
      const shown = await shownText(response);
      for (const subject of subjects) {
        expect(shown).toContain(JSON.stringify(subject));
      }
      expect(offsite).toEqual([]);
      expect(failed).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('serves the same whole page on every request: no script, style or worker from elsewhere', async () => {
    const pages: string[] = [];
    for (let i = 0; i < 2; i++) {
      const response = await request(stack.gateway.url, { headers: { accept: 'text/html' } });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      pages.push(await response.body.text());
    }
    expect(pages[1]).toBe(pages[0]);
    const page = pages[0] ?? '';
    expect(page).toContain('<title>deskgraph</title>');
    expect(page).not.toMatch(/<(script|link)[^>]+(src|href)="(https?:)?\/\//);
    expect(page).not.toMatch(/unpkg\.com|jsdelivr|cdnjs/);
  });

  it('every example tab runs against Freshdesk without an error', async () => {
    for (const tab of EXAMPLE_TABS) {
      const variables = tab.variables ? (JSON.parse(tab.variables) as Record<string, unknown>) : {};
      const answer = await stack.gql(tab.query ?? '', variables);
      expect(answer.errors, tab.query ?? '').toBeUndefined();
      expect(answer.data).toBeTruthy();
    }
  });
});
