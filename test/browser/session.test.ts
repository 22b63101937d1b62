/**
 * The session scaffold in a real browser: an Express project is scaffolded by
 * the built CLI (sessions, cookie variant, at the boundary `/api`), installed,
 * given a person through its own `auth:users` command, and its demo is driven
 * by headless Chromium through sign-in, the CSRF-protected account form,
 * forged posts from other sites, and sign-out.
 *
 * The demo is opened as http://localhost: its cookies are `__Host-` and Secure,
 * and Chromium accepts Secure cookies from localhost without TLS.
 */
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml, launchChromium, runStep, scaffoldProject, servePage, startDemo, type PageServer, type RunningDemo, type ScaffoldedProject } from './support.js';

const COOKIE_NAME = '__Host-sid';
const LOGIN_COOKIE_NAME = '__Host-login';
const USERNAME = 'alice';
/** The boundary a session scaffold without a decision record serves. */
const BOUNDARY = '/api';

let project: ScaffoldedProject | undefined;
let demo: RunningDemo | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
let password = '';
let base = '';
const attackers: PageServer[] = [];

beforeAll(async () => {
  // Chromium first: when it is missing, say so before spending minutes on an install.
  browser = await launchChromium();
  project = await scaffoldProject({ method: 'session', stack: 'express', args: ['--lang', 'ts'] });
  const created = await runStep('adding a person (auth:users add)', 'npm', ['run', '-s', 'auth:users', '--', 'add', USERNAME, '--scope', 'read', '--json'], {
    cwd: project.dir,
    env: project.appEnv,
  });
  password = (JSON.parse(created.trim().split('\n').at(-1) ?? '{}') as { password?: string }).password ?? '';
  expect(password, `add --json prints the generated password; stdout was:\n${created}`).not.toBe('');
  demo = await startDemo(project);
  base = `http://localhost:${demo.port}`;
  context = await browser.newContext();
  context.setDefaultTimeout(90_000);
  context.setDefaultNavigationTimeout(90_000);
  page = await context.newPage();
}, 15 * 60_000);

afterAll(async () => {
  await browser?.close();
  for (const attacker of attackers) await attacker.close();
  await demo?.stop();
  await project?.remove();
}, 120_000);

async function cookieOf(name: string, from: BrowserContext = context): Promise<string | undefined> {
  return (await from.cookies(base)).find((cookie) => cookie.name === name)?.value;
}
const sessionCookie = (from: BrowserContext = context) => cookieOf(COOKIE_NAME, from);

/** GET /api/me outside the browser, with nothing but the given cookie. */
async function meWithCookie(value: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${demo!.port}${BOUNDARY}/me`, { headers: { cookie: `${COOKIE_NAME}=${value}` } });
}

/** The display name the account page shows the signed-in browser. */
async function displayNameInBrowser(): Promise<string> {
  const response = await page.goto(`${base}${BOUNDARY}/account`);
  expect(response?.status(), 'GET /api/account while signed in').toBe(200);
  return page.inputValue('#displayName');
}

/**
 * Serves a page on another origin that submits a form to the demo's POST /api/account as soon as it
 * loads, opens it in the signed-in browser, and returns the forged request and the demo's answer.
 */
async function forgeAccountPost(attackerHost: string, fields: Record<string, string>) {
  const target = `${base}${BOUNDARY}/account`;
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  const attacker = await servePage(
    () => `<!doctype html><html><body><form method="post" action="${escapeHtml(target)}">${inputs}</form><script>document.forms[0].submit()</script></body></html>`,
  );
  attackers.push(attacker);
  const attackerOrigin = `http://${attackerHost}:${attacker.port}`;
  const attackerPage = await context.newPage();
  try {
    const answered = attackerPage.waitForResponse((response) => response.url() === target && response.request().method() === 'POST');
    // 'commit': the page submits its form while it loads, and that navigation must not count as interrupting this one.
    await attackerPage.goto(`${attackerOrigin}/prize`, { waitUntil: 'commit' });
    const response = await answered;
    // NOTE: closing a page while its form navigation is still loading can hang Chromium (seen with 156),
    // so let the demo's answer finish loading first.
    await attackerPage.waitForURL(target);
    const request: Request = response.request();
    return { attackerOrigin, status: response.status(), headers: await request.allHeaders() };
  } finally {
    await attackerPage.close();
  }
}

