// Opens vledger's HTML report pages in a real headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core) and says what each page
// showed. Run by tests/tests/report_html.rs:
//
//   node test/browser/report-page.mjs CASES.json
//
// CASES.json is a list of { file, fragment, keysFile?, screenshot? }: the
// page is opened as file://FILE#FRAGMENT, given the keys file when there
// is one, and waited on until its verdict is settled. Prints one JSON list
// of { verified, state, verdict, text, requests, errors }: the verdict's
// data-verified and data-state, its words, the page's whole text, every
// request to anything but the page itself (none expected: the page is
// self-contained), and script errors.
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.VLEDGER_CHROMIUM ?? '/usr/bin/chromium';

const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const profile = mkdtempSync(join(tmpdir(), 'vledger-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  // The machine may have no network: keep Chromium from reaching out.
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
  viewport: { width: 1000, height: 1400 },
  offline: true,
});
const results = [];
try {
  for (const c of cases) {
    const page = await context.newPage();
    const pageUrl = pathToFileURL(c.file).href;
    const requests = [];
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('request', (r) => { if (!r.url().startsWith(pageUrl)) requests.push(r.url()); });
    await page.goto(c.fragment ? `${pageUrl}#${c.fragment}` : pageUrl);
    const settled = () => page.waitForFunction(
      () => document.getElementById('verdict').getAttribute('data-state') !== 'pending',
      null,
      { timeout: 30000 },
    );
    await settled();
    if (c.keysFile) {
      await page.setInputFiles('#keys-file', c.keysFile);
      await page.waitForFunction(
        () => ['verified', 'failed'].includes(document.getElementById('verdict').getAttribute('data-state')),
        null,
        { timeout: 30000 },
      );
    }
    const verdict = page.locator('#verdict');
    results.push({
      verified: await verdict.getAttribute('data-verified'),
      state: await verdict.getAttribute('data-state'),
      verdict: await verdict.innerText(),
      text: await page.locator('body').innerText(),
      requests,
      errors,
    });
    if (c.screenshot) await page.screenshot({ path: c.screenshot, fullPage: true });
    await page.close();
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(results)}\n`);
