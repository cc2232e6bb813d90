// Candor's public pages in Debian's Chromium: no accessibility violations found by
// axe-core (WCAG 2.1 A/AA, light and dark), readable on a phone without sideways
// scrolling, styled under the strict CSP with no violation reported, keyboard-first
// skip link. Run by scripts/test.sh; needs CANDOR_BIN (a built candor binary).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const BIN = process.env.CANDOR_BIN;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.CANDOR_SCREENSHOTS;

let server, browser, base, dir;
const credentials = {};
const readerLinks = {};

before(async () => {
  assert.ok(BIN, 'CANDOR_BIN must point at a built candor binary');
  dir = mkdtempSync(join(tmpdir(), 'candor-browser-'));
  server = spawn(BIN, ['serve', '--demo', '--listen', '127.0.0.1:0'], {
    env: {
      ...process.env,
      CANDOR_DATABASE_URL: `sqlite://${join(dir, 'candor.db')}`,
      CANDOR_MASTER_KEY_FILE: join(dir, 'master.key'),
      CANDOR_LOG: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: server.stdout }).on('line', (line) => {
    const m = line.match(/^demo sign-in at \/admin\/login: (\S+) \/ (\S+) \((\w+)\)$/);
    if (m) credentials[m[1]] = m[2];
    const r = line.match(/^demo reader sign-in: \/(\S+?)\/reader\/signin\?token=(\S+) /);
    if (r) readerLinks[r[1]] = `/${r[1]}/reader/signin?token=${r[2]}`;
  });
  base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('candor did not start')), 60000);
    createInterface({ input: server.stderr }).on('line', (line) => {
      const m = line.match(/^candor: serving on (http:\/\/\S+?)\/?$/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    server.on('exit', (code) => reject(new Error(`candor exited with ${code}`)));
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const PAGES = [
  '/quillfeather', '/harborlight', '/', '/no-such-org', '/admin/login', '/admin/reset',
  // The public forms: report, NDA click-through, approval request, unsubscribe.
  '/quillfeather/report', '/quillfeather/documents/soc2-report', '/quillfeather/documents/caiq',
  '/quillfeather/subscription/unsubscribe?token=00',
  // Reader access: one request for several documents, and the sign-in page.
  '/quillfeather/access', '/quillfeather/reader',
  // The demo page in its other languages (lang attribute, language links).
  '/quillfeather?lang=de', '/quillfeather?lang=fr',
  // The reader's other pages in them.
  '/quillfeather/access?lang=de', '/quillfeather/reader?lang=fr', '/quillfeather/report?lang=de',
];

async function axeOnPage(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }));
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
}

async function axeViolations(path, colorScheme) {
  // axe is injected as a script, which the page's own CSP rightly forbids.
  const context = await browser.newContext({ bypassCSP: true, colorScheme });
  const page = await context.newPage();
  await page.goto(base + path);
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }));
  await context.close();
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
}

for (const path of PAGES) {
  for (const scheme of ['light', 'dark']) {
    test(`axe finds no accessibility violation on ${path} (${scheme})`, async () => {
      const violations = await axeViolations(path, scheme);
      assert.deepEqual(violations, []);
    });
  }
}

for (const path of ['/quillfeather', '/harborlight']) {
  test(`${path} on a phone: styled under CSP, no sideways scroll, skip link first`, async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const problems = [];
    page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
    page.on('pageerror', (err) => problems.push(String(err)));
    const response = await page.goto(base + path);
    assert.equal(response.status(), 200);
    const layout = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      width: window.innerWidth,
      badgeRadius: getComputedStyle(document.querySelector('.badge')).borderRadius,
      sections: [...document.querySelectorAll('main > section')].map((s) => s.id),
    }));
    assert.ok(layout.scrollWidth <= layout.width, `page is ${layout.scrollWidth}px wide on a ${layout.width}px screen`);
    assert.equal(layout.badgeRadius, '999px', 'the stylesheet did not apply');
    // 'incidents': the demo's resolved incident, so axe above audits the incident history too.
    for (const id of ['overview', 'compliance', 'controls', 'commitments', 'subprocessors', 'incidents', 'documents', 'faq', 'disclosure', 'verify']) {
      assert.ok(layout.sections.includes(id), `section ${id} missing`);
    }
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip');
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `${path.slice(1)}-phone.png`), fullPage: true });
    assert.deepEqual(problems, [], 'console errors (CSP violations are reported here)');
    await context.close();
  });
}

