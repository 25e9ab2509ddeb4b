// Shared helpers for the browser tests: the demo network's addresses, the browser, axe-core,
// screenshots.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const PASSWORD = process.env.KITANETZ_DEMO_PASSWORD || 'kitanetz-demo';
export const SCREENSHOTS = process.env.E2E_SCREENSHOTS || path.join(HERE, 'screenshots');

export const VIEWPORTS = [
  { name: 'desktop', viewport: { width: 1280, height: 800 } },
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
];

/** WCAG 2.1 A/AA: any violation of a rule with one of these tags fails the test. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * The demo network as `kitanetz demo` printed it: [{ name, kind, url, logins: [{ user, role }] }].
 * Reads $KITANETZ_DEMO_LOG; without it, assumes the default layout on $KITANETZ_BASE_PORT.
 */
export function demoNodes() {
  const log = process.env.KITANETZ_DEMO_LOG;
  if (log) {
    const nodes = [];
    const line = /^\s+(\S+)\s+(city|traeger|kita)\s+(http:\/\/\S+?)\/?\s+logins:\s+(.*)$/;
    for (const l of fs.readFileSync(log, 'utf8').split('\n')) {
      const m = line.exec(l);
      if (!m) continue;
      const logins = m[4].split(',').map((s) => {
        const [user, role] = s.trim().split(/\s+/);
        return { user, role: (role || '').replace(/[()]/g, '') };
      });
      nodes.push({ name: m[1], kind: m[2], url: m[3], logins });
    }
    if (nodes.length) return nodes;
    throw new Error(`no nodes found in ${log}`);
  }
  const base = Number(process.env.KITANETZ_BASE_PORT || 8080);
  const kitas = ['sternchen', 'alexander-herzen-strasse', 'weltentdecker', 'weltentdecker-2'];
  return [
    { name: 'city', kind: 'city', url: `http://127.0.0.1:${base}`, logins: [{ user: 'admin', role: 'system-admin' }] },
    ...kitas.map((k, i) => ({
      name: `kita-${k}`,
      kind: 'kita',
      url: `http://127.0.0.1:${base + 3 + i}`,
      logins: [{ user: `leitung-${k}`, role: 'kita-lead' }],
    })),
  ];
}

/** The Kita nodes with their lead's login, in the order the demo printed them. */
export function kitas() {
  return demoNodes()
    .filter((n) => n.kind === 'kita')
    .map((n) => ({ ...n, lead: n.logins.find((l) => l.role === 'kita-lead')?.user ?? n.logins[0].user }));
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    // playwright gives every launch a fresh temporary profile (user-data-dir) of its own.
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

/** A fresh context (own cookies) for one viewport. */
export async function newContext(browser, vp, extra = {}) {
  const ctx = await browser.newContext({
    viewport: vp.viewport,
    isMobile: vp.isMobile ?? false,
    hasTouch: vp.hasTouch ?? false,
    locale: 'de-DE',
    ...extra,
  });
  ctx.setDefaultTimeout(10_000);
  ctx.setDefaultNavigationTimeout(15_000);
  return ctx;
}

/**
 * Collects axe-core violations and takes screenshots for one test; `assertClean()` at the end
 * fails the test with every violation found on every page the test looked at.
 */
export class Audit {
  constructor(vpName) {
    this.vpName = vpName;
    this.found = [];
    this.pages = [];
  }

  async check(page, name, { screenshot = true } = {}) {
    this.pages.push(name);
    const verbose = process.env.E2E_AXE_VERBOSE === '1';
    const result = await new AxeBuilder({ page })
      .withTags(verbose ? [...WCAG_TAGS, 'best-practice'] : WCAG_TAGS)
      .analyze();
    if (verbose) {
      // Informational: rules axe could not decide ("needs review") and best-practice findings.
      for (const v of result.incomplete) note(`axe needs review [${name}] ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
      for (const v of result.violations.filter((x) => !x.tags.some((t) => WCAG_TAGS.includes(t)))) {
        note(`axe best practice [${name}] ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
      }
      result.violations = result.violations.filter((x) => x.tags.some((t) => WCAG_TAGS.includes(t)));
    }
    for (const v of result.violations) {
      this.found.push({
        page: name,
        url: page.url(),
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1).join(' ').trim()}`),
      });
    }
    if (screenshot) await shot(page, `${this.vpName}-${name}`);
  }

  assertClean() {
    if (!this.found.length) return;
    const text = this.found
      .map((v) => `[${v.page}] ${v.id} (${v.impact}): ${v.help}\n    at ${v.url}\n    ${v.nodes.join('\n    ')}`)
      .join('\n');
    throw new Error(`axe-core found ${this.found.length} WCAG 2.1 A/AA violation(s):\n${text}`);
  }
}

/** Informational findings go to screenshots/axe-notes.txt (E2E_AXE_VERBOSE=1). */
function note(line) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  fs.appendFileSync(path.join(SCREENSHOTS, 'axe-notes.txt'), `${line}\n`);
}

export async function shot(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Logs in through the form; returns the response of the form post. */
export async function login(page, baseUrl, user, password = PASSWORD) {
  await page.goto(`${baseUrl}/login`);
  await page.fill('#username', user);
  await page.fill('#password', password);
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'),
    page.locator('main button[type="submit"]').click(),
  ]);
  await page.waitForLoadState('load');
  return res;
}

/** First-of-month dates (YYYY-MM-DD) after `today` that lie inside [start, end]. */
export function firstsOfMonthInside(start, end, today = new Date()) {
  const out = [];
  let y = today.getUTCFullYear();
  let m = today.getUTCMonth() + 1; // next month, 0-based
  for (let i = 0; i < 24; i++, m++) {
    if (m > 11) {
      m = 0;
      y++;
    }
    const d = `${y}-${String(m + 1).padStart(2, '0')}-01`;
    if (d < start) continue;
    if (end && d > end) break;
    out.push(d);
  }
  return out;
}

/**
 * The mails the SMTP sink received for `to` whose subject matches, waiting up to 15 s for the
 * city's outbox to send them.
 */
export async function mailsFor(to, subject) {
  const dir = process.env.SMTP_SINK_DIR;
  assert.ok(dir, 'run.sh starts the SMTP sink and sets SMTP_SINK_DIR');
  for (let i = 0; i < 150; i++) {
    const found = fs.existsSync(dir)
      ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
        .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))
        .filter((m) => m.to.includes(to) && subject.test(m.subject))
      : [];
    if (found.length) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} matching ${subject}`);
}

/** Registers `email`, confirms it through the mailed link and logs in (the page ends logged in). */
export async function registerAndLogIn(page, cityUrl, email, name) {
  await page.goto(`${cityUrl}/portal/register`);
  await page.locator('#f-email').fill(email);
  await page.locator('#f-display_name').fill(name);
  await page.locator('#f-password').fill('sehr-geheim-42');
  await page.locator('#f-password_repeat').fill('sehr-geheim-42');
  await page.locator('main form button[type="submit"]').click();
  const [mail] = await mailsFor(email, /bestätigen/);
  await page.goto(mail.text.match(/http:\/\/\S+\/portal\/verify\?token=\S+/)[0]);
  await page.locator('#f-email').fill(email);
  await page.locator('#f-password').fill('sehr-geheim-42');
  await Promise.all([page.waitForURL(/\/portal\/account$/), page.locator('main form button[type="submit"]').click()]);
}
