// Browser end-to-end tests of the node's server-rendered UI against the demo network, on a
// desktop and a phone viewport, with axe-core (WCAG 2.1 A/AA) on every page visited.
// Run through run.sh, which starts the demo and sets KITANETZ_DEMO_LOG.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Audit,
  VIEWPORTS,
  PASSWORD,
  firstsOfMonthInside,
  kitas,
  launchBrowser,
  login,
  mailsFor,
  newContext,
  registerAndLogIn,
  shot,
  demoNodes,
} from './lib.mjs';

const KITAS = kitas();
/** The city node (the ZVS works there). */
const CITY = demoNodes().find((n) => n.kind === 'city');
assert.ok(KITAS.length >= 2, 'the demo has at least two Kitas');
/** The Kita whose lead the main flows use. */
const MAIN = KITAS[0];
/** Another Kita, for the wrong-password check (so the main lead is never near a lockout). */
const OTHER = KITAS[1];
/** A word of the Kita's name to search for: `kita-sternchen` → `sternchen`. */
const QUERY = MAIN.name.replace(/^kita-/, '').split('-')[0];
/** A Träger node and its Beitragsstelle's login. */
const FEES = demoNodes()
  .filter((n) => n.kind === 'traeger')
  .map((n) => ({ ...n, clerk: n.logins.find((l) => l.role === 'fee-office')?.user }))
  .find((n) => n.clerk);

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Rows of the facility results table (the htmx target). */
const resultRows = (page) => page.locator('#facility-results tbody tr');