test('an owner signs in, edits a subprocessor, previews and publishes in a real browser', async () => {
  const email = 'owner@quillfeather.example';
  assert.ok(credentials[email], 'the demo printed sign-in details');
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + '/admin/login');
  await page.fill('#email', email);
  await page.fill('#password', credentials[email]);
  await Promise.all([page.waitForURL(base + '/admin'), page.click('button[type=submit]')]);
  // The __Host- cookie is Secure; the browser must keep it on http://127.0.0.1 for this to work.
  await page.click('a[href="/admin/orgs/quillfeather"]');
  await page.click('a[href="/admin/orgs/quillfeather/sections/subprocessors"]');
  const yaml = await page.inputValue('#yaml');
  assert.ok(yaml.includes('purpose: Billing\n'));
  await page.fill('#yaml', yaml.replace('purpose: Billing\n', 'purpose: Billing and invoicing\n'));
  await page.click('button[type=submit]');
  assert.match(await page.textContent('.notice'), /Saved to the draft/);
  await page.goto(base + '/admin/orgs/quillfeather');
  assert.match(await page.textContent('main'), /subprocessor changed: Stripe \(purpose: Billing → Billing and invoicing\)/);
  await page.goto(base + '/admin/orgs/quillfeather/preview');
  assert.match(await page.textContent('.preview-banner'), /Preview of the unpublished draft/);
  await page.goto(base + '/admin/orgs/quillfeather');
  await page.click('a[href="/admin/orgs/quillfeather/publish"]');
  assert.match(await page.textContent('main'), /Revision 3 is appended to quillfeather's signed transparency log/);
  await page.click('form[action="/admin/orgs/quillfeather/publish"] button');
  assert.match(await page.textContent('.notice'), /Published revision 3/);
  const publicPage = await (await fetch(base + '/quillfeather')).text();
  assert.ok(publicPage.includes('Billing and invoicing'), 'the public page shows the published change');
  if (SHOTS) await page.screenshot({ path: join(SHOTS, 'admin-published.png'), fullPage: true });
  await context.close();
});

test('a viewer signing in sees the draft read-only and is refused publishing', async () => {
  const email = 'viewer@harborlight.example';
  assert.ok(credentials[email], 'the demo printed sign-in details');
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + '/admin/login');
  await page.fill('#email', email);
  await page.fill('#password', credentials[email]);
  await Promise.all([page.waitForURL(base + '/admin'), page.click('button[type=submit]')]);
  await page.goto(base + '/admin/orgs/harborlight/sections/faq');
  assert.equal(await page.getAttribute('#yaml', 'readonly'), '');
  assert.equal(await page.locator('form[action="/admin/orgs/harborlight/publish"]').count(), 0);
  const refused = await page.request.post(base + '/admin/orgs/harborlight/publish');
  assert.equal(refused.status(), 403);
  await context.close();
});

test('a reader accepts the NDA in a real browser and downloads the document', async () => {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(base + '/quillfeather');
  await page.click('a[href="/quillfeather/documents/soc2-report"]');
  await page.fill('#doc-name', 'Ada Reviewer');
  await page.fill('#doc-email', 'ada@customer.example');
  await page.fill('#doc-company', 'Customer Ltd');
  await page.check('input[name="accept"]');
  await page.click('button[type="submit"]');
  const link = page.locator('a[href*="/documents/soc2-report/download?token="]');
  assert.equal(await link.count(), 1);
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const path = await download.path();
  const { readFileSync } = await import('node:fs');
  // A PDF, watermarked for this reader (the stamp's text is in the page streams).
  const pdf = readFileSync(path, 'latin1');
  assert.match(pdf, /^%PDF-/);
  assert.match(pdf, /Downloaded by ada@customer\.example \\\(Customer Ltd\\\)/);
  assert.match(pdf, /SOC 2 Type II report/);
  await context.close();
});