// Generous: the browser shares the machine with the rest of the suite.
describe.sequential('session scaffold (Express) in Chromium', { timeout: 180_000 }, () => {
  it('refuses the API before sign-in, and sends a browser without a session to the sign-in form', async () => {
    const response = await page.goto(`${base}${BOUNDARY}/me`);
    expect(response?.status()).toBe(401);
    expect(response?.headers()['content-type']).toMatch(/^application\/problem\+json/);
    await page.goto(`${base}${BOUNDARY}/account`);
    expect(page.url()).toBe(`${base}${BOUNDARY}/login`);
  });

  it('signs in through the form, with a new __Host- cookie, and shows the person on the account page', async () => {
    await page.goto(`${base}${BOUNDARY}/login`);
    const preSession = await cookieOf(LOGIN_COOKIE_NAME);
    expect(preSession, 'the sign-in form hands out a pre-session cookie for its CSRF token').toBeDefined();
    expect(await sessionCookie(), 'no session before sign-in').toBeUndefined();

    await page.fill('input[name="username"]', USERNAME);
    await page.fill('input[name="password"]', password);
    await Promise.all([page.waitForURL(`${base}${BOUNDARY}/account`), page.click('button[type="submit"]')]);
    expect(await page.textContent('#subject')).toBe(USERNAME);

    const cookie = (await context.cookies(base)).find((c) => c.name === COOKIE_NAME);
    expect(cookie, 'the browser keeps the session cookie').toBeDefined();
    expect(cookie!.value, 'signing in issues an id never seen before').not.toBe(preSession);
    expect(cookie).toMatchObject({ domain: 'localhost', path: '/', secure: true, httpOnly: true, sameSite: 'Lax', expires: -1 });

    const me = await page.goto(`${base}${BOUNDARY}/me`);
    expect(me?.status()).toBe(200);
    expect(await me!.json()).toMatchObject({ subject: USERNAME, scopes: ['read'], method: 'session', variant: 'cookie' });
  });

  it('saves the CSRF-protected account form', async () => {
    await page.goto(`${base}${BOUNDARY}/account`);
    expect(await page.inputValue('input[name="_csrf"] >> nth=0'), 'the form carries a synchronizer token').not.toBe('');
    await page.fill('#displayName', 'Alice Liddell');
    const target = `${base}${BOUNDARY}/account`;
    const posted = page.waitForResponse((response) => response.url() === target && response.request().method() === 'POST');
    // The page is already at /api/account, so wait for the GET that follows the POST's redirect.
    const reloaded = page.waitForResponse((response) => response.url() === target && response.request().redirectedFrom()?.method() === 'POST');
    await page.click(`form[action="${BOUNDARY}/account"] button[type="submit"]`);
    expect((await posted).status(), 'POST /api/account answers with a redirect back to the page').toBe(303);
    expect((await reloaded).status()).toBe(200);
    await page.waitForLoadState();
    expect(await page.inputValue('#displayName')).toBe('Alice Liddell');
    expect(await displayNameInBrowser()).toBe('Alice Liddell');
  });

  it('refuses a form post from another site, even with the right CSRF token, and changes nothing', async () => {
    // The forged form gets the real token, as if it had leaked, so only the browser and the request-source checks stand in the way.
    await page.goto(`${base}${BOUNDARY}/account`);
    const token = await page.inputValue(`form[action="${BOUNDARY}/account"] input[name="_csrf"]`);
    const forged = await forgeAccountPost('127.0.0.1', { displayName: 'Mallory', _csrf: token });
    expect(forged.headers['sec-fetch-site'], 'Chromium marks the request as cross-site').toBe('cross-site');
    expect(forged.headers.origin).toBe(forged.attackerOrigin);
    expect(forged.headers.cookie, 'SameSite=Lax keeps the cookie off a cross-site post').toBeUndefined();
    expect(forged.status, 'without its cookie the post authenticates nobody').toBe(401);
    expect(await displayNameInBrowser()).toBe('Alice Liddell');
  });

  it('refuses a post from a sibling origin on the same site (403), although the browser sends the cookie', async () => {
    // localhost on another port is the same site, so SameSite=Lax lets the cookie through: the guard's
    // Fetch Metadata and Origin checks alone refuse it.
    await page.goto(`${base}${BOUNDARY}/account`);
    const token = await page.inputValue(`form[action="${BOUNDARY}/account"] input[name="_csrf"]`);
    const forged = await forgeAccountPost('localhost', { displayName: 'Mallory', _csrf: token });
    expect(forged.headers['sec-fetch-site']).toBe('same-site');
    expect(forged.headers.origin).toBe(forged.attackerOrigin);
    expect(forged.headers.cookie ?? '', 'the forged request carries the session cookie').toContain(`${COOKIE_NAME}=`);
    expect(forged.status).toBe(403);
    expect(await displayNameInBrowser()).toBe('Alice Liddell');
  });

  it('signs out, after which the old cookie no longer works anywhere', async () => {
    const oldCookie = await sessionCookie();
    expect(oldCookie).toBeDefined();
    expect((await meWithCookie(oldCookie!)).status, 'the cookie works outside the browser before sign-out').toBe(200);
    // A second browser handed a copy of the cookie, as a thief would hold it.
    const replay = await browser!.newContext();
    replay.setDefaultTimeout(90_000);
    replay.setDefaultNavigationTimeout(90_000);
    try {
      await replay.addCookies([{ name: COOKIE_NAME, value: oldCookie!, domain: 'localhost', path: '/', secure: true, httpOnly: true, sameSite: 'Lax' }]);
      const replayPage = await replay.newPage();
      expect((await replayPage.goto(`${base}${BOUNDARY}/me`))?.status(), 'the copied cookie works before sign-out').toBe(200);

      await page.goto(`${base}${BOUNDARY}/account`);
      const signedOut = page.waitForResponse((response) => response.url() === `${base}${BOUNDARY}/logout` && response.request().method() === 'POST');
      await page.click(`form[action="${BOUNDARY}/logout"] button[type="submit"]`);
      expect((await signedOut).status(), 'POST /api/logout answers with a redirect to the sign-in form').toBe(303);
      await page.waitForLoadState();
      expect(await sessionCookie(), 'the reply expired the cookie in the browser').toBeUndefined();

      expect((await page.goto(`${base}${BOUNDARY}/me`))?.status(), 'the browser that signed out').toBe(401);
      expect(await sessionCookie(replay), 'the copy still holds the old id').toBe(oldCookie);
      expect((await replayPage.goto(`${base}${BOUNDARY}/me`))?.status(), 'the copied cookie after sign-out').toBe(401);
      expect((await meWithCookie(oldCookie!)).status, 'the old cookie replayed outside the browser').toBe(401);
    } finally {
      await replay.close();
    }
  });
});