/** Opens the Kita's own facility from the current results: the one with an edit link. */
async function openOwnFacility(page) {
  const hrefs = await page.locator('#facility-results tbody a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(hrefs.length > 0, 'the search found facilities');
  for (const href of hrefs) {
    await page.goto(new URL(href, page.url()).toString());
    if (await page.locator(`main a[href="${href}/edit"]`).count()) return href;
  }
  throw new Error(`none of ${hrefs.join(', ')} is editable by ${MAIN.lead}`);
}

for (const [vpIndex, vp] of VIEWPORTS.entries()) {
  describe(`${vp.name} ${vp.viewport.width}×${vp.viewport.height}`, () => {
    test('Kita lead: login, start page, facility search, edit own facility, field error', async () => {
      const audit = new Audit(vp.name);
      const ctx = await newContext(browser, vp);
      try {
        const page = await ctx.newPage();

        // Login form.
        await page.goto(`${MAIN.url}/login`);
        assert.equal(await page.getAttribute('html', 'lang'), 'de');
        await audit.check(page, 'login');
        const res = await login(page, MAIN.url, MAIN.lead);
        assert.equal(res.status(), 303, 'login redirects');
        assert.equal(new URL(page.url()).pathname, '/');

        // Start page.
        const h1 = page.locator('main h1');
        await assert.doesNotReject(h1.filter({ hasText: /^Willkommen, / }).waitFor());
        await audit.check(page, 'start');

        // Einrichtungen via the navigation; on phones, too, the link is reachable.
        await page.locator('nav a[href="/facilities"]').click();
        await page.waitForURL('**/facilities');
        assert.equal(await h1.textContent(), 'Einrichtungen');
        const allRows = await resultRows(page).count();
        assert.ok(allRows >= 2, `directory lists facilities (${allRows})`);
        await audit.check(page, 'facilities');

        // htmx search: typing replaces the results without a page load.
        const marker = await page.evaluate(() => (window.__e2eMarker = Math.random()));
        await page.locator('#q').fill(QUERY);
        await page.waitForFunction(
          (n) => document.querySelectorAll('#facility-results tbody tr').length < n,
          allRows,
        );
        assert.equal(await page.evaluate(() => window.__e2eMarker), marker, 'no full page load');
        const found = await resultRows(page).allTextContents();
        assert.ok(found.length >= 1, 'search finds the Kita');
        for (const row of found) assert.match(row.toLowerCase(), new RegExp(QUERY));
        assert.match(page.url(), new RegExp(`[?&]q=${QUERY}`), 'search is in the URL (hx-push-url)');
        await page.waitForFunction(() => /^\d+ Ergebnisse$/.test(document.getElementById('facility-status')?.textContent ?? ''));
        assert.equal(
          (await page.locator('#facility-status').textContent()).trim(),
          `${found.length} Ergebnisse`,
          'only the result count is announced',
        );
        await audit.check(page, 'facilities-search');

        // The Kita's own facility page.
        const href = await openOwnFacility(page);
        await page.locator('main h1').waitFor();
        await audit.check(page, 'facility');
        const historyRows = page.locator('section[aria-labelledby="history-heading"] tbody tr');
        const historyBefore = await historyRows.count();

        // Edit the opening hours.
        await page.locator(`main a[href="${href}/edit"]`).click();
        await page.waitForURL(`**${href}/edit`);
        await audit.check(page, 'facility-edit');
        const hours = `Mo–Fr 6:30–17:30 (e2e ${vp.name} ${Date.now()})`;
        await page.locator('#f-opening_hours').fill(hours);
        await page.locator('main form button[type="submit"]').click();
        await page.waitForURL(`**${href}?saved=1`);
        const status = page.locator('main [role="status"]');
        assert.match(await status.textContent(), /Gespeichert/);
        const hoursRow = page.locator('.kern-description-list-item', { hasText: 'Öffnungszeiten' });
        assert.equal((await hoursRow.locator('dd').textContent()).trim(), hours);
        const historyAfter = await historyRows.count();
        assert.ok(historyAfter > historyBefore, `a history row was added (${historyBefore} → ${historyAfter})`);
        const history = (await historyRows.allTextContents()).join('\n');
        assert.match(history, new RegExp(MAIN.lead), 'the history names who changed it');
        await audit.check(page, 'facility-saved');

        // An invalid postcode: field error, aria-invalid, typed value kept, nothing saved.
        await page.goto(`${MAIN.url}${href}/edit`);
        await page.locator('#f-postcode').fill('12A4');
        await page.locator('#f-opening_hours').fill('should not be saved');
        const [bad] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST'),
          page.locator('main form button[type="submit"]').click(),
        ]);
        assert.equal(bad.status(), 422);
        await page.waitForLoadState('load');
        const postcode = page.locator('#f-postcode');
        assert.equal(await postcode.getAttribute('aria-invalid'), 'true');
        assert.equal(await postcode.inputValue(), '12A4', 'typed postcode kept');
        assert.equal(await page.locator('#f-opening_hours').inputValue(), 'should not be saved');
        const describedBy = await postcode.getAttribute('aria-describedby');
        assert.ok(describedBy, 'error text is tied to the field');
        assert.ok((await page.locator(`#${describedBy}`).textContent()).trim().length > 0);
        const summary = page.locator('main [role="alert"]');
        assert.ok(await summary.isVisible(), 'error summary shown');
        const toField = summary.locator('a[href="#f-postcode"]');
        assert.equal((await toField.textContent()).trim(), 'Postleitzahl', 'summary names the field by its label');
        await toField.click();
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-postcode', 'summary link focuses the field');
        await audit.check(page, 'facility-edit-error');
        await page.goto(`${MAIN.url}${href}`);
        assert.equal((await hoursRow.locator('dd').textContent()).trim(), hours, 'invalid form changed nothing');
      } finally {
        await ctx.close();
      }
      audit.assertClean();
    });

    test('Kita lead: children, child detail, contract change', async () => {
      const audit = new Audit(vp.name);
      const ctx = await newContext(browser, vp);
      try {
        const page = await ctx.newPage();
        await login(page, MAIN.url, MAIN.lead);
        await page.locator('nav a[href="/children"]').click();
        await page.waitForURL('**/children');
        const childLinks = await page
          .locator('main tbody a[href^="/children/"]')
          .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        assert.ok(childLinks.length > 0, 'the Kita lead sees children');
        await audit.check(page, 'children');

        // Find a child with a contract that runs long enough; each viewport uses another month.
        let target;
        for (const href of childLinks.slice(0, 15)) {
          await page.goto(`${MAIN.url}${href}`);
          for (const card of await page.locator('main .kern-card').all()) {
            const title = await card.locator('h3').textContent();
            const m = /(\d{4}-\d{2}-\d{2})\s*–\s*(\d{4}-\d{2}-\d{2})?/.exec(title);
            if (!m) continue;
            const dates = firstsOfMonthInside(m[1], m[2]);
            if (dates.length > vpIndex) {
              target = { href, date: dates[vpIndex], change: await card.locator('a[href$="/change"]').getAttribute('href') };
              break;
            }
          }
          if (target) break;
        }
        assert.ok(target, 'a child with a running contract');
        await page.goto(`${MAIN.url}${target.href}`);
        const guardians = page.locator('section[aria-labelledby="guardians-heading"] li');
        assert.ok((await guardians.count()) >= 1, 'guardians listed');
        assert.ok((await page.locator('main .kern-card table tbody tr').count()) >= 1, 'contract lines listed');
        await audit.check(page, 'child');

        // Contract change: a new line from the first of a month.
        await page.locator(`main a[href="${target.change}"]`).click();
        await page.waitForURL(`**${target.change}`);
        await audit.check(page, 'contract-change');
        const hours = vpIndex === 0 ? '6' : '8';
        await page.locator('#f-date').fill(target.date);
        await page.locator('#f-hours').fill(hours);
        await page.locator('#pm-self').check();
        await page.locator('main form button[type="submit"]').click();
        await page.waitForURL(`**${target.href}`);
        const card = page.locator('main .kern-card', { has: page.locator(`a[href="${target.change}"]`) });
        const newLine = card.locator('tbody tr', { hasText: new RegExp(`^\\s*${target.date}`) });
        await assert.doesNotReject(newLine.first().waitFor(), `a line from ${target.date}`);
        const cells = await newLine.first().locator('td').allTextContents();
        assert.equal(cells[2].trim(), hours);
        assert.equal(cells[3].trim(), 'Selbstzahler');
        await audit.check(page, 'child-changed');

        // The change form rejects a date outside the contract and keeps what was typed.
        const outside = `${Number(target.date.slice(0, 4)) + 5}-01-01`;
        await page.goto(`${MAIN.url}${target.change}`);
        await page.locator('#f-date').fill(outside);
        const [bad] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST'),
          page.locator('main form button[type="submit"]').click(),
        ]);
        assert.equal(bad.status(), 422);
        await page.waitForLoadState('load');
        assert.match(await page.locator('main [role="alert"]').textContent(), /Vertragslaufzeit/);
        assert.equal(await page.locator('#f-date').inputValue(), outside, 'typed date kept');
        assert.equal(await page.locator('#f-date').getAttribute('aria-invalid'), 'true');
        assert.equal((await page.locator('main [role="alert"] a[href="#f-date"]').textContent()).trim(), 'gültig ab');
        await audit.check(page, 'contract-change-error');
      } finally {
        await ctx.close();
      }
      audit.assertClean();
    });

    test('language switch to English and back', async () => {
      const audit = new Audit(vp.name);
      const ctx = await newContext(browser, vp);
      try {
        const page = await ctx.newPage();
        await login(page, MAIN.url, MAIN.lead);
        await page.goto(`${MAIN.url}/facilities`);
        await page.locator('header a[hreflang="en"]').click();
        await page.waitForFunction(() => document.documentElement.lang === 'en');
        assert.equal(new URL(page.url()).pathname, '/facilities', 'stays on the page');
        assert.equal(await page.locator('main h1').textContent(), 'Facilities');
        assert.equal(await page.locator('label[for="q"]').textContent(), 'Facility, district or street');
        await audit.check(page, 'facilities-en');
        await page.goto(`${MAIN.url}/`);
        assert.match(await page.locator('main h1').textContent(), /^Welcome, /);
        await audit.check(page, 'start-en');
        await page.locator('header a[hreflang="de"]').click();
        await page.waitForFunction(() => document.documentElement.lang === 'de');
        assert.match(await page.locator('main h1').textContent(), /^Willkommen, /);
      } finally {
        await ctx.close();
      }
      audit.assertClean();
    });

    test('wrong password shows the error, the right one still works', async () => {
      const audit = new Audit(vp.name);
      const ctx = await newContext(browser, vp);
      try {
        const page = await ctx.newPage();
        const res = await login(page, OTHER.url, OTHER.lead, `${PASSWORD}-wrong`);
        assert.equal(res.status(), 401);
        const error = page.locator('#login-error[role="alert"]');
        assert.match(await error.textContent(), /Passwort falsch/);
        assert.equal(await page.locator('#username').inputValue(), OTHER.lead, 'user name kept');
        assert.equal(await page.locator('#password').inputValue(), '', 'password not echoed');
        await audit.check(page, 'login-error');
        const ok = await login(page, OTHER.url, OTHER.lead);
        assert.equal(ok.status(), 303, 'one failure does not lock the account');
        await page.locator('main h1', { hasText: 'Willkommen' }).waitFor();
      } finally {
        await ctx.close();
      }
      audit.assertClean();
    });

    test('sync status lists the peers', async () => {
      const audit = new Audit(vp.name);
      const ctx = await newContext(browser, vp);
      try {
        const page = await ctx.newPage();
        await login(page, MAIN.url, MAIN.lead);
        await page.locator('nav a[href="/sync"]').click();
        assert.equal(await page.locator('main h1').textContent(), 'Synchronisation');
        assert.equal(await page.locator('main tbody tr').count(), 6, 'six peers in the demo network');
        assert.equal(await page.locator('main tbody .kern-badge--success').count(), 6, 'all connected');
        await audit.check(page, 'sync');
      } finally {
        await ctx.close();
      }
      audit.assertClean();
    });

    test('ZVS sees the conflict list', async () => {
      const audit = new Audit(vp.name);
      const ctx = await newContext(browser, vp);
      try {
        const page = await ctx.newPage();
        await login(page, CITY.url, 'zvs');
        await page.locator('nav a[href="/conflicts"]').click();
        assert.equal(await page.locator('main h1').textContent(), 'Konflikte');
        assert.ok(await page.locator('#no-conflicts').isVisible(), 'a fresh demo has no conflicts');
        await audit.check(page, 'conflicts');
        // The placement statistics of the year, anonymised, as tables.
        await page.locator('nav a[href="/reports"]').click();
        await page.waitForURL('**/reports');
        assert.ok(await page.locator('table.kn-report').count() >= 2, 'report tables');
        await audit.check(page, 'reports');
      } finally {
        await ctx.close();
      }
      audit.assertClean();
    });

    test('ZVS intake: lists, settings as a new version, manual entry of an unborn child', async () => {
      const audit = new Audit(vp.name);
      const ctx = await newContext(browser, vp);
      try {
        const page = await ctx.newPage();
        await login(page, CITY.url, 'zvs');
        assert.equal(await page.locator('nav a[href="/intake"]').count(), 1, 'the ZVS has the intake in the navigation');
        await page.goto(`${CITY.url}/intake`);
        assert.match(await page.locator('main').textContent(), /Überwachungsliste/);
        await audit.check(page, 'intake');

        // The Neumanns chose the post: their receipt waits in the outgoing post, prints as a
        // PDF and is marked printed (once: the second viewport finds it printed).
        const letterRow = () => page.locator('tr[data-letter]').filter({ hasText: 'Emil Neumann' });
        assert.equal(await letterRow().count(), 1, 'the receipt by post waits in the outgoing post');
        const href = await letterRow().locator('a').getAttribute('href');
        const pdf = await page.request.get(`${CITY.url}${href}`);
        assert.equal(pdf.headers()['content-type'], 'application/pdf');
        assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
        if (await letterRow().locator('button').count()) {
          await letterRow().locator('button').click();
          await page.waitForURL(/done=printed/);
        }
        assert.match(await letterRow().textContent(), /gedruckt/);

        // The watch of the sequential procedure: counts of the wishes by status, the overdue
        // reviews and the central pool.
        await page.locator('main a[href="/intake/placement"]').click();
        await page.waitForURL('**/intake/placement');
        assert.match(await page.locator('#wish-counts').textContent(), /zur Prüfung: \d+/);
        await audit.check(page, 'intake-placement');
        await page.goto(`${CITY.url}/intake`);

        await page.locator('main a[href="/intake/settings"]').click();
        await page.waitForURL('**/intake/settings');
        await page.locator('#f-horizon_months').fill('viele');
        await page.locator('main form button[type="submit"]').click();
        assert.ok(await page.locator('#form-errors').isVisible(), 'the field error is shown');
        assert.equal(await page.locator('#f-horizon_months').getAttribute('aria-invalid'), 'true');
        await audit.check(page, 'intake-settings-error');
        await page.locator('#f-horizon_months').fill('7');
        await page.locator('#f-valid_from').fill('2031-01-01');
        await page.locator('main form button[type="submit"]').click();
        await page.waitForURL('**?saved=1');
        assert.match(await page.locator('main table tbody').textContent(), /2031-01-01/);
        await audit.check(page, 'intake-settings');

        // An unborn child, entered by the ZVS with the expected date of birth.
        await page.goto(`${CITY.url}/intake/new`);
        const year = new Date().getFullYear();
        const due = new Date(Date.now() + 60 * 86400000).toISOString().slice(0, 10);
        const name = `Ungeboren${vp.name}`;
        await page.locator('#a-child1_given_name').fill(name);
        await page.locator('#a-child1_family_name').fill('Beispiel');
        await page.locator('#a-child1_birth_date').fill(due);
        await page.locator('#a-guardian_given_name').fill('Maria');
        await page.locator('#a-guardian_family_name').fill('Beispiel');
        await page.locator('#a-street').fill('Wilsdruffer Straße 1');
        await page.locator('#a-postcode').fill('01067');
        await page.locator('#a-phone').fill('0351 777');
        await page.locator('#a-desired_start').fill(`${year + 1}-08-01`);
        await page.locator('#a-daily_hours').fill('8');
        await page.locator('#a-wish1').selectOption({ index: 2 });
        await audit.check(page, 'intake-new');
        for (const c of ['consent_data_processing', 'consent_forwarding', 'consent_terms']) await page.locator(`#a-${c}`).check();
        await page.locator('main form button[type="submit"]').click();
        if (await page.locator('#form-errors').count()) {
          // The first Kita in the list may offer no Krippe: take one that does.
          const options = await page.locator('#a-wish1 option').count();
          for (let i = 3; i < options && (await page.locator('#form-errors').count()); i++) {
            await page.locator('#a-wish1').selectOption({ index: i });
            for (const c of ['consent_data_processing', 'consent_forwarding', 'consent_terms']) await page.locator(`#a-${c}`).check();
            await page.locator('main form button[type="submit"]').click();
          }
        }
        await page.waitForURL('**/intake?done=entered');
        assert.match(await page.locator('#intake-done').textContent(), /aufgenommen/);
      } finally {
        await ctx.close();
      }
      audit.assertClean();
    });

    test('system admin reads the audit log, filters it and exports it', async () => {
      const audit = new Audit(vp.name);
      const ctx = await newContext(browser, vp);
      try {
        const page = await ctx.newPage();
        await login(page, CITY.url, 'admin');
        assert.equal(await page.locator('nav a[href="/audit"]').count(), 1, 'the admin has the log in the navigation');
        await page.goto(`${CITY.url}/audit`);
        assert.ok((await page.locator('#audit-table tbody tr').count()) > 0, 'the log has entries');
        await audit.check(page, 'audit');
        // A day range that ends before it starts: the field says so.
        await page.locator('#f-from').fill('2026-02-01');
        await page.locator('#f-until').fill('2026-01-01');
        await page.locator('main form button[type="submit"]').click();
        assert.equal(await page.locator('#f-until').getAttribute('aria-invalid'), 'true');
        await audit.check(page, 'audit-error');
        // The export is a CSV with a header.
        const csv = await page.request.get(`${CITY.url}/audit.csv?action=application.`);
        assert.equal(csv.status(), 200);
        assert.match(csv.headers()['content-type'], /text\/csv/);
        assert.match((await csv.text()).split('\n')[0], /^seq,time,actor,action/);
        // The node's sessions: the admin's own browser session is listed, the token never.
        await page.locator('nav a[href="/admin/sessions"]').click();
        await page.waitForURL('**/admin/sessions');
        assert.ok(await page.locator('#sessions tbody tr').count() > 0, 'live sessions');
        await audit.check(page, 'sessions');
        // Datensicherung: the city node backed up while it runs, into the demo's backups/.
        await page.locator('nav a[href="/backup"]').click();
        await page.waitForURL('**/backup');
        await audit.check(page, 'backup');
        await page.locator('#backup-form button[type="submit"]').click();
        await page.waitForURL('**/backup?taken=*');
        assert.ok(await page.locator('#backup-taken').isVisible(), 'says where it went');
        assert.ok((await page.locator('#backups tbody tr').count()) >= 1, 'the backup is listed');
        await audit.check(page, 'backup-taken');
      } finally {
        await ctx.close();
      }
      audit.assertClean();
    });

    test('ZVS changes approved places from a date', async () => {
      const audit = new Audit(vp.name);
      const ctx = await newContext(browser, vp);
      try {
        const page = await ctx.newPage();
        await login(page, CITY.url, 'zvs');
        await page.goto(`${CITY.url}/facilities`);
        await page.locator('#facility-results tbody a').first().click();
        await page.locator('main a[href$="/places"]').click();
        await page.waitForURL('**/places');
        await audit.check(page, 'facility-places');
        await page.locator('#f-care-type').selectOption('kindergarten');
        await page.locator('#f-places').fill('42');
        await page.locator('#f-valid-from').fill('2031-08-01');
        await page.locator('main form button[type="submit"]').click();
        await page.waitForURL('**?saved=1');
        const row = page.locator('#places-heading ~ div tbody tr', { hasText: '2031-08-01' });
        await assert.doesNotReject(row.first().waitFor(), 'the new figure is listed from its date');
        assert.match(await row.first().textContent(), /42/);
        await audit.check(page, 'facility-places-saved');
      } finally {
        await ctx.close();
      }
      audit.assertClean();
    });

    test('Kita lead reserves a seat for an application and releases it', async () => {
      const audit = new Audit(vp.name);
      const ctx = await newContext(browser, vp);
      try {
        const page = await ctx.newPage();
        await login(page, MAIN.url, MAIN.lead);
        await page.locator('nav a[href="/seats"]').click();
        await page.waitForURL('**/seats');
        assert.equal(await page.locator('main h1').textContent(), 'Plätze');
        assert.ok(await page.locator('#seat-plan tbody tr').count() > 0, 'the seat plan has months');
        await audit.check(page, 'seats');

        const open = page.locator('table.kn-wishes tbody tr', { has: page.locator('form[action="/seats/reserve"]') });
        assert.ok(await open.count() > 0, 'applications waiting for a seat');
        const handle = await open.first().getAttribute('data-wish');
        const row = page.locator(`table.kn-wishes tbody tr[data-wish="${handle}"]`);
        const freeBefore = await page.locator('#seat-plan tbody').textContent();
        await row.locator('form[action="/seats/reserve"] button[type="submit"]').click();
        await page.waitForURL('**/seats');
        await assert.doesNotReject(row.locator('form[action="/seats/release"]').waitFor(), 'reserved');
        assert.match(await row.textContent(), /reserviert/);
        assert.notEqual(await page.locator('#seat-plan tbody').textContent(), freeBefore, 'one seat less is free');
        await audit.check(page, 'seats-reserved');

        await row.locator('form[action="/seats/release"] button[type="submit"]').click();
        await page.waitForURL('**/seats');
        await assert.doesNotReject(row.locator('form[action="/seats/reserve"]').waitFor(), 'released');
        assert.equal(await page.locator('#seat-plan tbody').textContent(), freeBefore, 'the seat is free again');

        // The lead declines with a coded reason: the wish is closed here, the reason shown
        // (the city moves the application on to the next wish).
        await row.locator('form[action="/seats/decline"] select[name="reason"]').selectOption('age-structure');
        await row.locator('form[action="/seats/decline"] button[type="submit"]').click();
        await page.waitForURL('**/seats');
        const closed = page.locator(`#closed-wishes tbody tr[data-wish="${handle}"]`);
        await assert.doesNotReject(closed.waitFor(), 'declined');
        assert.match(await closed.textContent(), /Altersstruktur/);
        assert.equal(await closed.locator('form[action="/seats/decline"]').count(), 0, 'a no is said once');
        await audit.check(page, 'seats-declined');

        // The lead's conflict page: tasks for this Kita (none in a fresh demo).
        await page.locator('nav a[href="/conflicts"]').click();
        await page.waitForURL('**/conflicts');
        assert.ok(await page.locator('#no-conflicts').isVisible());
        await audit.check(page, 'conflicts-kita');
      } finally {
        await ctx.close();
      }
      audit.assertClean();
    });

    test('Kita lead sees the occupancy on a day and the forecast', async () => {
      const audit = new Audit(vp.name);
      const ctx = await newContext(browser, vp);
      try {
        const page = await ctx.newPage();
        await login(page, MAIN.url, MAIN.lead);
        await page.locator('nav a[href="/occupancy"]').click();
        await page.waitForURL('**/occupancy');
        assert.equal(await page.locator('section.kn-occupancy').count(), 1, 'the own Kita only');
        assert.ok(await page.locator('#forecast tbody tr').count() >= 12, 'a year month by month');
        await audit.check(page, 'occupancy');
        // Another day through the form.
        await page.locator('#f-on').fill('2027-09-01');
        await page.locator('form.kn-search button[type="submit"]').click();
        await page.waitForURL('**/occupancy?on=2027-09-01');
        assert.match(await page.locator('main h1').textContent(), /2027-09-01/);
      } finally {
        await ctx.close();
      }
      audit.assertClean();
    });

    test('Kita lead: a group, a child moved into it, a day of extra care, a new child', async () => {
      const audit = new Audit(vp.name);
      const ctx = await newContext(browser, vp);
      try {
        const page = await ctx.newPage();
        await login(page, MAIN.url, MAIN.lead);
        await page.locator('nav a[href="/groups"]').click();
        await page.waitForURL('**/groups');
        await audit.check(page, 'groups');
        // A name that is taken comes back with the field marked.
        const taken = (await page.locator('section.kn-group h2').first().textContent()).trim();
        await page.locator('#f-name').fill(taken);
        await page.locator('#f-size').fill('12');
        await page.locator('form[action="/groups"] button[type="submit"]').click();
        await page.waitForSelector('#form-errors');
        assert.equal(await page.locator('#f-name').getAttribute('aria-invalid'), 'true');
        await audit.check(page, 'groups-error');
        const name = `Igel ${vp.name}`;
        await page.locator('#f-name').fill(name);
        await page.locator('#f-lead').fill('Frau Sommer');
        await page.locator('form[action="/groups"] button[type="submit"]').click();
        await page.waitForURL('**/groups');
        const section = page.locator('section.kn-group', { has: page.locator('h2', { hasText: name }) });
        assert.equal(await section.count(), 1, 'the new group is listed');
        const groupId = await section.getAttribute('data-group');
        // Move the first child of another group into it.
        const row = page.locator(`section.kn-group:not([data-group="${groupId}"]) tbody tr`).first();
        const child = await row.getAttribute('data-child');
        await row.locator('select').selectOption(groupId);
        await row.locator('button[type="submit"]').click();
        await page.waitForURL('**/groups');
        assert.equal(await page.locator(`section.kn-group[data-group="${groupId}"] tr[data-child="${child}"]`).count(), 1, 'the child moved');

        // Extra care yesterday: one tier and a pick-up after closing.
        await page.locator('nav a[href="/extra-care"]').click();
        await page.waitForURL('**/extra-care');
        await audit.check(page, 'extra-care');
        const yesterday = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
        await page.locator('#f-child').selectOption(child);
        await page.locator('#f-date').fill(yesterday);
        await page.locator('#f-from').fill('16:30');
        await page.locator('#f-to').fill('17:45');
        await page.locator('#f-tiers').fill('1');
        await page.locator('#f-outside').check();
        await page.locator('form[action="/extra-care"] button[type="submit"]').click();
        await page.waitForURL('**/extra-care?month=*');
        const entry = page.locator('#extra-care tbody tr', { hasText: yesterday });
        assert.ok(await entry.count() >= 1, 'the day is listed');
        assert.match(await entry.first().textContent(), /30\.00/);
        await audit.check(page, 'extra-care-entry');

        // A new child: a wrong postcode first, then the child page.
        await page.locator('nav a[href="/children"]').click();
        await page.waitForURL('**/children');
        await page.locator('main a[href="/children/new"]').click();
        await page.waitForURL('**/children/new');
        await audit.check(page, 'child-new');
        const given = vp.name === VIEWPORTS[0].name ? 'Ida' : 'Ina';
        await page.locator('#f-start').fill('2027-01-01');
        await page.locator('#f-care-type').selectOption('nursery');
        await page.locator('#f-child_given_name').fill(given);
        await page.locator('#f-child_family_name').fill('Neumann');
        await page.locator('#f-child_birth_date').fill('2025-06-01');
        await page.locator('#f-guardian_given_name').fill('Eva');
        await page.locator('#f-guardian_family_name').fill('Neumann');
        await page.locator('#f-street').fill('Lindenweg 3');
        await page.locator('#f-postcode').fill('123');
        await page.locator('#f-city').fill('Dresden');
        await page.locator('#f-daily_hours').fill('8');
        await page.locator('form[action="/children/new"] button[type="submit"]').click();
        await page.waitForSelector('#form-errors');
        assert.equal(await page.locator('#f-postcode').getAttribute('aria-invalid'), 'true');
        assert.equal(await page.locator('#f-child_given_name').inputValue(), given, 'what was typed is kept');
        await page.locator('#f-postcode').fill('01069');
        await page.locator('form[action="/children/new"] button[type="submit"]').click();
        await page.waitForURL(/\/children\/child-/);
        assert.match(await page.locator('main h1').textContent(), new RegExp(`${given} Neumann`));
        // Notice on the new contract: the form proposes today and the earliest end.
        await page.locator('main a[href$="/notice"]').first().click();
        await page.waitForURL('**/notice');
        await audit.check(page, 'contract-notice');
        await page.locator('form[action$="/notice"] button[type="submit"]').click();
        await page.waitForURL(/\/children\/child-/);
        assert.equal(await page.locator('main a[href$="/notice"]').count(), 0, 'notice recorded');

        // A follow-up of her own beside the ones the node knows.
        await page.locator('nav a[href="/follow-ups"]').click();
        await page.waitForURL('**/follow-ups');
        await audit.check(page, 'follow-ups');
        const subject = `Elterngespräch ${given}`;
        await page.locator('#f-due').fill('2027-01-15');
        await page.locator('#f-subject').fill(subject);
        await page.locator('form[method="post"][action="/follow-ups"] button[type="submit"]').click();
        await page.waitForURL('**/follow-ups');
        const item = page.locator('#follow-ups tbody tr', { hasText: subject });
        assert.equal(await item.count(), 1, 'the follow-up is listed');
        await item.locator('button[type="submit"]').click();
        await page.waitForURL('**/follow-ups');
        assert.equal(await page.locator('#follow-ups tbody tr', { hasText: subject }).count(), 0, 'done');

        // Attendance: the page with the year's table (and the day's marks where the Kita has
        // heilpädagogische places).
        await page.locator('nav a[href="/attendance"]').click();
        await page.waitForURL('**/attendance');
        await audit.check(page, 'attendance');
        if (await page.locator('#attendance-day tbody tr').count()) {
          const first = page.locator('#attendance-day tbody tr').first();
          await first.locator('select').selectOption('sick');
          await page.locator('form[action="/attendance"] button[type="submit"]').click();
          await page.waitForURL('**/attendance?date=*');
          assert.equal(await page.locator('#attendance-day tbody tr').first().locator('select').inputValue(), 'sick');
        }

        // School entrants: deregister one child (the first viewport) and print its exit
        // certificate; the terminations statistic counts it.
        await page.locator('nav a[href="/school"]').click();
        await page.waitForURL('**/school');
        await audit.check(page, 'school');
        const boxes = page.locator('#school-entrants input[type="checkbox"]');
        assert.ok(await page.locator('#school-entrants tbody tr').count() > 0, 'the demo Kita has school entrants');
        if (vp.name === VIEWPORTS[0].name) {
          assert.ok(await boxes.count() > 0, 'entrants to deregister (the first viewport runs first)');
          const keep = await boxes.count();
          for (let i = 1; i < keep; i++) await boxes.nth(i).uncheck();
          const leaving = await boxes.first().getAttribute('id');
          await page.locator('#school-exit button[type="submit"]').click();
          await page.waitForURL('**/school?year=*');
          assert.equal(await page.locator(`#${leaving}`).count(), 0, 'the child is deregistered');
          await audit.check(page, 'school-exited');
          const certificates = await page.request.get(MAIN.url + (await page.locator('#exit-certificates').getAttribute('href')));
          assert.equal(certificates.status(), 200);
          assert.equal(certificates.headers()['content-type'], 'application/pdf');
        }
        await page.locator('nav a[href="/terminations"]').click();
        await page.waitForURL('**/terminations');
        await audit.check(page, 'terminations');

        // The Kita's staff (kept by the Träger) and the staffing ratio, month by month.
        await page.locator('nav a[href="/staff"]').click();
        await page.waitForURL('**/staff');
        assert.ok(await page.locator('#staff tbody tr').count() > 0, 'the demo Kita has staff');
        await audit.check(page, 'staff');
        await page.locator('main a[href="/staffing"]').click();
        await page.waitForURL('**/staffing');
        assert.equal(await page.locator('#staffing tbody tr').count(), 12, 'twelve months');
        await audit.check(page, 'staffing');
      } finally {
        await ctx.close();
      }
      audit.assertClean();
    });

    test('BVS-KTP: the register, a new childminder, a child placed, the month\'s payments', async () => {
      const audit = new Audit(vp.name);
      const ctx = await newContext(browser, vp);
      try {
        const page = await ctx.newPage();
        await login(page, CITY.url, 'bvs');
        await page.locator('nav a[href="/tagespflege"]').click();
        await page.waitForURL('**/tagespflege');
        assert.equal(await page.locator('main h1').textContent(), 'Kindertagespflege');
        assert.ok(await page.locator('#register tbody tr').count() > 0, 'the demo has childminders');
        assert.ok(await page.locator('#due tbody tr').count() > 0, 'a seeded proof is due for renewal');
        await audit.check(page, 'childminding');
        // A new childminder with a two-place permit from the first of this month.
        const now = new Date();
        const first = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-01`;
        const name = `Test Tagespflege ${vp.name}`;
        const form = page.locator('#new-childminder');
        await form.locator('#c-name').fill(name);
        await form.locator('#c-street').fill(`Probeweg ${vpIndex + 1}`);
        await form.locator('#c-postcode').fill('01099');
        await form.locator('#c-city').fill('Dresden');
        await form.locator('#c-district').fill('Neustadt');
        await form.locator('#c-start').fill(first);
        await form.locator('#c-places').fill('2');
        await form.locator('button[type="submit"]').click();
        await page.waitForURL(/\/tagespflege\/tpp-/);
        assert.equal(await page.locator('main h1').textContent(), name);
        assert.equal(await page.locator('#watch tbody tr[data-state="fehlt"]').count(), 3, 'three proofs missing');
        await audit.check(page, 'childminder');
        // An end before the start is refused and what was typed stays.
        const place = page.locator('#place-child');
        await place.locator('#p-given').fill('Greta');
        await place.locator('#p-family').fill('Probe');
        await place.locator('#p-birth').fill(`${now.getFullYear() - 1}-03-01`);
        await place.locator('#p-start').fill(first);
        await place.locator('#p-end').fill(`${now.getFullYear() - 1}-12-31`);
        await place.locator('#p-hours').fill('7,5');
        await place.locator('button[type="submit"]').click();
        await page.waitForLoadState('load');
        assert.ok(await page.locator('#form-errors').isVisible(), 'the error is shown');
        assert.equal(await page.locator('#p-given').inputValue(), 'Greta');
        await audit.check(page, 'childminder-error');
        await page.locator('#p-end').fill('');
        await page.locator('#place-child button[type="submit"]').click();
        await page.waitForURL(/\/tagespflege\/tpp-[^/]*$/);
        // Placed as a reservation (the form's first choice): not paid until the agreement.
        assert.equal(await page.locator('#placements tbody tr').count(), 1, 'the child is placed');
        assert.equal(await page.locator('#payment tbody tr').count(), 0, 'a reservation is not paid');
        await page.locator('#placements form[action$="/placements/agree"] button').click();
        await page.waitForURL(/\/tagespflege\/tpp-[^/]*$/);
        assert.equal(await page.locator('#placements form[action$="/placements/agree"]').count(), 0, 'concluded');
        assert.equal(await page.locator('#payment tbody tr').count(), 1, 'this month is paid');
        // The month's payments of every childminder.
        await page.locator('nav a[href="/tagespflege"]').click();
        await page.waitForURL('**/tagespflege');
        await page.locator('main a[href="/tagespflege/payments"]').click();
        await page.waitForURL('**/tagespflege/payments');
        assert.ok(await page.locator('#payments tbody tr', { hasText: name }).count() === 1, 'her payment is listed');
        await audit.check(page, 'childminding-payments');
      } finally {
        await ctx.close();
      }
      audit.assertClean();
    });

    test('Träger admin: the state statistics (Landeszuschuss, KJH III.1, Kita-Data-Webhouse check)', async () => {
      assert.ok(FEES, 'a Träger node');
      const audit = new Audit(vp.name);
      const ctx = await newContext(browser, vp);
      try {
        const page = await ctx.newPage();
        await login(page, FEES.url, 'traeger1');
        await page.locator('nav a[href="/statistics/landeszuschuss"]').click();
        await page.waitForURL('**/statistics/landeszuschuss');
        assert.ok(await page.locator('#subsidy tbody tr').count() > 0, 'a count per Kita');
        await audit.check(page, 'landeszuschuss');
        await page.locator('nav a[href="/statistics/kjh"]').click();
        await page.waitForURL('**/statistics/kjh');
        await audit.check(page, 'kjh');
        await page.locator('nav a[href="/statistics/kdw"]').click();
        await page.waitForURL('**/statistics/kdw');
        await audit.check(page, 'kdw');
        // The files for other systems (Lastenheft 3.19): health office, cost accounting, core data.
        await page.locator('nav a[href="/interfaces"]').click();
        await page.waitForURL('**/interfaces');
        await audit.check(page, 'interfaces');
        const csv = await page.request.get(`${FEES.url}/interfaces/health-office.csv`);
        assert.equal(csv.status(), 200);
        assert.match(csv.headers()['content-type'], /text\/csv/);
        // The Kita-Planer 2 export buffer with its error list.
        await page.locator('nav a[href="/kitaplaner"]').click();
        await page.waitForURL('**/kitaplaner*');
        await audit.check(page, 'kitaplaner');
      } finally {
        await ctx.close();
      }
      audit.assertClean();
    });

    test('Beitragsstelle: from a family\'s contract to a decision and the monthly direct debit', async () => {
      assert.ok(FEES, 'a Träger node with a fee office login');
      const audit = new Audit(vp.name);
      const ctx = await newContext(browser, vp);
      try {
        const page = await ctx.newPage();
        await login(page, FEES.url, FEES.clerk);
        await page.locator('nav a[href="/fees"]').click();
        await page.waitForURL('**/fees');
        assert.equal(await page.locator('main h1').textContent(), 'Beitragsfälle');
        await audit.check(page, 'fees');
        // A family paying a fee this month that has no decision yet.
        const rows = page.locator('#fee-cases tbody tr[data-state="no-decision"][data-computed]:not([data-computed="0.00"])');
        assert.ok(await rows.count() > 0, 'families to decide');
        const family = await rows.first().getAttribute('data-family');
        await rows.first().locator('a').click();
        await page.waitForURL(`**/fees/families/${family}`);
        assert.ok(await page.locator('#fee-months tbody tr').count() > 0, 'computed months');
        await page.locator('#fee-months details').first().locator('summary').click();
        assert.match(await page.locator('#fee-months details').first().textContent(), /§/, 'the explanation names the statute');
        await audit.check(page, 'fee-case');

        // A mistyped IBAN comes back with the message at the field.
        await page.locator('#pm-dd').check();
        await page.locator('#f-holder').fill('Anna Beispiel');
        await page.locator('#f-iban').fill('DE89 3704 0044 0532 0130 01');
        await page.locator('#f-reference').fill('M-2026-1');
        await page.locator('#f-signed_on').fill('2025-01-10');
        await page.locator('#payment button[type="submit"]').click();
        await assert.doesNotReject(page.locator('#form-errors').waitFor(), 'the error is shown');
        assert.equal(await page.locator('#f-iban').getAttribute('aria-invalid'), 'true');
        assert.equal(await page.locator('#f-holder').inputValue(), 'Anna Beispiel', 'what was typed stays');
        await audit.check(page, 'fee-case-error');
        await page.locator('#f-iban').fill('DE89 3704 0044 0532 0130 00');
        await page.locator('#payment button[type="submit"]').click();
        await page.waitForURL(`**/fees/families/${family}`);
        assert.equal(await page.locator('#f-iban').inputValue(), 'DE89370400440532013000');

        // The decision from the month offered (this month), then its PDF.
        await page.locator('#issue-decision button[type="submit"]').click();
        await page.waitForURL(`**/fees/families/${family}`);
        assert.equal(await page.locator('#decisions tbody tr').count(), 1, 'one decision');
        assert.equal(await page.locator('#fee-months tbody tr[data-differs]').count(), 0, 'decided as computed');
        const pdf = await page.request.get(FEES.url + (await page.locator('#decisions a[href$="/pdf"]').first().getAttribute('href')));
        assert.equal(pdf.status(), 200);
        assert.equal(pdf.headers()['content-type'], 'application/pdf');
        await audit.check(page, 'fee-case-decided');

        // The Soll-Stellung of next month, its positions and the SEPA file.
        await page.goto(`${FEES.url}/fees/billing`);
        await audit.check(page, 'billing');
        await page.locator('#run-billing button[type="submit"]').click();
        await page.waitForURL(/\/fees\/billing\/\d+$/);
        assert.ok(await page.locator('#positions tbody tr').count() > 0, 'positions charged');
        const sepa = await page.request.get(FEES.url + (await page.locator('#sepa-file').getAttribute('href')));
        assert.equal(sepa.status(), 200);
        assert.match(await sepa.text(), /pain\.008\.001\.08/);
        await audit.check(page, 'billing-run');
        // The arrears list with its upload form (payments from the finance system).
        await page.goto(`${FEES.url}/fees/arrears`);
        assert.equal(await page.locator('main h1').textContent(), 'Zahlungsrückstände');
        await audit.check(page, 'arrears');
      } finally {
        await ctx.close();
      }
      audit.assertClean();
    });

    test('Beitragsstelle: Änderungsmeldungen of the Kitas, filtered and marked done', async () => {
      assert.ok(FEES, 'a Träger node with a fee office login');
      // A lead of one of this Träger's Kitas records a move (through the API, as her app would).
      const api = async (base, token, method, path, body) => {
        const res = await fetch(`${base}${path}`, {
          method,
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: body ? JSON.stringify(body) : undefined,
        });
        return [res.status, await res.json().catch(() => null)];
      };
      const [, clerk] = await api(FEES.url, null, 'POST', '/api/login', { username: FEES.clerk, password: PASSWORD });
      let kita;
      for (const k of KITAS) {
        const [status, lead] = await api(k.url, null, 'POST', '/api/login', { username: k.lead, password: PASSWORD });
        if (status === 200 && lead.user.provider === clerk.user.provider) { kita = { ...k, token: lead.token }; break; }
      }
      assert.ok(kita, 'a Kita of the Beitragsstelle\'s Träger');
      const [, list] = await api(kita.url, kita.token, 'GET', '/api/children');
      const child = list.children.find((c) => c.contracts > 0);
      const [, detail] = await api(kita.url, kita.token, 'GET', `/api/children/${child.id}`);
      const g = detail.guardians[0];
      const street = `Neue Straße ${vp.name.length}${Date.now() % 1000}`;
      const [status] = await api(kita.url, kita.token, 'PUT', `/api/children/${child.id}/guardians/${g.id}`, {
        street, postcode: g.address.postcode, city: g.address.city, phone: g.phone, email: g.email,
        main_residence_in_city: g.main_residence_in_city ? 'on' : '', single_parent: g.single_parent ? 'on' : '',
      });
      assert.equal(status, 200, 'the move is recorded at the Kita');
      // It reaches the Träger's node by sync.
      let arrived = false;
      for (let i = 0; i < 60 && !arrived; i++) {
        const [, open] = await api(FEES.url, clerk.token, 'GET', '/api/fees/changes?field=address');
        arrived = open.some((r) => r.changes.some((c) => c.what.includes(street)));
        if (!arrived) await new Promise((r) => setTimeout(r, 500));
      }
      assert.ok(arrived, 'the move is a change report at the Träger');
      const audit = new Audit(vp.name);
      const ctx = await newContext(browser, vp);
      try {
        const page = await ctx.newPage();
        await login(page, FEES.url, FEES.clerk);
        await page.goto(`${FEES.url}/fees`);
        await page.locator('main a[href="/fees/changes"]').click();
        await page.waitForURL('**/fees/changes');
        assert.equal(await page.locator('main h1').textContent(), 'Änderungsmeldungen');
        await audit.check(page, 'fee-changes');
        await page.locator('#f-field').selectOption('hours');
        await page.locator('#changes-filter button[type="submit"]').click();
        await page.waitForURL('**/fees/changes?field=hours*');
        // Every change listed under the filter is one of hours.
        const items = page.locator('#changes li');
        for (let i = 0; i < await items.count(); i++) {
          assert.equal(await items.nth(i).getAttribute('data-field'), 'hours');
        }
        await audit.check(page, 'fee-changes-hours');
        await page.goto(`${FEES.url}/fees/changes?field=address`);
        const row = page.locator('#changes tbody tr', { hasText: street });
        assert.equal(await row.count(), 1, 'the move is listed with the new street');
        const doc = await row.getAttribute('data-doc');
        await row.locator('input[name="done"]').check();
        await page.locator('#changes-form button[type="submit"]').click();
        await page.waitForURL('**marked=1*');
        assert.ok(await page.locator('#changes-marked').isVisible(), 'says how many');
        assert.equal(await page.locator(`#changes tbody tr[data-doc="${doc}"]`).count(), 0, 'no longer open');
        await audit.check(page, 'fee-changes-marked');
        await page.goto(`${FEES.url}/fees/changes?done=on`);
        assert.ok(await page.locator(`#changes-done tbody tr[data-doc="${doc}"]`).count() >= 1, 'listed as done');
        await audit.check(page, 'fee-changes-done');
        // The lost fees of last month: the overview of every Kita of the Träger.
        await page.goto(`${FEES.url}/fees`);
        await page.locator('main a[href="/fees/lost-fees"]').click();
        await page.waitForURL('**/fees/lost-fees');
        assert.ok(await page.locator('#lost-fees-overview').isVisible(), 'the monthly overview');
        await audit.check(page, 'fee-lost-fees');
      } finally {
        await ctx.close();
      }
      audit.assertClean();
    });

    test('Kita lead reserves, gets the parents\' data and concludes the contract', async () => {
      const audit = new Audit(vp.name);
      const ctx = await newContext(browser, vp);
      try {
        const page = await ctx.newPage();
        await login(page, MAIN.url, MAIN.lead);
        await page.goto(`${MAIN.url}/seats`);
        const open = page.locator('table.kn-wishes tbody tr', { has: page.locator('form[action="/seats/reserve"]') });
        assert.ok(await open.count() > 0, 'applications waiting for a seat');
        const handle = await open.first().getAttribute('data-wish');
        const row = page.locator(`table.kn-wishes tbody tr[data-wish="${handle}"]`);
        await row.locator('form[action="/seats/reserve"] button[type="submit"]').click();
        await page.waitForURL('**/seats');
        // The city sees the reservation when the ledger arrives and sends the parents' data to
        // this Kita alone (the applicant share): the row shows the contact.
        let contact = 0;
        for (let i = 0; i < 40 && contact === 0; i++) {
          await page.waitForTimeout(500);
          await page.goto(`${MAIN.url}/seats`);
          contact = await row.locator('.kn-contact').count();
        }
        assert.equal(contact, 1, 'the parents\' contact reached the Kita');
        await row.locator(`a[href="/seats/contract?wish=${handle}"]`).click();
        await page.waitForURL('**/seats/contract?wish=*');
        assert.ok(await page.locator('#parents-data.kern-alert--info').isVisible(), 'the data came from the city');
        const given = await page.locator('#f-child_given_name').inputValue();
        assert.ok(given.length > 0, 'prefilled from the share');
        await audit.check(page, 'seats-contract');

        // A missing birth date comes back with a message next to the field; nothing is lost.
        const born = await page.locator('#f-child_birth_date').inputValue();
        await page.locator('#f-child_birth_date').fill('');
        await page.locator('#f-child_birth_date').evaluate((e) => e.removeAttribute('required'));
        await page.locator('main form.kn-form button[type="submit"]').click();
        await assert.doesNotReject(page.locator('#form-errors').waitFor(), 'the error is shown');
        assert.equal(await page.locator('#f-child_birth_date').getAttribute('aria-invalid'), 'true');
        assert.equal(await page.locator('#f-child_given_name').inputValue(), given, 'what was typed stays');
        await audit.check(page, 'seats-contract-error');

        await page.locator('#f-child_birth_date').fill(born);
        await page.locator('main form.kn-form button[type="submit"]').click();
        await page.waitForURL('**/children/*');
        assert.match(await page.locator('main h1').textContent(), new RegExp(given));
        await audit.check(page, 'seats-contract-child');
        const pdfHref = await page.locator('a[href$="/contract.pdf"]').first().getAttribute('href');
        const pdf = await page.request.get(`${MAIN.url}${pdfHref}`);
        assert.equal(pdf.status(), 200);
        assert.equal(pdf.headers()['content-type'], 'application/pdf');
        assert.ok((await pdf.body()).subarray(0, 5).toString() === '%PDF-', 'the contract prints');
        await page.goto(`${MAIN.url}/seats`);
        assert.match(await row.textContent(), /vergeben/, 'the seat is taken by the contract');
        assert.equal(await row.locator('form[action="/seats/release"]').count(), 0, 'a contract is not released here');
      } finally {
        await ctx.close();
      }
      audit.assertClean();
    });

    test('unknown page shows the 404 error page', async () => {
      const audit = new Audit(vp.name);
      const ctx = await newContext(browser, vp);
      try {
        const page = await ctx.newPage();
        await login(page, MAIN.url, MAIN.lead);
        const res = await page.goto(`${MAIN.url}/no-such-page`);
        assert.equal(res.status(), 404);
        assert.match(await page.locator('main h1').textContent(), /404/);
        assert.ok(await page.locator('main a[href="/"]').isVisible(), 'a way back to the start page');
        await audit.check(page, 'error-404');
        const res2 = await page.goto(`${MAIN.url}/children/child-does-not-exist`);
        assert.equal(res2.status(), 404);
        await audit.check(page, 'error-404-child');
      } finally {
        await ctx.close();
      }
      audit.assertClean();
    });
  });
}