test('the page is in the language the browser asks for, and links the others', async () => {
  const context = await browser.newContext({ locale: 'de-DE' });
  const page = await context.newPage();
  const response = await page.goto(base + '/quillfeather');
  assert.equal(response.headers()['content-language'], 'de');
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  assert.match(await page.textContent('.tagline'), /Produktanalyse/);
  // The demo's promises are translated, and the interface's words around them.
  assert.match(await page.textContent('#promises'), /Wir verkaufen oder vermieten Ihre Daten nie/);
  assert.match(await page.textContent('#commitments'), /Innerhalb von/);
  await page.click('nav.languages a[hreflang="fr"]');
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.match(await page.textContent('.tagline'), /analyse produit/);
  // The document request page follows the browser's language.
  await page.goto(base + '/quillfeather/access');
  assert.equal(await page.getAttribute('html', 'lang'), 'de');
  assert.match(await page.textContent('h1'), /Dokumente anfragen/);
  await context.close();
});

test('the demo reader signs in by link, sees their grants and downloads a watermarked PDF', async () => {
  const link = readerLinks.quillfeather;
  assert.ok(link, 'the demo printed a reader sign-in link');
  // bypassCSP only so that axe can be injected; the flow itself needs no script.
  const context = await browser.newContext({ acceptDownloads: true, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(base + link);
  await Promise.all([page.waitForURL(base + '/quillfeather/reader'), page.click('button[type="submit"]')]);
  assert.match(await page.textContent('main'), /Signed in as reader@customer\.example/);
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    await page.reload();
    assert.deepEqual(await axeOnPage(page), [], `signed-in reader page (${colorScheme})`);
  }
  const download = page.locator('a[href="/quillfeather/reader/documents/soc2-report"]');
  assert.equal(await download.count(), 1);
  const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
  const { readFileSync } = await import('node:fs');
  const pdf = readFileSync(await file.path(), 'latin1');
  assert.match(pdf, /^%PDF-/);
  assert.match(pdf, /Downloaded by reader@customer\.example \\\(Customer Example Ltd\\\)/);
  // The document's own page knows the signed-in reader.
  await page.goto(base + '/quillfeather/documents/soc2-report');
  assert.match(await page.textContent('main'), /You have access until/);
  // Signing out ends the session.
  await page.goto(base + '/quillfeather/reader');
  await Promise.all([page.waitForURL(base + '/quillfeather/reader'), page.click('form[action="/quillfeather/reader/signout"] button')]);
  assert.equal(await page.locator('#reader-email').count(), 1);
  await context.close();
});

test('every admin page: axe finds no violation in light and dark, and on a 390-px phone nothing scrolls sideways', async () => {
  const email = 'owner@harborlight.example';
  assert.ok(credentials[email], 'the demo printed sign-in details');
  const org = '/admin/orgs/harborlight';
  const signIn = async (page) => {
    await page.goto(base + '/admin/login');
    await page.fill('#email', email);
    await page.fill('#password', credentials[email]);
    await Promise.all([page.waitForURL(base + '/admin'), page.click('button[type=submit]')]);
  };
  // The pages that need an id: found the way an admin finds them, by their links.
  const setup = await browser.newContext({ bypassCSP: true });
  const first = await setup.newPage();
  await signIn(first);
  const linkOn = async (path, prefix) => {
    await first.goto(base + path);
    const href = await first.locator(`a[href^="${prefix}"]`).first().getAttribute('href');
    assert.ok(href, `a link to ${prefix} on ${path}`);
    return href;
  };
  // A researcher's report, so that the report page has one to show.
  await first.goto(base + '/harborlight/report');
  await first.fill('#r-title', 'Open redirect after sign-in');
  await first.fill('#r-details', 'The next parameter of the sign-in page accepts any host.');
  await first.click('form[action="/harborlight/report"] button[type="submit"]');
  const report = await linkOn(`${org}/reports`, `${org}/reports/`);
  const questionnaire = await linkOn(`${org}/questionnaires`, `${org}/questionnaires/`);
  await first.goto(base + `${org}/members`);
  await first.fill('#invite-email', 'new.colleague@harborlight.example');
  await first.click('form[action$="/invites"] button[type=submit]');
  const invitation = new URL((await first.textContent("#invite-link")).trim(), base).pathname;
  await setup.close();
  const pages = [
    '/admin', '/admin/account', org, `${org}/sections/profile`, `${org}/sections/controls/items`,
    `${org}/sections/controls/items/0`, `${org}/sections/subprocessors/items/new`,
    `${org}/sections/changelog/items/new`, `${org}/preview`, `${org}/publish`, `${org}/audit`,
    `${org}/analytics`, `${org}/subscribers`, `${org}/privacy`, `${org}/reports`, report,
    `${org}/questionnaires`, questionnaire, `${org}/documents`, `${org}/readers`, `${org}/events`,
    `${org}/members`, `${org}/tokens`, `${org}/hosts`,
  ];
  const runs = [
    { name: 'light', options: { colorScheme: 'light' } },
    { name: 'dark', options: { colorScheme: 'dark' } },
    { name: 'phone', options: { colorScheme: 'light', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
  ];
  const problems = [];
  for (const run of runs) {
    const context = await browser.newContext({ bypassCSP: true, ...run.options });
    const page = await context.newPage();
    await signIn(page);
    // Signed in: the invitation page as its invitee (in a fresh context below) is the open one.
    for (const path of pages) {
      const response = await page.goto(base + path);
      assert.equal(response.status(), 200, path);
      problems.push(...(await axeOnPage(page)).map((v) => `${path} (${run.name}): ${v}`));
      if (run.name === 'phone') {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (overflow > 0) problems.push(`${path} (phone): ${overflow}px wider than the screen`);
      }
    }
    await context.close();
    // Pages for someone not signed in: the invitation's.
    const anonymous = await browser.newContext({ bypassCSP: true, ...run.options });
    const open = await anonymous.newPage();
    const response = await open.goto(base + invitation);
    assert.equal(response.status(), 200, invitation);
    problems.push(...(await axeOnPage(open)).map((v) => `${invitation} (${run.name}): ${v}`));
    if (run.name === 'phone') {
      const overflow = await open.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) problems.push(`invitation (phone): ${overflow}px wider than the screen`);
    }
    await anonymous.close();
  }
  assert.deepEqual(problems, []);
});

test('routine edits through forms: a subprocessor, a changelog entry and a control status, on a phone too', async () => {
  const email = 'owner@harborlight.example';
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(base + '/admin/login');
  await page.fill('#email', email);
  await page.fill('#password', credentials[email]);
  await Promise.all([page.waitForURL(base + '/admin'), page.click('button[type=submit]')]);
  await page.goto(base + '/admin/orgs/harborlight');
  await page.click('a[href="/admin/orgs/harborlight/sections/subprocessors/items"]');
  await page.click('a[href="/admin/orgs/harborlight/sections/subprocessors/items/new"]');
  // The start date is filled in: today plus the notice period.
  assert.match(await page.inputValue('#f-effective_at'), /^\d{4}-\d{2}-\d{2}$/);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(wide, 'the form fits a 390-px screen');
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }));
  assert.deepEqual(result.violations.map((v) => v.id), [], 'the form on a phone');
  await page.fill('#f-name', 'Courier Mail');
  await page.fill('#f-purpose', 'Appointment reminders by email');
  await page.fill('#f-website', 'https://couriermail.example');
  await page.click('button[type=submit]');
  assert.match(await page.textContent('.notice'), /Saved to the draft/);
  // A changelog entry, dated today, with a category from the allowed list.
  await page.goto(base + '/admin/orgs/harborlight/sections/changelog/items/new');
  assert.equal(await page.inputValue('#f-date'), new Date().toISOString().slice(0, 10));
  await page.selectOption('#f-category', 'security');
  await page.fill('#f-title', 'Sessions end after 12 hours');
  await page.click('button[type=submit]');
  assert.match(await page.textContent('.notice'), /Saved to the draft/);
  // A control's status from the drop-down.
  await page.goto(base + '/admin/orgs/harborlight/sections/controls/items/0');
  await page.selectOption('#f-status', 'in_progress');
  await page.click('button[type=submit]');
  assert.match(await page.textContent('.notice'), /Saved to the draft/);
  await page.goto(base + '/admin/orgs/harborlight');
  // The navigation on every org page, with the count of what waits: as many
  // as the dashboard lists.
  assert.equal(await page.locator('nav.admin-nav a[href="/admin/orgs/harborlight/documents"]').count(), 1);
  const waiting = await page.locator('#attention li').count();
  if (waiting > 0) {
    await page.waitForSelector('[data-attention]:not([hidden])');
    assert.equal(await page.textContent('[data-attention]'), String(waiting));
  }
  const main = await page.textContent('main');
  assert.match(main, /subprocessor added: Courier Mail/);
  assert.match(main, /changelog entry added/);
  assert.match(main, /control changed: .*status: implemented → in_progress/);
  // A bad value is refused at its field.
  await page.goto(base + '/admin/orgs/harborlight/sections/subprocessors/items/new');
  await page.fill('#f-name', 'Broken');
  await page.fill('#f-website', 'http://broken.example');
  await page.click('button[type=submit]');
  assert.equal(await page.getAttribute('#f-website', 'aria-invalid'), 'true');
  assert.ok((await page.textContent('#e-website')).length > 0);
  await context.close();
});

