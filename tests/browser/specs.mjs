// specs.mjs: the browser tests for opex serve, run by tests/browser/run.
// playwright-core drives Debian's /usr/bin/chromium (never a downloaded
// browser). Needs OPEX_URL (the server), OPEX_SHOTS (a folder for
// screenshots), and for the launch board OPEX_AUTH_URL (a server with
// --auth on a copy of the sample handbook) with OPEX_TOKEN_APPROVER (sari,
// an approver of the design gate) and OPEX_TOKEN_OTHER (tom, no gate).
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = process.env.OPEX_URL;
const shots = process.env.OPEX_SHOTS;
assert.ok(base && shots, 'set OPEX_URL and OPEX_SHOTS');
const authBase = process.env.OPEX_AUTH_URL;
const approverToken = process.env.OPEX_TOKEN_APPROVER;
const otherToken = process.env.OPEX_TOKEN_OTHER;
const board = '/launches/france-in-app-disputes.md';

const profile = mkdtempSync(join(tmpdir(), 'opex-chromium-'));
// A fresh profile folder: playwright passes it as --user-data-dir.
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.OPEX_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});

const specs = [];
const spec = (name, fn) => specs.push({ name, fn });

spec('search-as-you-type shows highlighted results', async (page) => {
  await page.goto(base + '/');
  await page.locator('#q').pressSequentially('chargeback', { delay: 30 });
  const mark = page.locator('#results .result mark').first();
  await mark.waitFor();
  assert.match((await mark.textContent()).toLowerCase(), /chargeback/);
  assert.ok(await page.locator('#results .result a').count() > 0);
  await page.screenshot({ path: join(shots, 'search.png'), fullPage: true });
});

spec('search works without JavaScript (form submit)', async (page) => {
  await page.goto(base + '/search?q=dispute');
  assert.ok(await page.locator('#results .result mark').count() > 0);
});

