// The parents' portal on the city node, as a parent on a phone or a desktop uses it: no login,
// search near an address, map and table, a profile, the favourites basket; axe-core on every
// page; and the same search without JavaScript.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Audit, VIEWPORTS, demoNodes, launchBrowser, mailsFor, newContext, registerAndLogIn as register, shot } from './lib.mjs';

const CITY = demoNodes().find((n) => n.kind === 'city');
/** A house in the demo city's street directory (datagen's Altstadt). */
const ADDRESS = 'Wilsdruffer Straße 1';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const rows = (page) => page.locator('main table tbody tr');

for (const vp of VIEWPORTS) {
  describe(`portal ${vp.name}`, () => {
    test('a visitor finds Kitas near an address, opens one and remembers it', async () => {
      const audit = new Audit(vp.name);
      const ctx = await newContext(browser, vp);
      try {
        const page = await ctx.newPage();
        await page.goto(`${CITY.url}/`);
        assert.equal(new URL(page.url()).pathname, '/portal', 'the city front page is the portal');
        await audit.check(page, 'portal-start');

        await page.locator('#s-address').fill(ADDRESS);
        await page.locator('#s-radius').selectOption('5');
        await Promise.all([page.waitForURL(/address=/), page.locator('main form[role="search"] button[type="submit"]').click()]);
        const heading = await page.locator('#results-title').textContent();
        assert.match(heading, /Treffer im Umkreis von 5 km: Wilsdruffer Straße 1/);
        const found = await rows(page).count();
        assert.ok(found >= 1, 'something within 5 km');
        // Distances in the table rise.
        const metres = (await page.locator('main table tbody td[data-label="Entfernung"]').allTextContents()).map((t) =>
          t.includes('km') ? parseFloat(t.replace(',', '.')) * 1000 : parseFloat(t));
        assert.deepEqual([...metres].sort((a, b) => a - b), metres, 'sorted by distance');
        // The map shows a marker per result.
        await page.locator('#kn-map .leaflet-marker-icon').first().waitFor();
        assert.equal(await page.locator('#kn-map .leaflet-marker-icon').count(), found);
        await audit.check(page, 'portal-results');

        // Fewer results with more criteria: facilities only.
        await page.goto(`${CITY.url}/portal?address=${encodeURIComponent(ADDRESS)}&radius=5&facilities_only=true`);
        const facilitiesOnly = await rows(page).count();
        assert.ok(facilitiesOnly <= found);
        assert.equal(await page.locator('main table tbody td[data-label="Angebot"]:has-text("Kindertagespflege")').count(), 0);

        // Remember the first result, open its profile.
        const first = rows(page).first();
        const name = (await first.locator('a').first().textContent()).trim();
        await Promise.all([page.waitForURL(/\/portal\?/), first.locator('button:has-text("Merken")').click()]);
        assert.ok(await rows(page).first().locator('button:has-text("Entfernen")').isVisible(), 'marked as remembered');
        await rows(page).first().locator('a').first().click();
        assert.equal(await page.locator('main h1').textContent(), name);
        await audit.check(page, 'portal-profile');

        await page.goto(`${CITY.url}/portal/favourites`);
        assert.match(await page.locator('main ol').textContent(), new RegExp(name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        await audit.check(page, 'portal-favourites');

        // A mistyped address: the field says so, nothing is lost.
        await page.goto(`${CITY.url}/portal?address=${encodeURIComponent('Wilsdruffer Straße 99999')}&care_type=nursery`);
        assert.ok(await page.locator('#form-errors').isVisible());
        assert.equal(await page.locator('#s-address').getAttribute('aria-invalid'), 'true');
        assert.equal(await page.locator('#s-care_type').inputValue(), 'nursery');
        await audit.check(page, 'portal-error');
      } finally {
        await ctx.close();
      }
      audit.assertClean();
    });
  });
}


for (const vp of VIEWPORTS) {
  describe(`portal account ${vp.name}`, () => {
    test('a parent registers, confirms the mailed link and logs in', async () => {
      const audit = new Audit(vp.name);
      const ctx = await newContext(browser, vp);
      const email = `anna.${vp.name}@example.org`;
      try {
        const page = await ctx.newPage();
        await page.goto(`${CITY.url}/portal`);
        await page.locator('nav a[href="/portal/login"]').click();
        await page.locator('main a[href="/portal/register"]').click();
        await audit.check(page, 'portal-register');

        // Bad input first: every field says what is wrong, nothing typed is lost.
        await page.locator('#f-email').fill('anna');
        await page.locator('#f-display_name').fill('Anna Schulz');
        await page.locator('#f-password').fill('kurz');
        await page.locator('#f-password_repeat').fill('anders');
        await page.locator('main form button[type="submit"]').click();
        assert.ok(await page.locator('#form-errors').isVisible());
        assert.equal(await page.locator('#f-email').getAttribute('aria-invalid'), 'true');
        assert.equal(await page.locator('#f-display_name').inputValue(), 'Anna Schulz');
        await audit.check(page, 'portal-register-errors');

        await page.locator('#f-email').fill(email);
        await page.locator('#f-password').fill('sehr-geheim-42');
        await page.locator('#f-password_repeat').fill('sehr-geheim-42');
        await page.locator('main form button[type="submit"]').click();
        assert.match(await page.locator('main [role="status"]').textContent(), /E-Mail geschickt/);
        await audit.check(page, 'portal-register-done');

        // The confirmation arrived at the SMTP server; its link confirms the address.
        const [mail] = await mailsFor(email, /bestätigen/);
        const link = mail.text.match(/http:\/\/\S+\/portal\/verify\?token=\S+/);
        assert.ok(link, `a confirmation link in: ${mail.text}`);
        await page.goto(link[0]);
        assert.match(await page.locator('main [role="status"]').textContent(), /bestätigt/);

        await page.locator('#f-email').fill(email);
        await page.locator('#f-password').fill('sehr-geheim-42');
        await Promise.all([page.waitForURL(/\/portal\/account$/), page.locator('main form button[type="submit"]').click()]);
        assert.equal(await page.locator('main h1').textContent(), 'Mein Konto');
        assert.match(await page.locator('main').textContent(), new RegExp(email.replace('.', '\\.')));
        await audit.check(page, 'portal-account');

        // Logging out leads back to the portal.
        await Promise.all([page.waitForURL(/\/portal$/), page.locator('header form[action="/logout"] button').click()]);
      } finally {
        await ctx.close();
      }
      audit.assertClean();
    });
  });
}


for (const vp of VIEWPORTS) {
  describe(`portal application ${vp.name}`, () => {
    test('a parent remembers three Kitas and applies for two children', async () => {
      const audit = new Audit(vp.name);
      const ctx = await newContext(browser, vp);
      const email = `familie.${vp.name}@example.org`;
      const year = new Date().getFullYear();
      const mia = `Mia${vp.name === 'phone' ? 'p' : 'd'}`;
      const ben = `Ben${vp.name === 'phone' ? 'p' : 'd'}`;
      try {
        const page = await ctx.newPage();
        await register(page, CITY.url, email, 'Anna Beispiel');

        // Three Kitas into the basket: they become the first three wishes.
        await page.goto(`${CITY.url}/portal?facilities_only=true`);
        const names = [];
        for (let i = 0; i < 3; i++) {
          const row = rows(page).nth(i);
          names.push((await row.locator('a').first().textContent()).trim());
          await Promise.all([page.waitForURL(/\/portal\?/), row.locator('button:has-text("Merken")').click()]);
        }
        await page.goto(`${CITY.url}/portal/apply`);
        for (let i = 1; i <= 3; i++) {
          const chosen = await page.locator(`#a-wish${i} option:checked`).textContent();
          assert.equal(chosen.trim(), names[i - 1], `wish ${i} from the basket`);
        }
        await audit.check(page, 'portal-apply');

        // Submitting without consents: the form says why and keeps everything.
        await page.locator('#a-child1_given_name').fill(mia);
        await page.locator('#a-child1_family_name').fill('Beispiel');
        await page.locator('#a-child1_birth_date').fill(`${year - 1}-03-01`);
        await page.locator('details.kn-details summary').first().click();
        await page.locator('#a-child2_given_name').fill(ben);
        await page.locator('#a-child2_family_name').fill('Beispiel');
        await page.locator('#a-child2_birth_date').fill(`${year - 3}-03-01`);
        await page.locator('#a-street').fill('Wilsdruffer Straße 1');
        await page.locator('#a-postcode').fill('01067');
        await page.locator('#a-phone').fill('0351 123456');
        await page.locator('#a-desired_start').fill(`${year + 1}-08-01`);
        await page.locator('#a-daily_hours').fill('7,5');
        await page.locator('main form button[type="submit"]').click();
        assert.ok(await page.locator('#form-errors a[href="#a-consents"]').isVisible(), 'the consents are named');
        assert.equal(await page.locator('#a-child2_given_name').inputValue(), ben);
        await audit.check(page, 'portal-apply-errors');

        for (const c of ['consent_data_processing', 'consent_forwarding', 'consent_terms']) await page.locator(`#a-${c}`).check();
        await Promise.all([page.waitForURL(/\/portal\/applications\?submitted=1$/), page.locator('main form button[type="submit"]').click()]);
        const text = await page.locator('main').textContent();
        assert.ok(text.includes(`${mia} Beispiel`) && text.includes(`${ben} Beispiel`), 'both children listed');
        for (const n of names) assert.ok(text.includes(n), `wish ${n} listed`);
        await audit.check(page, 'portal-applications');

        // The receipt reached the SMTP server.
        const [receipt] = await mailsFor(email, /Eingangsbestätigung/);
        assert.ok(receipt.text.includes(`${mia} Beispiel`) && receipt.text.includes(`${ben} Beispiel`), receipt.text);

        // Applying again for Mia is pointed to the existing application.
        await page.goto(`${CITY.url}/portal/apply`);
        await page.locator('#a-child1_given_name').fill(mia);
        await page.locator('#a-child1_family_name').fill('Beispiel');
        await page.locator('#a-child1_birth_date').fill(`${year - 1}-03-01`);
        await page.locator('#a-street').fill('Wilsdruffer Straße 1');
        await page.locator('#a-postcode').fill('01067');
        await page.locator('#a-phone').fill('0351 123456');
        await page.locator('#a-desired_start').fill(`${year + 1}-08-01`);
        await page.locator('#a-daily_hours').fill('7,5');
        for (const c of ['consent_data_processing', 'consent_forwarding', 'consent_terms']) await page.locator(`#a-${c}`).check();
        await page.locator('main form button[type="submit"]').click();
        assert.match(await page.locator('#form-errors').textContent(), /schon Ihr Antrag/);

        // Changing the wishes (the siblings change together): placement starts again.
        await page.goto(`${CITY.url}/portal/applications`);
        await Promise.all([
          page.waitForURL(/\/change$/),
          page.locator('section', { hasText: `${mia} Beispiel` }).locator('a', { hasText: 'ändern' }).click(),
        ]);
        assert.equal((await page.locator('#a-wish1 option:checked').textContent()).trim(), names[0], 'filled from the application');
        assert.equal(await page.locator('#a-child1_given_name').count(), 0, 'the child is not editable');
        await audit.check(page, 'portal-change');
        await page.locator('#a-wish1').selectOption({ label: names[1] });
        await page.locator('#a-wish2').selectOption({ label: names[0] });
        await Promise.all([page.waitForURL(/changed=restarted$/), page.locator('main form button[type="submit"]').click()]);
        assert.match(await page.locator('main [role="status"]').textContent(), /von vorn/);
        const miaCard = page.locator('section', { hasText: `${mia} Beispiel` });
        await miaCard.locator('summary', { hasText: 'Verlauf' }).click();
        assert.match(await miaCard.textContent(), /Wünsche geändert/);
        await audit.check(page, 'portal-applications-changed');
        const [changeMail] = await mailsFor(email, /geändert/);
        assert.match(changeMail.text, /von vorn/);

        // Inviting the second guardian: the invitation reaches the SMTP server with its link.
        const invited = `partner.${vp.name}@example.org`;
        await miaCard.locator('summary', { hasText: 'einladen' }).click();
        await miaCard.locator('input[type="email"]').fill(invited);
        await Promise.all([page.waitForURL(/invited=1$/), miaCard.locator('button', { hasText: 'Einladung senden' }).click()]);
        const [invitation] = await mailsFor(invited, /Einladung/);
        assert.match(invitation.text, /\/portal\/invitations\?token=/);

        // Withdrawing Ben's application: confirmed, kept and marked.
        const benCard = page.locator('section', { hasText: `${ben} Beispiel` });
        await benCard.locator('summary', { hasText: 'zurückziehen' }).click();
        await Promise.all([page.waitForURL(/withdrawn=1$/), benCard.locator('button', { hasText: 'zurückziehen' }).click()]);
        assert.match(await page.locator('main [role="status"]').textContent(), /zurückgezogen/);
        assert.match(await page.locator('section', { hasText: `${ben} Beispiel` }).textContent(), /zurückgezogen/);
        await audit.check(page, 'portal-applications-withdrawn');
      } finally {
        await ctx.close();
      }
      audit.assertClean();
    });
  });
}

describe('portal without JavaScript', () => {
  test('the search lists everything in the table', async () => {
    const ctx = await newContext(browser, VIEWPORTS[1], { javaScriptEnabled: false });
    try {
      const page = await ctx.newPage();
      await page.goto(`${CITY.url}/portal`);
      await page.locator('#s-address').fill(ADDRESS);
      await Promise.all([page.waitForURL(/address=/), page.locator('main form[role="search"] button[type="submit"]').click()]);
      assert.ok((await rows(page).count()) >= 1);
      assert.ok(await page.locator('#kn-map').isHidden(), 'no map without JavaScript');
      await shot(page, 'nojs-portal-search');
    } finally {
      await ctx.close();
    }
  });
});