test('leaving an editor with unsaved changes asks first; a YAML error jumps to its line', async () => {
  const email = 'owner@quillfeather.example';
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  // The refused edit's 422 is expected; anything else (a CSP violation, a script error) is not.
  page.on('console', (msg) => { if (msg.type() === 'error' && !msg.text().includes('status of 422')) problems.push(msg.text()); });
  page.on('pageerror', (err) => problems.push(String(err)));
  await page.goto(base + '/admin/login');
  await page.fill('#email', email);
  await page.fill('#password', credentials[email]);
  await Promise.all([page.waitForURL(base + '/admin'), page.click('button[type=submit]')]);
  await page.goto(base + '/admin/orgs/quillfeather/sections/faq');
  // Line numbers beside the YAML (the script runs under the admin CSP).
  assert.equal(await page.locator('.gutter').count(), 1);
  assert.match(await page.textContent('.gutter'), /^1\n2\n3/);
  await page.fill('#yaml', (await page.inputValue('#yaml')) + '- question: Unsaved?\n  answer: Yes.\n');
  let asked = null;
  page.once('dialog', async (dialog) => { asked = dialog.type(); await dialog.dismiss(); });
  await page.goto(base + '/admin/orgs/quillfeather').catch(() => {});
  assert.equal(asked, 'beforeunload', 'leaving asked first');
  assert.equal(page.url(), base + '/admin/orgs/quillfeather/sections/faq', 'and stayed');
  // A bad edit: the error names its line and the editor selects it.
  await page.fill('#yaml', "- question: Fine?\n  answer: Yes.\n- question: ''\n  answer: Empty.\n");
  await page.click('button[type=submit]');
  assert.equal(await page.getAttribute('a[data-line]', 'data-line'), '3');
  const selected = await page.evaluate(() => {
    const t = document.querySelector('#yaml');
    return t.value.slice(t.selectionStart, t.selectionEnd);
  });
  assert.equal(selected, "- question: ''");
  // Saving clears the guard: no question on the way out.
  await page.fill('#yaml', "- question: Fine?\n  answer: Yes.\n");
  await page.click('button[type=submit]');
  assert.match(await page.textContent('.notice'), /Saved to the draft/);
  asked = null;
  page.once('dialog', async (dialog) => { asked = dialog.type(); await dialog.dismiss(); });
  await page.goto(base + '/admin/orgs/quillfeather');
  assert.equal(asked, null);
  assert.deepEqual(problems, [], 'no CSP violation or script error');
  await context.close();
});