describe('without JavaScript', () => {
  test('login and facility search work through plain form submits', async () => {
    const vp = VIEWPORTS[0];
    const ctx = await newContext(browser, vp, { javaScriptEnabled: false });
    try {
      const page = await ctx.newPage();
      const res = await login(page, MAIN.url, MAIN.lead);
      assert.equal(res.status(), 303);
      assert.match(await page.locator('main h1').textContent(), /^Willkommen, /);
      await page.goto(`${MAIN.url}/facilities`);
      const all = await resultRows(page).count();
      await page.locator('#q').fill(QUERY);
      await Promise.all([page.waitForURL(/[?&]q=/), page.locator('main form[role="search"] button[type="submit"]').click()]);
      assert.equal(new URL(page.url()).searchParams.get('q'), QUERY);
      assert.equal(await page.locator('#q').inputValue(), QUERY, 'query kept in the field');
      const rows = await resultRows(page).allTextContents();
      assert.ok(rows.length >= 1 && rows.length < all, `filtered ${all} → ${rows.length}`);
      for (const row of rows) assert.match(row.toLowerCase(), new RegExp(QUERY));
      await shot(page, 'nojs-facilities-search');
    } finally {
      await ctx.close();
    }
  });
});

describe('a place given twice', () => {
  /** Reloads `url` until `locator(page)` matches (sync between the demo nodes takes a moment). */
  async function reloadUntil(page, url, locator, want = true) {
    for (let i = 0; i < 60; i++) {
      await page.goto(url);
      if ((await locator(page).count() > 0) === want) return;
      await page.waitForTimeout(500);
    }
    throw new Error(`${url}: gave up waiting`);
  }

  test('two Kitas reserve one application, the ZVS decides, the other Kita releases', async () => {
    const audit = new Audit('desktop');
    const contexts = [];
    try {
      // Every Kita lead's open wishes, each under the Kita's own handle: no Kita can tell which
      // of its wishes another Kita has too. The ZVS can (a Kita calls about a handle).
      const zctx = await newContext(browser, VIEWPORTS[0]);
      contexts.push(zctx);
      const zvs = await zctx.newPage();
      await login(zvs, CITY.url, 'zvs');
      const leads = [];
      for (const kita of KITAS) {
        const ctx = await newContext(browser, VIEWPORTS[0]);
        contexts.push(ctx);
        const page = await ctx.newPage();
        await login(page, kita.url, kita.lead);
        await page.goto(`${kita.url}/seats`);
        const handles = await page
          .locator('table.kn-wishes tbody tr', { has: page.locator('form[action="/seats/reserve"]') })
          .evaluateAll((rows) => rows.map((r) => r.dataset.wish));
        const open = new Map();
        for (const handle of handles) {
          const answer = await zvs.request.get(`${CITY.url}/api/wishes/${handle}`);
          assert.equal(answer.status(), 200, `the ZVS finds ${handle}`);
          open.set((await answer.json()).application, handle);
        }
        leads.push({ kita, page, open });
      }
      let pair;
      for (const a of leads) {
        for (const b of leads) {
          const shared = a !== b && [...a.open.keys()].find((id) => b.open.has(id));
          if (shared && !pair) pair = { a, b, application: shared };
        }
      }
      assert.ok(pair, 'two demo Kitas share an application with free seats');
      const { application } = pair;
      assert.notEqual(pair.a.open.get(application), pair.b.open.get(application), 'one handle per Kita');
      for (const lead of [pair.a, pair.b]) lead.handle = lead.open.get(application);
      for (const { kita, page, handle } of [pair.a, pair.b]) {
        const row = page.locator(`table.kn-wishes tbody tr[data-wish="${handle}"]`);
        await row.locator('form[action="/seats/reserve"] button[type="submit"]').click();
        await page.waitForURL(`${kita.url}/seats`);
        await row.locator('form[action="/seats/release"]').waitFor();
      }

      // The ZVS sees the application held twice and decides (the default keeper is preselected).
      const card = (p) => p.locator(`#double-places ~ [data-application="${application}"]`);
      await reloadUntil(zvs, `${CITY.url}/conflicts`, card);
      assert.equal(await card(zvs).locator('tbody tr').count(), 2, 'both holds are shown');
      await audit.check(zvs, 'conflicts-double-place');
      await card(zvs).locator('input[name="note"]').fill('Geschwisterkind');
      await card(zvs).locator('button[type="submit"]').click();
      await zvs.waitForURL(`${CITY.url}/conflicts`);
      assert.match(await card(zvs).textContent(), /Geschwisterkind/);

      // The Kita that did not keep it gets the task, and releases.
      const task = (lead) => lead.page.locator(`#release-tasks ~ div tr[data-wish="${lead.handle}"]`);
      let loser;
      for (let i = 0; i < 60 && !loser; i++) {
        for (const lead of [pair.a, pair.b]) {
          await lead.page.goto(`${lead.kita.url}/conflicts`);
          if (await task(lead).count()) loser = lead;
        }
        if (!loser) await pair.a.page.waitForTimeout(500);
      }
      assert.ok(loser, 'one of the two Kitas got a release task');
      await audit.check(loser.page, 'conflicts-release-task');
      await task(loser).locator('button[type="submit"]').click();
      await loser.page.waitForURL(`${loser.kita.url}/conflicts`);
      assert.equal(await task(loser).count(), 0, 'the task is done');

      // The conflict is gone at the city; the keeper still holds its seat.
      await reloadUntil(zvs, `${CITY.url}/conflicts`, card, false);
      const keeper = loser === pair.a ? pair.b : pair.a;
      await keeper.page.goto(`${keeper.kita.url}/seats`);
      const kept = keeper.page.locator(`table.kn-wishes tbody tr[data-wish="${keeper.handle}"]`);
      assert.equal(await kept.locator('form[action="/seats/release"]').count(), 1);
      // Leave the demo as it was: the keeper releases too.
      await kept.locator('form[action="/seats/release"] button[type="submit"]').click();
      await keeper.page.waitForURL(`${keeper.kita.url}/seats`);
    } finally {
      for (const ctx of contexts) await ctx.close();
    }
    audit.assertClean();
  });
});