spec('open an article from the results', async (page) => {
  await page.goto(base + '/');
  await page.locator('#q').fill('lost card');
  await page.locator('#q').dispatchEvent('input');
  // quick texts are found too: open the first article
  const first = page.locator('#results .result a[href^="/articles/"]').first();
  await first.waitFor();
  await first.click();
  await page.locator('article.opex-article').waitFor();
  assert.match(page.url(), /\/articles\//);
  assert.equal(await page.locator('.meta dt', { hasText: 'Owner' }).count(), 1);
  await page.screenshot({ path: join(shots, 'article.png'), fullPage: true });
});

spec('open a process and follow a step to its article', async (page) => {
  await page.goto(base + '/processes');
  await page.locator('table a').first().click();
  await page.locator('figure.flowchart svg').waitFor();
  await page.screenshot({ path: join(shots, 'process.png'), fullPage: true });
  const step = page.locator('figure.flowchart svg a[href^="/articles/"], ' +
    'figure.flowchart svg a[*|href^="/articles/"]').first();
  await step.waitFor({ state: 'attached' });
  await step.click();
  await page.waitForURL(/\/articles\//);
  await page.locator('article.opex-article').waitFor();
  await page.screenshot({ path: join(shots, 'step-article.png'), fullPage: true });
});

spec('a table in an article renders as a table', async (page) => {
  await page.goto(base + '/articles/vendors/partner-agent-permissions.md');
  const table = page.locator('article.opex-article table').first();
  await table.waitFor();
  assert.equal(await table.locator('thead th').first().textContent(), 'Action');
  assert.ok(await table.locator('tbody tr').count() >= 1);
  assert.equal(await page.locator('article.opex-article p', { hasText: '|---|' }).count(), 0);
});

spec('the routing matrix shows who takes a contact and the gap', async (page) => {
  await page.goto(base + '/routing');
  const matrix = page.locator('table.routing-matrix');
  await matrix.waitFor();
  const row = matrix.locator('tbody tr', { has: page.locator('th', { hasText: 'chargebacks' }) });
  assert.equal(await row.locator('td.gap').count(), 2);
  const cards = matrix.locator('tbody tr', { has: page.locator('th', { hasText: 'cards' }) });
  assert.match(await cards.textContent(), /Front end \(France\)/);
  assert.match(await page.locator('.routing-gaps').textContent(), /^2 gaps/);
  await page.screenshot({ path: join(shots, 'routing.png'), fullPage: true });
});

spec('copy a quick text in the chosen language', async (page) => {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  await page.goto(base + '/replies?lang=fr&journey=cards');
  const item = page.locator('ul.replies > li', { hasText: 'Votre carte est gelée' });
  await item.waitFor();
  const shown = await item.locator('pre.reply-text').textContent();
  assert.match(shown, /^Bonjour \{\{customer\.first_name\}\}, j'ai gelé votre carte/);
  await item.locator('button.copy').click();
  await page.waitForFunction(() =>
    [...document.querySelectorAll('button.copy')].some((b) => b.textContent === 'Copied'));
  const pasted = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(pasted, shown);
  assert.match(pasted, /\{\{case\.id\}\}/);
  await page.screenshot({ path: join(shots, 'replies.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

spec('phone-width pages have no horizontal scrolling', async (page) => {
  await page.setViewportSize({ width: 375, height: 740 });
  for (const path of ['/', '/health', '/processes', '/launches', board, '/replies']) {
    await page.goto(base + path);
    const wide = await page.evaluate(() =>
      document.documentElement.scrollWidth > window.innerWidth + 1);
    assert.equal(wide, false, `${path} scrolls sideways at 375px`);
  }
  await page.screenshot({ path: join(shots, 'phone-health.png'), fullPage: true });
});

spec('no console errors or CSP violations', async (page) => {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(base + '/');
  await page.locator('#q').pressSequentially('refund', { delay: 20 });
  await page.waitForTimeout(500);
  await page.goto(base + '/processes');
  assert.deepEqual(problems, []);
});

spec('approve a gate as an approver and see the board change', async (page) => {
  assert.ok(authBase && approverToken, 'set OPEX_AUTH_URL and OPEX_TOKEN_APPROVER');
  const problems = [];
  // Chromium asks a new origin for /favicon.ico (404) outside the page's
  // own requests; those are checked through the response events instead.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) problems.push(m.text());
  });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
  await page.setExtraHTTPHeaders({ Authorization: `Bearer ${approverToken}` });
  await page.goto(authBase + '/launches');
  await page.locator(`a[href="${board}"]`).click();
  await page.locator('article.launch-board').waitFor();
  const design = page.locator('section.launch-gate').first();
  assert.match(await design.locator('h2').textContent(), /design/);
  assert.match(await design.locator('.state').first().textContent(), /pending/);
  assert.equal(await design.locator('table.approvals tr.fresh').count(), 0);
  await page.screenshot({ path: join(shots, 'board-before.png'), fullPage: true });
  const form = page.locator('#gate-design form.gate-action[action$="/gates/design/approve"]');
  await form.locator('input[name="comment"]').fill('design reviewed with the app team');
  await form.locator('button[type="submit"]').click();
  await page.waitForURL(/done=approve/);
  await page.locator('p.notice').waitFor();
  assert.match(await design.locator('.state').first().textContent(), /passed/);
  const row = design.locator('table.approvals tr.fresh');
  assert.equal(await row.count(), 1);
  assert.match(await row.textContent(), /sari/);
  assert.equal(await page.locator('#gate-design form[action$="/gates/design/revoke"]').count(), 1);
  await page.screenshot({ path: join(shots, 'board-approved.png'), fullPage: true });
  assert.deepEqual(problems, []);
});

spec('an unauthorised user cannot approve', async (page) => {
  assert.ok(authBase && otherToken, 'set OPEX_AUTH_URL and OPEX_TOKEN_OTHER');
  await page.setExtraHTTPHeaders({ Authorization: `Bearer ${otherToken}` });
  await page.goto(authBase + board);
  await page.locator('article.launch-board').waitFor();
  assert.equal(await page.locator('form.gate-action').count(), 0);
  assert.equal(await page.locator('input[name="csrf"]').count(), 0);
  await page.locator('p.no-actions').waitFor();
  await page.screenshot({ path: join(shots, 'board-not-approver.png'), fullPage: true });
  const api = `${authBase}/api${board}/gates/design/approve`;
  const asTom = await page.request.post(api, { headers: { Authorization: `Bearer ${otherToken}` } });
  assert.equal(asTom.status(), 403);
  assert.equal((await asTom.json()).error, 'forbidden');
  const anonymous = await page.request.post(api);
  assert.equal(anonymous.status(), 401);
  // The approver's form replayed by tom, with a made-up CSRF token.
  const forged = await page.request.post(`${authBase}${board}/gates/design/approve`, {
    headers: { Authorization: `Bearer ${otherToken}` },
    form: { csrf: '0'.repeat(64) },
    maxRedirects: 0,
  });
  assert.equal(forged.status(), 403);
  await page.reload();
  const rows = await page.locator('table.approvals tr').allTextContents();
  assert.ok(!rows.some((r) => /\btom\b/.test(r)), 'tom appears among the approvals');
});

spec('a reader of the audience acknowledges the incident', async (page) => {
  assert.ok(authBase && approverToken, 'set OPEX_AUTH_URL and OPEX_TOKEN_APPROVER');
  await page.setExtraHTTPHeaders({ Authorization: `Bearer ${approverToken}` });
  await page.goto(authBase + '/');
  const banner = page.locator('p.acks-banner');
  await banner.waitFor();
  const before = parseInt(await banner.textContent(), 10);
  assert.ok(before >= 1, `banner count ${before}`);
  await banner.locator('a').click();
  await page.locator('table.acks').waitFor();
  await page.locator('a[href="/acks/announcements/card-authorisation-outage.md"]').click();
  const total = page.locator('p.ack-total');
  await total.waitFor();
  const current = Number(await total.getAttribute('data-current'));
  await page.screenshot({ path: join(shots, 'acks-board-before.png'), fullPage: true });
  await page.locator('form.ack-action button[type="submit"]').click();
  await page.waitForURL(/done=1/);
  await page.locator('p.notice').waitFor();
  assert.equal(Number(await page.locator('p.ack-total').getAttribute('data-current')), current + 1);
  assert.equal(await page.locator('form.ack-action').count(), 0);
  const after = await page.locator('p.acks-banner').count()
    ? parseInt(await page.locator('p.acks-banner').textContent(), 10) : 0;
  assert.equal(after, before - 1);
  await page.screenshot({ path: join(shots, 'acks-board-after.png'), fullPage: true });
});

let failed = 0;
for (const { name, fn } of specs) {
  await context.clearCookies();
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  try {
    await fn(page);
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n     ${String(e.message || e).split('\n').join('\n     ')}`);
    await page.screenshot({ path: join(shots, `failed-${specs.findIndex((s) => s.name === name)}.png`) }).catch(() => {});
  }
  await page.close();
}
await context.close();
rmSync(profile, { recursive: true, force: true });
console.log(`${specs.length - failed} of ${specs.length} browser specs passed`);
process.exit(failed ? 1 : 0);