test('the inbox lists a pending request and a due report; a rule-breaking publish is blocked; a destructive action asks first', async () => {
  const email = 'owner@harborlight.example';
  const context = await browser.newContext();
  const page = await context.newPage();
  // A reader asks for the approval-only document, and a researcher reports a flaw.
  await page.goto(base + '/harborlight/access');
  const approval = page.locator('form[action="/harborlight/access"] input[name^="doc:"]');
  const boxes = await approval.count();
  assert.ok(boxes > 0, 'gated documents are listed');
  for (let i = 0; i < boxes; i += 1) await approval.nth(i).check();
  await page.fill('#acc-name', 'Pat Buyer');
  await page.fill('#acc-email', 'pat@buyer.example');
  await page.fill('#acc-company', 'Buyer Inc');
  const nda = page.locator('input[name="accept"]');
  if (await nda.count()) await nda.check();
  await page.click('form[action="/harborlight/access"] button[type="submit"]');
  await page.goto(base + '/harborlight/report');
  await page.fill('#r-title', 'Stored XSS in the intake form');
  await page.fill('#r-details', 'A field of the intake form is printed unescaped on the clinic dashboard.');
  await page.click('form[action="/harborlight/report"] button[type="submit"]');
  assert.match(await page.textContent('.notice'), /received/);
  // The owner's inbox lists both.
  await page.goto(base + '/admin/login');
  await page.fill('#email', email);
  await page.fill('#password', credentials[email]);
  await Promise.all([page.waitForURL(base + '/admin'), page.click('button[type=submit]')]);
  await page.goto(base + '/admin/orgs/harborlight');
  const inbox = await page.textContent('#attention');
  assert.match(inbox, /Vulnerability report VR-/);
  assert.match(inbox, /acknowledge by/);
  assert.match(inbox, /document requests? waits? for a decision/);
  await page.waitForSelector('[data-attention]:not([hidden])');
  // A subprocessor starting today breaks the notice rule: publishing is blocked, saying why.
  await page.goto(base + '/admin/orgs/harborlight/sections/subprocessors/items/new');
  await page.fill('#f-name', 'Too Soon Ltd');
  await page.fill('#f-effective_at', new Date().toISOString().slice(0, 10));
  await page.click('button[type=submit]');
  await page.goto(base + '/admin/orgs/harborlight/publish');
  assert.match(await page.textContent('main'), /Publishing is refused/);
  assert.match(await page.textContent('[role="alert"]'), /subprocessors\[\d+\]\.effective_at/);
  assert.equal(await page.locator('form[action="/admin/orgs/harborlight/publish"] button').count(), 0);
  // Removing it asks first, with a danger-styled button.
  await page.goto(base + '/admin/orgs/harborlight/sections/subprocessors/items');
  const rows = page.locator('tbody tr');
  const last = rows.nth((await rows.count()) - 1);
  assert.match(await last.textContent(), /Too Soon Ltd/);
  await last.locator('button.danger').click();
  assert.match(await page.textContent('main'), /removed from the draft/);
  await page.click('button.danger');
  assert.match(await page.textContent('.notice'), /Saved to the draft/);
  assert.doesNotMatch(await page.textContent('main'), /Too Soon Ltd/);
  await context.close();
});