describe('a coordinated placement round', () => {
  /** First day's month `n` months after this one, as `YYYY-MM` (the node's clock is the real one). */
  const monthFromNow = (n) => {
    const d = new Date();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() + n);
    return d.toISOString().slice(0, 7);
  };

  // Last: from here on the applications of the window are placed by rounds, and a Kita's
  // confirmation waits for the parents' answer (the flows above reserve under the sequential
  // procedure).
  test('the ZVS starts a round, reads its statistics and protocol, a Kita confirms its proposal', async () => {
    const audit = new Audit('desktop');
    const contexts = [];
    try {
      const zctx = await newContext(browser, VIEWPORTS[0]);
      contexts.push(zctx);
      const zvs = await zctx.newPage();
      await login(zvs, CITY.url, 'zvs');
      await zvs.locator('nav a[href="/rounds"]').click();
      await zvs.waitForURL('**/rounds');
      assert.equal(await zvs.locator('main h1').textContent(), 'Vergaberunden');
      await audit.check(zvs, 'rounds');

      // What if: the same applications under another catalogue, side by side, nothing stored.
      await zvs.locator('main a[href="/rounds/what-if"]').click();
      await zvs.waitForURL('**/rounds/what-if');
      const catalogue = JSON.parse(await zvs.locator('#f-catalogue').inputValue());
      catalogue.id = 'ohne-geburtsdatum';
      catalogue.criteria = catalogue.criteria.filter((c) => c.kind !== 'birth_date');
      await zvs.locator('#f-catalogue').fill(JSON.stringify(catalogue, null, 2));
      await zvs.locator('main form button[type="submit"]').click();
      await zvs.locator('#what-if-result').waitFor();
      assert.equal(await zvs.locator('#what-if-sides tbody tr').count(), 7);
      await audit.check(zvs, 'rounds-what-if');
      await zvs.goto(`${CITY.url}/rounds`);
      assert.ok(await zvs.locator('#rounds-none').isVisible(), 'the comparison stored no round');

      // A window in the past is refused with the field named; what was typed stays.
      await zvs.locator('#f-from').fill('2020-01');
      await zvs.locator('#f-to').fill('2020-02');
      await zvs.locator('main form button[type="submit"]').click();
      await assert.doesNotReject(zvs.locator('#form-errors').waitFor(), 'the error is shown');
      assert.equal(await zvs.locator('#f-to').getAttribute('aria-invalid'), 'true');
      assert.equal(await zvs.locator('#f-from').inputValue(), '2020-01');
      await audit.check(zvs, 'rounds-error');

      await zvs.locator('#f-from').fill(monthFromNow(1));
      await zvs.locator('#f-to').fill(monthFromNow(12));
      await zvs.locator('main form button[type="submit"]').click();
      await zvs.waitForURL(/\/rounds\/\d+$/);
      assert.match(await zvs.locator('main h1').textContent(), /^Vergaberunde \d+$/);
      assert.match(await zvs.locator('#round-stable').textContent(), /stabil/);
      assert.ok(await zvs.locator('#round-statistics').isVisible());
      await audit.check(zvs, 'round');
      const href = await zvs.locator('a[href$="/protocol.json"]').getAttribute('href');
      const protocol = await zvs.request.get(`${CITY.url}${href}`);
      assert.equal(protocol.status(), 200);
      const record = await protocol.json();
      assert.equal(record.format, 'kitanetz-round/1');
      assert.equal(record.result.protocol.certificate.stable, true);
      const kitasProposed = await zvs.locator('#round-kitas tbody tr').count();
      assert.ok(kitasProposed > 0, 'the demo has applications with free seats in the window');
      // One Kita's proposals in detail.
      await zvs.locator('#round-kitas tbody tr a').first().click();
      await zvs.waitForURL(/facility=/);
      assert.ok(await zvs.locator('#round-proposals tbody tr').count() > 0);
      await audit.check(zvs, 'round-kita');
      const roundUrl = zvs.url().split('?')[0];

      // The proposals reach the Kitas (each its own, under its handle); one Kita confirms.
      let confirmed;
      const leads = new Map();
      for (let i = 0; i < 60 && !confirmed; i++) {
        for (const kita of KITAS) {
          if (!leads.has(kita.name)) {
            const ctx = await newContext(browser, VIEWPORTS[0]);
            contexts.push(ctx);
            const lead = await ctx.newPage();
            await login(lead, kita.url, kita.lead);
            leads.set(kita.name, lead);
          }
          const page = leads.get(kita.name);
          await page.goto(`${kita.url}/seats`);
          const rows = page.locator('#round-proposals tbody tr[data-status="proposed"]');
          if (await rows.count()) {
            await audit.check(page, 'seats-round-proposals');
            const handle = await rows.first().getAttribute('data-wish');
            await rows.first().locator('form[action="/seats/reserve"] button[type="submit"]').click();
            await page.waitForURL(`${kita.url}/seats`);
            confirmed = { kita, page, handle };
            break;
          }
        }
        if (!confirmed) await zvs.waitForTimeout(500);
      }
      assert.ok(confirmed, 'a Kita received a proposal');
      // At the city the confirmation becomes an offer to the parents.
      let offered = 0;
      for (let i = 0; i < 60 && offered === 0; i++) {
        await zvs.goto(roundUrl);
        const cells = await zvs.locator('#round-kitas tbody tr td:nth-child(4)').allTextContents();
        offered = cells.reduce((sum, c) => sum + Number(c.trim()), 0);
        if (offered === 0) await zvs.waitForTimeout(500);
      }
      assert.ok(offered > 0, 'the confirmation reached the city as an offer');

      // The ZVS cancels the round: the reason is required; what no Kita answered is withdrawn,
      // the confirmed offer stands.
      await zvs.goto(roundUrl);
      await zvs.locator('#round-cancel button[type="submit"]').click();
      await zvs.locator('#form-errors').waitFor();
      assert.equal(await zvs.locator('#f-reason').getAttribute('aria-invalid'), 'true');
      await audit.check(zvs, 'round-cancel-error');
      await zvs.locator('#f-reason').fill('Zeitraum falsch gewählt');
      await zvs.locator('#round-cancel button[type="submit"]').click();
      await zvs.waitForURL(roundUrl);
      await zvs.locator('#round-cancelled').waitFor();
      assert.match(await zvs.locator('#round-cancelled').textContent(), /Zeitraum falsch gewählt/);
      assert.equal(await zvs.locator('#round-cancel').count(), 0, 'cancelled once');
      const standing = (await zvs.locator('#round-kitas tbody tr td:nth-child(4)').allTextContents())
        .reduce((sum, c) => sum + Number(c.trim()), 0);
      assert.ok(standing > 0, 'the confirmed offer stands');
      await audit.check(zvs, 'round-cancelled');
    } finally {
      for (const ctx of contexts) await ctx.close();
    }
    audit.assertClean();
  });

  test('parents declare their income online; the Beitragsstelle takes it over with the proofs', async () => {
    const audit = new Audit('desktop');
    const contexts = [];
    const open = async (url, user) => {
      const ctx = await newContext(browser, VIEWPORTS[0]);
      contexts.push(ctx);
      const page = await ctx.newPage();
      if (user) await login(page, url, user);
      return page;
    };
    try {
      // The Kita's facility id (its own facility is the one it may edit).
      const lead = await open(MAIN.url, MAIN.lead);
      await lead.goto(`${MAIN.url}/facilities?q=${encodeURIComponent(QUERY)}`);
      const facility = (await openOwnFacility(lead)).split('/').pop();

      // A parent registers and applies with that Kita as the first wish (a Kindergarten child,
      // or a Krippe child if the Kita has no Kindergarten).
      const parent = await open(CITY.url);
      const email = 'familie.einkommen@example.org';
      await registerAndLogIn(parent, CITY.url, email, 'Lea Einkommen');
      const year = new Date().getFullYear();
      const start = monthFromNow(3);
      let applied = false;
      for (const born of [`${year - 3}-05-01`, `${year - 1}-05-01`]) {
        await parent.goto(`${CITY.url}/portal/apply`);
        await parent.locator('#a-child1_given_name').fill('Tom');
        await parent.locator('#a-child1_family_name').fill('Einkommen');
        await parent.locator('#a-child1_birth_date').fill(born);
        await parent.locator('#a-street').fill('Wilsdruffer Straße 1');
        await parent.locator('#a-postcode').fill('01067');
        await parent.locator('#a-phone').fill('0351 777777');
        await parent.locator('#a-desired_start').fill(`${start}-01`);
        await parent.locator('#a-daily_hours').fill('8');
        await parent.locator('#a-wish1').selectOption(`f:${facility}`);
        for (const c of ['consent_data_processing', 'consent_forwarding', 'consent_terms']) await parent.locator(`#a-${c}`).check();
        await parent.locator('main form button[type="submit"]').click();
        await parent.waitForLoadState();
        if (/submitted=1$/.test(parent.url())) {
          applied = true;
          break;
        }
      }
      assert.ok(applied, 'the application went in');
      const receipt = await parent.locator('main a[href$="/receipt.pdf"]').first().getAttribute('href');
      const application = receipt.split('/')[3];
      assert.equal(await parent.locator(`main a[href="/portal/applications/${application}/income"]`).count(), 0, 'no place yet');

      // The wish reaches the Kita; the ZVS names the application behind a handle.
      const zvs = await open(CITY.url, 'zvs');
      let handle;
      for (let i = 0; i < 60 && !handle; i++) {
        await lead.goto(`${MAIN.url}/seats`);
        const handles = await lead
          .locator('table.kn-wishes tbody tr', { has: lead.locator('form[action="/seats/reserve"]') })
          .evaluateAll((rows) => rows.map((r) => r.dataset.wish));
        for (const h of handles) {
          const answer = await zvs.request.get(`${CITY.url}/api/wishes/${h}`);
          if (answer.status() === 200 && (await answer.json()).application === application) handle = h;
        }
        if (!handle) await lead.waitForTimeout(500);
      }
      assert.ok(handle, 'the Kita sees the application');
      const row = lead.locator(`table.kn-wishes tbody tr[data-wish="${handle}"]`);
      await row.locator('form[action="/seats/reserve"] button[type="submit"]').click();
      await lead.waitForURL('**/seats');

      // With the place reserved the parents may declare their income.
      const income = `/portal/applications/${application}/income`;
      let link = 0;
      for (let i = 0; i < 60 && link === 0; i++) {
        await parent.goto(`${CITY.url}/portal/applications`);
        link = await parent.locator(`main a[href="${income}"]`).count();
        if (link === 0) await parent.waitForTimeout(500);
      }
      assert.equal(link, 1, 'the link appears once the seat is reserved');
      await parent.locator(`main a[href="${income}"]`).click();
      await parent.waitForURL(`**${income}`);
      await audit.check(parent, 'portal-income');
      await parent.locator('#r-from').fill(start);
      await parent.locator('#r-until').fill(monthFromNow(8));
      await parent.locator('#m1-name').fill('Lea Einkommen');
      await parent.locator('#m2-name').fill('Tom Einkommen');
      await parent.locator('#m2-rel').selectOption('child');
      await parent.locator('#i1-member').fill('m1');
      await parent.locator('#i1-amount').fill('viel');
      await parent.locator('#r-housing').fill('420');
      await parent.locator('#income-form button[type="submit"]').click();
      await assert.doesNotReject(parent.locator('#form-errors').waitFor(), 'the error is shown');
      assert.equal(await parent.locator('#i1-amount').getAttribute('aria-invalid'), 'true');
      assert.equal(await parent.locator('#m2-name').inputValue(), 'Tom Einkommen', 'what was typed stays');
      await audit.check(parent, 'portal-income-error');
      await parent.locator('#i1-amount').fill('1450');
      await parent.locator('#income-form button[type="submit"]').click();
      await parent.waitForURL(/sent=1$/);
      await parent.locator('#proof').setInputFiles({
        name: 'Lohnabrechnung.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n'),
      });
      await parent.locator('form[action$="/income/proofs"] button[type="submit"]').click();
      await parent.waitForURL(/uploaded=1$/);
      assert.match(await parent.locator('#proofs').textContent(), /Lohnabrechnung\.pdf/);
      await audit.check(parent, 'portal-income-sent');

      // The Kita concludes the contract: the family lives at its Träger from now on.
      await lead.goto(`${MAIN.url}/seats/contract?wish=${handle}`);
      await lead.locator('main form.kn-form button[type="submit"]').click();
      await lead.waitForURL('**/children/*');

      // The Beitragsstelle of that Träger (whichever demo Träger it is) sees the declaration.
      const offices = demoNodes().filter((n) => n.kind === 'traeger');
      const clerks = [];
      for (const office of offices) {
        const user = office.logins.find((l) => l.role === 'fee-office')?.user;
        if (user) clerks.push({ office, page: await open(office.url, user) });
      }
      let found;
      for (let i = 0; i < 80 && !found; i++) {
        for (const c of clerks) {
          await c.page.goto(`${c.office.url}/fees/declarations`);
          const r = c.page.locator('#declarations tbody tr', { hasText: 'Tom Einkommen' });
          if ((await r.count()) && /neu/.test(await r.textContent())) found = c;
        }
        if (!found) await lead.waitForTimeout(500);
      }
      assert.ok(found, 'the declaration and the family reached the Träger office');
      const office = found.page;
      await audit.check(office, 'fee-declarations');
      await office.locator('#declarations tbody tr', { hasText: 'Tom Einkommen' }).locator('a').first().click();
      await office.waitForURL(/\/fees\/declarations\/[0-9a-f]+$/);
      assert.match(await office.locator('#incomes').textContent(), /1450/);
      await audit.check(office, 'fee-declaration');
      await office.locator('form[action$="/take-over"] button[type="submit"]').click();
      await office.waitForURL(/\/fees\/families\/[^/]+\/reductions$/);
      assert.match(await office.locator('#kept-proofs').textContent(), /Lohnabrechnung\.pdf/);
      assert.ok(await office.locator('input[name="provisional"]').first().isChecked(), 'provisional by default');
      await audit.check(office, 'fee-reductions-declared');
    } finally {
      for (const ctx of contexts) await ctx.close();
    }
    audit.assertClean();
  });

  test('a parent applies on the phone, a round offers a place, the parent accepts it and the Kita concludes the contract', async () => {
    const audit = new Audit('phone');
    const contexts = [];
    const open = async (url, user, vp = VIEWPORTS[0]) => {
      const ctx = await newContext(browser, vp);
      contexts.push(ctx);
      const page = await ctx.newPage();
      if (user) await login(page, url, user);
      return page;
    };
    try {
      const lead = await open(MAIN.url, MAIN.lead);
      await lead.goto(`${MAIN.url}/facilities?q=${encodeURIComponent(QUERY)}`);
      const facility = (await openOwnFacility(lead)).split('/').pop();

      // The parent registers and applies on the phone, for a start the next round covers alone
      // (the oldest child of the age: the catalogue ranks earlier birth dates higher).
      const parent = await open(CITY.url, null, VIEWPORTS.find((v) => v.name === 'phone'));
      const email = 'familie.runde@example.org';
      await registerAndLogIn(parent, CITY.url, email, 'Rana Runde');
      const start = monthFromNow(4);
      const [year, month] = start.split('-').map(Number);
      let applied = false;
      for (const age of [5, 2]) {
        await parent.goto(`${CITY.url}/portal/apply`);
        await parent.locator('#a-child1_given_name').fill('Ida');
        await parent.locator('#a-child1_family_name').fill('Runde');
        await parent.locator('#a-child1_birth_date').fill(`${year - age}-${String(month).padStart(2, '0')}-02`);
        await parent.locator('#a-street').fill('Wilsdruffer Straße 1');
        await parent.locator('#a-postcode').fill('01067');
        await parent.locator('#a-phone').fill('0351 888888');
        await parent.locator('#a-desired_start').fill(`${start}-01`);
        await parent.locator('#a-daily_hours').fill('8');
        await parent.locator('#a-wish1').selectOption(`f:${facility}`);
        for (const c of ['consent_data_processing', 'consent_forwarding', 'consent_terms']) await parent.locator(`#a-${c}`).check();
        await parent.locator('main form button[type="submit"]').click();
        await parent.waitForLoadState();
        if (/submitted=1$/.test(parent.url())) {
          applied = true;
          break;
        }
      }
      assert.ok(applied, 'the application went in');
      await audit.check(parent, 'portal-round-applied');
      const receipt = await parent.locator('main a[href$="/receipt.pdf"]').first().getAttribute('href');
      const application = receipt.split('/')[3];

      // The ZVS starts a round for that month.
      const zvs = await open(CITY.url, 'zvs');
      await zvs.goto(`${CITY.url}/rounds`);
      await zvs.locator('#f-from').fill(start);
      await zvs.locator('#f-to').fill(start);
      await zvs.locator('main form button[type="submit"]').click();
      await zvs.waitForURL(/\/rounds\/\d+$/);

      // The proposal reaches the Kita under its handle; the lead confirms it.
      let handle;
      for (let i = 0; i < 60 && !handle; i++) {
        await lead.goto(`${MAIN.url}/seats`);
        const handles = await lead
          .locator('#round-proposals tbody tr[data-status="proposed"]')
          .evaluateAll((rows) => rows.map((r) => r.dataset.wish));
        for (const h of handles) {
          const answer = await zvs.request.get(`${CITY.url}/api/wishes/${h}`);
          if (answer.status() === 200 && (await answer.json()).application === application) handle = h;
        }
        if (!handle) await lead.waitForTimeout(500);
      }
      assert.ok(handle, 'the round proposed the child to the Kita');
      await lead
        .locator(`#round-proposals tbody tr[data-wish="${handle}"] form[action="/seats/reserve"] button[type="submit"]`)
        .click();
      await lead.waitForURL('**/seats');

      // The city offers the place: the offer in "Meine Anträge" on the phone, and a mail.
      const offer = parent.locator(`#offer-${application}`);
      for (let i = 0; i < 60 && !(await offer.count()); i++) {
        await parent.goto(`${CITY.url}/portal/applications`);
        if (!(await offer.count())) await parent.waitForTimeout(500);
      }
      assert.equal(await offer.count(), 1, 'the offer is shown');
      const [mail] = await mailsFor(email, /Platzangebot/);
      assert.match(mail.text, /bis zum \d\d\.\d\d\.\d{4}/, 'the mail names the deadline');
      await audit.check(parent, 'portal-round-offer');
      await offer.locator('button[value="accept"]').click();
      await parent.waitForLoadState();
      assert.equal(await parent.locator(`#offer-${application}`).count(), 0, 'answered once');
      await audit.check(parent, 'portal-round-accepted');

      // The acceptance brings the parents' data to the Kita; it concludes the contract.
      let ready = false;
      for (let i = 0; i < 60 && !ready; i++) {
        await lead.goto(`${MAIN.url}/seats/contract?wish=${handle}`);
        ready = (await lead.locator('#parents-data.kern-alert--info').count()) > 0
          && (await lead.locator('#f-child_given_name').inputValue()) === 'Ida';
        if (!ready) await lead.waitForTimeout(500);
      }
      assert.ok(ready, 'the parents\' data reached the Kita');
      await lead.locator('main form.kn-form button[type="submit"]').click();
      await lead.waitForURL('**/children/*');
      assert.match(await lead.locator('main h1').textContent(), /Ida Runde/);

      // The parents see the place as certain.
      let placed = false;
      for (let i = 0; i < 60 && !placed; i++) {
        await parent.goto(`${CITY.url}/portal/applications`);
        placed = /\bvermittelt\b/.test(await parent.locator('main').textContent());
        if (!placed) await parent.waitForTimeout(500);
      }
      assert.ok(placed, 'the application shows the place');
      await audit.check(parent, 'portal-round-placed');
    } finally {
      for (const ctx of contexts) await ctx.close();
    }
    audit.assertClean();
  });

  test('a childminder reads her own file and records her vacation', async () => {
    const audit = new Audit('desktop');
    const ctx = await newContext(browser, VIEWPORTS[0]);
    try {
      const page = await ctx.newPage();
      await login(page, CITY.url, 'tagespflege');
      await page.locator('nav a[href="/tagespflege/mine"]').click();
      await page.waitForURL('**/tagespflege/mine');
      assert.equal(await page.locator('nav a[href="/tagespflege"]').count(), 0, 'not the register');
      await audit.check(page, 'tagespflege-mine');
      // The page shows this year's absences: a week in December of this year.
      const year = new Date().getFullYear();
      await page.locator('#b-kind').selectOption('vacation');
      await page.locator('#b-from').fill(`${year}-12-14`);
      await page.locator('#b-until').fill(`${year}-12-07`);
      await page.locator('#record-own-absence button[type="submit"]').click();
      await assert.doesNotReject(page.locator('#form-errors').waitFor(), 'the end before the start is named');
      assert.equal(await page.locator('#b-from').inputValue(), `${year}-12-14`, 'what was typed stays');
      await audit.check(page, 'tagespflege-mine-error');
      await page.locator('#b-until').fill(`${year}-12-18`);
      await page.locator('#record-own-absence button[type="submit"]').click();
      await page.waitForURL(/\/tagespflege\/mine/);
      assert.equal(await page.locator('#form-errors').count(), 0);
      assert.match(await page.locator('main').textContent(), new RegExp(`14\\.12\\.${year}`));
      // Another childminder's file stays closed to her.
      const other = await page.request.get(`${CITY.url}/tagespflege`);
      assert.equal(other.status(), 403);
    } finally {
      await ctx.close();
    }
    audit.assertClean();
  });
});
