/**
 * Open a consultation page in a real browser, find and fill its form, submit it (unless dry-run), and classify
 * what happened, with evidence (full-page screenshot, HTML, final URL, timings, every code shown) stored
 * through the ObjectStore port.
 *
 * Resource policy: while working, image files, web fonts (we ship our own CJK font) and media are blocked by
 * URL inside the browser (CDP Network.setBlockedURLs — no interception round trips), so pages load fast; captcha
 * images, usually served by a script URL, still load. Detection never needs the image bytes (an <img> next to a field is enough). Before the
 * evidence screenshot, blocking is switched off and the page's images are requested again (bounded wait), so
 * the screenshot shows the page as a person would see it. Stylesheets and scripts are always allowed.
 *
 * Time policy: while a navigation is pending Chromium runs no script in the page, so every evaluate, content()
 * and screenshot would wait for a site that never answers until the protocol timeout. Every in-page step is
 * therefore bounded (`stepTimeoutMs`, see `within`), a navigation still pending when the watch ends or before
 * the evidence is stopped (CDP Page.stopLoading), and the whole attempt has one deadline (`deadlineMs`, default
 * 60 s, evidence included) well under the submit function's 3 minutes. A site whose page never answers is
 * `unavailable/timeout`; one that took the POST and never answered is `unconfirmed/no-response-after-submit`.
 */
import type { CDPSession, Dialog, Frame, GoToOptions, HTTPRequest, HTTPResponse, Page } from 'puppeteer-core';
import type { ObjectStore } from '../../app/ports.ts';
import { chooseOption, humanText, isAcceptControl, isPlaceholderOption, isSubmitControl } from '../../domain/forms/classify.ts';
import type { FieldRole } from '../../domain/forms/classify.ts';
import type { FieldDescriptor } from '../../domain/forms/descriptor.ts';
import {
  classifyAfterSubmit,
  extractCodes,
  isLoginUrl,
  looksClosedOrBusy,
  looksLikeInteractiveCaptcha,
  looksLikeLogin,
  looksSuccessful,
  looksLikeSiteError,
  pickQueryCode,
  pickQueryPassword,
  type SubmitOutcome,
} from '../../domain/forms/outcome.ts';
import { GATE_ORDER, planForm, type FillAction, type FormPlan, type LetterContent } from '../../domain/forms/plan.ts';
import type { SiteProfile } from '../../domain/forms/profile.ts';
import {
  CLICK_JS,
  EXTRACT_JS,
  FILL_JS,
  LINKS_JS,
  OBSERVE_JS,
  RELOAD_IMAGES_JS,
  REQUEST_SUBMIT_JS,
  RESOLVE_SELECTOR_JS,
  SELECT_STATE_JS,
  SHOWN_JS,
  TEXT_OF_JS,
} from './page-scripts.ts';
import type { PageLink } from '../../domain/forms/discover.ts';
import { ATTEMPT_DEADLINE_MS, type Evidence, type SubmitRequest, type SubmitResult } from '../../domain/forms/submission.ts';

export type { Evidence, SubmitRequest, SubmitResult };

/**
 * Blocked while working (the verdict needs none of them): image files by extension, web fonts, media. Captcha
 * images are usually served by a script URL (…/captcha.jsp, ValidateCode.aspx, kaptcha.do) and load anyway.
 */
const BLOCKED_URLS = ['png', 'jpg', 'jpeg', 'gif', 'webp', 'bmp', 'ico', 'svg', 'woff', 'woff2', 'ttf', 'otf', 'eot', 'mp4', 'mp3', 'webm', 'flv', 'swf', 'avi'].flatMap(
  (ext) => [`*.${ext}`, `*.${ext}?*`],
);

interface FrameScan {
  frame: Frame;
  index: number;
  fields: FieldDescriptor[];
  text: string;
  hasPassword: boolean;
  metaRefresh: boolean;
  /** The document has scripts: it may still draw a form after load. */
  scripted: boolean;
}

/**
 * One CDP session per page, kept for the page's life (the pool reuses pages): attaching a session and enabling
 * its Network domain for every letter costs the browser more than the URL blocking it serves.
 */
const sessions = new WeakMap<Page, CDPSession>();

async function sessionOf(page: Page): Promise<CDPSession> {
  const known = sessions.get(page);
  if (known && !known.detached) return known;
  const session = await page.createCDPSession();
  await session.send('Network.enable');
  sessions.set(page, session);
  return session;
}

function dropSession(page: Page): void {
  const s = sessions.get(page);
  sessions.delete(page);
  if (s && !s.detached) void s.detach().catch(() => undefined);
}

export async function submitForm(page: Page, req: SubmitRequest, objects: ObjectStore): Promise<SubmitResult> {
  const state: AttemptState = { sent: false, submittedAt: null, started: performance.now(), listeners: [] };
  let cdp: CDPSession | undefined = await sessionOf(page);
  try {
    return await submitOnPage(page, req, objects, cdp, state);
  } catch (err) {
    dropSession(page); // a protocol failure may have left the session unusable: the next letter attaches afresh
    cdp = undefined;
    // A browser/protocol failure is our problem, never the site's: nothing sent → script-broken; maybe sent →
    // unconfirmed (staff check; never resent).
    const message = err instanceof Error ? err.message.split('\n')[0]!.slice(0, 200) : String(err);
    const finalUrl = safeUrl(page);
    return {
      outcome: state.sent ? 'unconfirmed' : 'script-broken',
      reason: state.sent ? 'browser-error-after-submit' : 'browser-error',
      queryCode: null,
      submittedAt: state.submittedAt,
      sent: state.sent,
      channel: { kind: 'site-form', url: finalUrl || req.url },
      evidence: { finalUrl, formUrl: finalUrl, codes: { error: message }, timings: { totalMs: Math.round(performance.now() - state.started) } },
    };
  } finally {
    // leave the page reusable by the next letter (the pool keeps pages alive, with listeners of its own)
    for (const off of state.listeners) off();
    if (cdp) await cdp.send('Network.setBlockedURLs', { urls: [] }).catch(() => dropSession(page));
  }
}

interface AttemptState {
  sent: boolean;
  submittedAt: string | null;
  started: number;
  /** Removes the listeners this attempt added to the page. */
  listeners: Array<() => void>;
}

/**
 * Navigate to `url` in a NEW document. Pages are reused between letters without a detour through about:blank,
 * so when the page already shows `url` up to its #fragment, a plain goto would only scroll within the previous
 * letter's document (filled form, success modal and all): go through about:blank first in that one case.
 */
export async function openFresh(page: Page, url: string, options: GoToOptions): Promise<HTTPResponse | null> {
  if (sameDocumentTarget(safeUrl(page), url)) await page.goto('about:blank', { timeout: options.timeout });
  return page.goto(url, options);
}

/** Whether navigating from `current` to `target` would stay in the same document (a fragment navigation). */
export function sameDocumentTarget(current: string, target: string): boolean {
  if (!target.includes('#')) return false;
  try {
    const a = new URL(current);
    const b = new URL(target);
    a.hash = '';
    b.hash = '';
    return a.href === b.href;
  } catch {
    return false;
  }
}

/** Defaults of the attempt's bounds (each one a SubmitRequest option). */
const SUBMIT_DEFAULTS = {
  navigationTimeoutMs: 15_000,
  settleTimeoutMs: 8_000,
  deadlineMs: ATTEMPT_DEADLINE_MS,
  stepTimeoutMs: 5_000,
  formWaitMs: 5_000,
  noticeWaitMs: 15_000,
  /** Longest wait for the options of selects filled by script after an earlier choice. */
  cascadeWaitMs: 4_000,
} as const;

async function submitOnPage(page: Page, req: SubmitRequest, objects: ObjectStore, cdp: CDPSession, state: AttemptState): Promise<SubmitResult> {
  const now = req.now ?? (() => new Date());
  const t0 = performance.now();
  const deadlineMs = req.deadlineMs ?? SUBMIT_DEFAULTS.deadlineMs;
  // the evidence (HTML + screenshot) always gets its share of the deadline
  const evidenceReserve = Math.min(10_000, Math.round(deadlineMs * 0.2));
  const workUntil = Date.now() + deadlineMs - evidenceReserve;
  const left = () => Math.max(0, workUntil - Date.now());
  const navTimeout = req.navigationTimeoutMs ?? SUBMIT_DEFAULTS.navigationTimeoutMs;
  const nav = () => Math.max(1, Math.min(navTimeout, left()));
  const settle = req.settleTimeoutMs ?? SUBMIT_DEFAULTS.settleTimeoutMs;
  const step = req.stepTimeoutMs ?? SUBMIT_DEFAULTS.stepTimeoutMs;
  const timings: Record<string, number> = {};
  const mark = (name: string, since: number) => (timings[name] = Math.round(performance.now() - since));
  const dialogs: string[] = [];
  const responses: string[] = [];
  let watching = false;
  let evidencePhase = false;
  let requestsAfterClick = 0;
  const requestLog: string[] = [];
  const seenImages = new Set<string>();
  const reloadedOnce = new Set<string>();
  let navStatus: number | undefined;
  let requestErrorStatus: number | undefined;
  let pendingNav = 0;
  let navFailed = false;
  let scans: FrameScan[] = [];
  let formUrl = '';
  const io: PageIo = { step, stuck: false };

  page.setDefaultNavigationTimeout(navTimeout);
  page.setDefaultTimeout(navTimeout);
  // Blocking by URL in the browser itself (no request interception round trips through Node); the session's
  // Network domain is enabled once, when it is attached (sessionOf).
  await cdp.send('Network.setBlockedURLs', { urls: BLOCKED_URLS });
  const unblock = () => cdp.send('Network.setBlockedURLs', { urls: [] }).catch(() => undefined);
  // Every request any frame of the page issues from the click on may carry the letter (a form POST, an XHR, a
  // JSONP or image GET, a beacon): `sent` turns false only when none at all was seen (see step 6).
  const onRequest = (r: HTTPRequest) => {
    const url = r.url();
    const type = r.resourceType();
    if (type === 'image' && seenImages.size < 5_000) seenImages.add(url);
    if (!watching) return;
    if (r.isNavigationRequest()) pendingNav++;
    if (url === 'about:blank') return;
    // the evidence re-requests the page's blocked images (and fonts): not the page sending anything
    if (evidencePhase && ((type === 'image' && seenImages.has(url) && !reloadedOnce.has(url)) || type === 'font' || type === 'media')) {
      if (type === 'image') reloadedOnce.add(url);
      return;
    }
    requestsAfterClick++;
    if (requestLog.length < 5) requestLog.push(`${r.method()} ${url.slice(0, 160)}`);
  };
  // a letter sent over an open WebSocket (or from a window the click opened) is no request of this page: counted too
  const onWsFrame = () => {
    if (watching) requestsAfterClick++;
  };
  const onRequestFinished = (r: HTTPRequest) => {
    if (watching && r.isNavigationRequest()) pendingNav = Math.max(0, pendingNav - 1);
  };
  const onRequestFailed = (r: HTTPRequest) => {
    if (watching && r.isNavigationRequest()) {
      pendingNav = Math.max(0, pendingNav - 1);
      if (r.failure()?.errorText !== 'net::ERR_ABORTED') navFailed = true;
    }
  };
  const onResponse = (res: HTTPResponse) => {
    if (!watching) return;
    const r = res.request();
    const type = r.resourceType();
    if (r.isNavigationRequest() && res.status() < 300 || (r.isNavigationRequest() && res.status() >= 400)) navStatus = res.status();
    if (type === 'xhr' || type === 'fetch') {
      if (res.status() >= 400) requestErrorStatus ??= res.status();
      void res
        .text()
        .then((t) => responses.push(t.slice(0, 20_000)))
        .catch(() => undefined);
    }
  };
  const onDialog = (d: Dialog) => {
    if (d.type() !== 'beforeunload') dialogs.push(d.message()); // a page being left is not the site's answer
    void d.accept().catch(() => undefined);
  };
  page.on('request', onRequest);
  page.on('requestfinished', onRequestFinished);
  page.on('requestfailed', onRequestFailed);
  page.on('response', onResponse);
  page.on('dialog', onDialog);
  page.on('popup', onWsFrame); // a window opened by the click may carry the letter: counted as a request
  cdp.on('Network.webSocketFrameSent', onWsFrame);
  state.listeners.push(() => {
    cdp.off('Network.webSocketFrameSent', onWsFrame);
    page.off('popup', onWsFrame);
    page.off('request', onRequest);
    page.off('requestfinished', onRequestFinished);
    page.off('requestfailed', onRequestFailed);
    page.off('response', onResponse);
    page.off('dialog', onDialog);
  });

  const finish = async (outcome: SubmitOutcome, reason: string, extra: Partial<SubmitResult> = {}, codes: Record<string, string> = {}): Promise<SubmitResult> => {
    const te = performance.now();
    // A navigation still pending (a site that never answers) freezes every in-page call until it ends: stop it.
    await unstick(page, cdp, io, pendingNav > 0);
    const evidence = await takeEvidence(page, req, objects, unblock, cdp, timings, Math.max(1_000, evidenceReserve)).catch(() => ({}) as Partial<Evidence>);
    mark('evidenceMs', te);
    mark('totalMs', t0);
    const finalUrl = safeUrl(page);
    const allCodes = { ...codes };
    const queryPassword = pickQueryPassword(allCodes);
    return {
      outcome,
      reason,
      queryCode: extra.queryCode ?? pickQueryCode(allCodes),
      ...(queryPassword ? { queryPassword } : {}),
      submittedAt: state.submittedAt,
      sent: state.sent,
      channel: channelOf(req.url, formUrl || finalUrl, scans),
      evidence: { ...evidence, finalUrl, formUrl: formUrl || finalUrl, codes: allCodes, timings },
      ...extra,
    };
  };

  // 1. open
  const tn = performance.now();
  let status: number | undefined;
  const openTimeout = nav();
  try {
    const res = await openFresh(page, req.url, { waitUntil: 'load', timeout: openTimeout });
    status = res?.status();
  } catch (err) {
    mark('navigateMs', tn);
    const reason = navigationReason(err);
    if (reason === 'timeout') {
      // The site never answered: stop waiting for it, and leave the previous letter's page out of the evidence.
      await cdp.send('Page.stopLoading').catch(() => undefined);
      io.stuck = false;
      if (!sameUrl(safeUrl(page), req.url)) await page.goto('about:blank', { timeout: Math.min(3_000, step) }).catch(() => undefined);
      return finish('unavailable', reason, {}, { error: `no response from the site within ${openTimeout} ms` });
    }
    return finish('unavailable', reason);
  }
  if (status !== undefined && status >= 400) {
    mark('navigateMs', tn);
    return finish('unavailable', `http-${status}`);
  }
  // JS / meta-refresh redirects (e.g. to a 12345 platform)
  scans = await scanAll(page, io);
  // 2. login walls before anything else
  const loginWall = () => isLoginUrl(safeUrl(page)) || (!hasBody(scans) && (scans.some((s) => s.hasPassword) || scans.some((s) => looksLikeLogin(s.text))));
  if (loginWall()) return finish('gated', 'login');
  if (!hasBody(scans) && scans.some((s) => s.metaRefresh || s.text.trim().length < 80)) {
    const wait = scans.some((s) => s.metaRefresh) ? Math.min(5_000, nav()) : Math.min(800, nav());
    await page.waitForNavigation({ waitUntil: 'load', timeout: wait }).catch(() => undefined);
    scans = await scanAll(page, io);
    if (loginWall()) return finish('gated', 'login');
  }
  mark('navigateMs', tn);
  const tf = performance.now();

  // 3. a form drawn by script after load, a 须知 to accept first (at most twice, its 同意 maybe counting down)
  const waitForFormOrNotice = async (): Promise<void> => {
    // Nothing to wait for: a form is there, the page says the channel is closed or broken, or no script could draw one.
    const text = scans.map((s) => s.text).join('\n');
    if (hasBody(scans) || looksClosedOrBusy(text) || looksLikeSiteError(text) || !scans.some((s) => s.scripted)) return;
    const start = Date.now();
    const formWait = req.formWaitMs ?? SUBMIT_DEFAULTS.formWaitMs;
    const noticeWait = req.noticeWaitMs ?? SUBMIT_DEFAULTS.noticeWaitMs;
    for (;;) {
      if (hasBody(scans) || acceptCandidates(page, scans, true).length > 0) return;
      const limit = countingDown(scans) ? Math.max(formWait, noticeWait) : req.profile?.accept ? 0 : formWait;
      if (Date.now() - start >= limit || left() <= 0) return;
      await sleep(Math.min(250, left()));
      scans = await scanAll(page, io);
      if (loginWall()) return;
    }
  };
  await waitForFormOrNotice();
  if (loginWall()) return finish('gated', 'login');
  for (let n = 0; n < 2 && !hasBody(scans); n++) {
    const accepted = await acceptNotice(page, scans, io, req.profile);
    if (!accepted) break;
    await Promise.race([page.waitForNavigation({ waitUntil: 'load', timeout: nav() }).catch(() => undefined), waitForBody(page, io, nav())]);
    scans = await scanAll(page, io);
    if (loginWall()) return finish('gated', 'login');
    await waitForFormOrNotice();
    if (loginWall()) return finish('gated', 'login');
  }
  if (!hasBody(scans)) {
    const text = scans.map((s) => s.text).join('\n');
    if (looksClosedOrBusy(text) || looksLikeSiteError(text)) return finish('unavailable', 'site-busy');
    return finish('unavailable', io.stuck ? 'timeout' : 'no-form');
  }
  // A 须知 dialog drawn over a form that is already there (a modal with 我已阅读并同意, the submit refused until it
  // is accepted): accept it first. Only where such a dialog is shown; a normal form costs nothing here.
  if (overlayAccept(scans)) {
    const after = await acceptOverlay(page, scans, io, Math.min(req.noticeWaitMs ?? SUBMIT_DEFAULTS.noticeWaitMs, left()), nav);
    if (after) {
      scans = after;
      if (loginWall()) return finish('gated', 'login');
      if (!hasBody(scans)) return finish('unavailable', io.stuck ? 'timeout' : 'no-form');
    }
  }

  formUrl = safeUrl(page);
  // 4. plan (profile first)
  const fields = scans.flatMap((s) => s.fields);
  let overrides: Record<string, FieldRole> = {};
  let submitKey: { key: string; frame: number } | undefined;
  if (req.profile) {
    const resolved = await resolveProfile(scans, req.profile, io);
    if ('broken' in resolved) return finish('script-broken', resolved.broken);
    overrides = resolved.overrides;
    submitKey = resolved.submit;
    fields.push(...resolved.extra);
  }
  const plan = planForm(fields, req.content, overrides);
  if (!plan) return finish('unavailable', 'no-form');
  if (req.profile) applyProfileValues(plan, fields, req.profile, overrides);
  const gate = GATE_ORDER.find((g) => plan.gates.includes(g));
  const pageText = scans.map((s) => s.text).join('\n');
  const smsHint = /短信验证码|获取验证码|发送验证码/.test(pageText) && fields.some((f) => f.smsButtonNearby && f.visible && f.tag === 'input');
  if (gate) return finish('gated', gate, { filled: plan.sent, roles: plan.roles });
  if (looksLikeInteractiveCaptcha(scans.map((s) => s.text).join('\n'))) return finish('gated', 'captcha', { filled: plan.sent, roles: plan.roles });
  if (smsHint) return finish('gated', 'sms', { filled: plan.sent, roles: plan.roles });

  // 5. fill
  const frameOf = (i: number) => scans.find((s) => s.index === i)?.frame ?? page.mainFrame();
  const byFrame = new Map<number, FillAction[]>();
  for (const a of plan.actions) byFrame.set(a.frame, [...(byFrame.get(a.frame) ?? []), a]);
  const readBack: Record<string, string | null> = {};
  for (const [fi, actions] of byFrame) Object.assign(readBack, await evalIn(frameOf(fi), `${FILL_JS}(${JSON.stringify(actions)})`, io));
  // Cascading selects: a select that gets its options only once an earlier one is chosen (区县 → 承办部门), or
  // whose choice did not hold (its options were replaced): waited for (bounded), then chosen. Nothing to wait
  // for on a form without them.
  const lost = plan.actions.filter((a) => a.kind === 'select' && a.key in readBack && readBack[a.key] !== a.value).map((a) => a.key);
  const dependents = fields.filter((f) => plan.pending.includes(f.key) || lost.includes(f.key)).map((f) => f.key);
  if (dependents.length) {
    const tc = performance.now();
    Object.assign(readBack, await fillCascade(frameOf(plan.frame), plan.frame, dependents, fields, plan.roles, io, Math.min(SUBMIT_DEFAULTS.cascadeWaitMs, left())));
    mark('cascadeMs', tc);
  }
  const bodyAction = plan.actions.find((a) => a.role === 'body');
  if (!bodyAction || !readBack[bodyAction.key]) return finish('script-broken', 'fill-failed', { filled: plan.sent, roles: plan.roles });
  mark('fillMs', tf);

  const submit = submitKey ?? plan.submit;
  const frame = frameOf(submit?.frame ?? plan.frame);
  if (!submit && plan.form < 0) return finish('script-broken', 'no-submit-control', { filled: plan.sent, roles: plan.roles });
  if (req.dryRun) return finish('ready', 'form-fillable', { filled: plan.sent, roles: plan.roles });
  if (left() <= 0) return finish('script-broken', 'deadline-before-submit', { filled: plan.sent, roles: plan.roles });

  // 6. submit and watch. From here on the letter may have left: `sent` stays true unless the click provably never
  // happened (the control was not found) or provably sent nothing (no request at all left any frame of the page
  // until its document was left, see below), and nothing is ever clicked a second time but a preview's 确认 button.
  const ts = performance.now();
  watching = true;
  state.submittedAt = now().toISOString();
  state.sent = true;
  const clickJs = submit ? `${CLICK_JS}(${JSON.stringify(submit.key)})` : `${REQUEST_SUBMIT_JS}(${plan.form})`;
  const clicked = await evalIn(frame, clickJs, io).then(
    (v) => (v ? 'yes' : 'no'),
    // an unanswered call may still run (and click) once the page answers: the letter may have left
    (err: unknown) => (err instanceof StepTimeout ? 'maybe' : 'no'),
  );
  if (clicked === 'no') {
    state.sent = false;
    state.submittedAt = null;
    return finish('script-broken', 'submit-click-failed', { filled: plan.sent, roles: plan.roles });
  }
  const before = new Set(scans.flatMap((s) => s.text.split('\n').map((l) => l.trim())).filter(Boolean));
  const newLines = (ts: string[]) => ts.flatMap((t) => t.split('\n').map((l) => l.trim())).filter((l) => l && !before.has(l));
  const watch = () =>
    watchAfterSubmit(page, { settle, navTimeout, until: workUntil, io, dialogs, responses, pending: () => pendingNav, requests: () => requestsAfterClick, profile: req.profile });
  let observation = await watch();
  let texts = [...dialogs, ...observation.texts];
  let classified = classifyAfterSubmit({ texts, responses, navigationStatus: navStatus, requestErrorStatus, formStillThere: observation.formStillThere, newTexts: [...dialogs, ...newLines(observation.texts)] });
  // A preview/confirm page (确认提交) after the first click: our letter is shown back with one more button.
  if (classified.outcome === 'unconfirmed' && !observation.formStillThere && !observation.stalled && left() > 0) {
    const confirm = await findConfirmControl(page, plan.sent.title, io);
    if (confirm) {
      await evalIn(confirm.frame, `${CLICK_JS}(${JSON.stringify(confirm.key)})`, io).catch(() => false);
      observation = await watch();
      texts = [...dialogs, ...observation.texts];
      classified = classifyAfterSubmit({ texts, responses, navigationStatus: navStatus, requestErrorStatus, formStillThere: observation.formStillThere, newTexts: [...dialogs, ...newLines(observation.texts)] });
    }
  }
  mark('submitMs', ts);
  if (req.profile?.success && new RegExp(req.profile.success).test([...texts, ...responses].join('\n'))) {
    classified = { ...classified, outcome: 'submitted', reason: 'confirmed-profile' };
  }
  // the request left and no answer came back (still pending when the watch ended, or failed on the way)
  if (classified.outcome === 'unconfirmed' && (navFailed || observation.stalled || pendingNav > 0)) classified = { ...classified, reason: 'no-response-after-submit' };
  // Nothing left: no request of any kind (navigation, form POST, XHR/fetch, JSONP/image GET, beacon, WebSocket
  // message, popup) from any frame since the click, the page answering, no worker that could send unseen. The
  // page refused the submission itself (a 请先阅读并同意 alert, a length check, the browser's required check).
  const nothingLeft = () => clicked === 'yes' && requestsAfterClick === 0 && !observation.stalled && pendingNav === 0 && page.workers().length === 0;
  if (nothingLeft()) {
    const why = [...dialogs, observation.invalid, ...newLines(observation.texts).slice(0, 3)].filter(Boolean).join(' | ').slice(0, 300);
    const gated = classified.outcome === 'gated';
    evidencePhase = true; // the evidence's own image reloads are not the page sending
    const result = await finish(gated ? 'gated' : 'script-broken', gated ? classified.reason : 'blocked-by-page', { queryCode: null, filled: plan.sent, roles: plan.roles }, { blocked: why || 'no request left the page after the click' });
    // Leave the document, so nothing it scheduled can leave later; whatever left until then still counts.
    const cleared = await within(page.goto('about:blank', { timeout: 3_000 }), 3_500).then(
      () => true,
      () => false,
    );
    if (cleared && requestsAfterClick === 0) {
      state.sent = false;
      state.submittedAt = null;
      return { ...result, sent: false, submittedAt: null };
    }
    // something left after all (late), or the page could not be left: it may have been sent
    return requestsAfterClick > 0 ? { ...result, outcome: 'unconfirmed', reason: 'request-after-watch' } : result;
  }
  const codes = { ...classified.codes, ...(await profileCode(page, req.profile, [...texts, ...responses].join('\n'), io)) };
  const queryCode = codes.profile ?? pickQueryCode(codes);
  return finish(classified.outcome, classified.reason, { queryCode, filled: plan.sent, roles: plan.roles }, codes);
}

interface SelectState {
  value: string;
  options: Array<{ value: string; text: string; disabled?: boolean }>;
}

/**
 * Chooses the selects in `keys` (document order) as their options arrive: each round reads them, fills the first
 * one without a real choice that has real options (its change may load the next one's), and waits 100 ms only
 * when none is ready. Ends when every one holds a real choice, or after `waitMs`. The values read back, by key.
 */
async function fillCascade(
  frame: Frame,
  frameIndex: number,
  keys: string[],
  fields: FieldDescriptor[],
  roles: Record<string, FieldRole>,
  io: PageIo,
  waitMs: number,
): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  const until = Date.now() + waitMs;
  const tries = new Map<string, number>();
  for (;;) {
    const state = await evalIn<Record<string, SelectState | null>>(frame, `${SELECT_STATE_JS}(${JSON.stringify(keys)})`, io, Math.min(io.step, 2_000)).catch(() => undefined);
    if (!state) return out;
    const choose = (k: string) => {
      const st = state[k];
      const f = fields.find((x) => x.key === k);
      return st ? chooseOption(roles[k] ?? 'unknown', st.options, f ? humanText(f) : '') : undefined;
    };
    // a select holds a real choice when its value is one of its real options
    const unsettled = keys.filter((k) => {
      const st = state[k];
      return !!st && isPlaceholderValue(st, st.value);
    });
    if (!unsettled.some((k) => (tries.get(k) ?? 0) < 3)) return out;
    const next = unsettled.find((k) => choose(k) && (tries.get(k) ?? 0) < 3);
    if (next) {
      tries.set(next, (tries.get(next) ?? 0) + 1);
      const option = choose(next)!;
      const action: FillAction = { key: next, frame: frameIndex, role: roles[next] ?? 'unknown', kind: 'select', value: option.value };
      Object.assign(out, await evalIn<Record<string, string | null>>(frame, `${FILL_JS}(${JSON.stringify([action])})`, io).catch(() => ({})));
      continue;
    }
    if (Date.now() >= until) return out;
    await sleep(100);
  }
}

/** The option with this value is a placeholder (请选择…, 加载中…), not a choice. */
function isPlaceholderValue(st: SelectState, value: string): boolean {
  const o = st.options.find((x) => x.value === value);
  return !o || isPlaceholderOption(o);
}

/** On a preview page that shows our title back, the control that confirms the submission (确认提交/确定/提交). */
async function findConfirmControl(page: Page, title: string, io: PageIo): Promise<{ frame: Frame; key: string } | undefined> {
  const scans = await scanAll(page, io);
  const probe = title.slice(0, Math.min(8, title.length));
  for (const s of scans) {
    if (!s.text.includes(probe)) continue;
    const c = s.fields.find((f) => f.visible && !f.disabled && isSubmitControl(f) && /确认|确定|提交|发送/.test(f.text) && !/修改|返回/.test(f.text));
    if (c) return { frame: s.frame, key: c.key };
  }
  return undefined;
}

/** A call into the page that did not answer within its step time (the page is stuck in a navigation). */
class StepTimeout extends Error {
  override readonly name = 'StepTimeout';
}

/** How long one in-page step may take, and whether one of them went unanswered (the page is stuck loading). */
interface PageIo {
  step: number;
  stuck: boolean;
}

/**
 * `p`, or a StepTimeout after `ms`. While a navigation is pending, Chromium runs no script in the page: every
 * evaluate (and content(), and a screenshot) waits for the navigation, up to the protocol timeout. The abandoned
 * call is left to settle on its own (its late rejection is swallowed).
 */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  p.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeout(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function evalIn<T = unknown>(frame: Frame, expr: string, io: PageIo, ms = io.step): Promise<T> {
  return within(frame.evaluate(expr) as Promise<T>, ms).catch((err: unknown) => {
    if (err instanceof StepTimeout) io.stuck = true;
    throw err;
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Stops a pending navigation (Page.stopLoading, what the browser's ✕ does) when the page no longer answers. */
async function unstick(page: Page, cdp: CDPSession, io: PageIo, pending: boolean): Promise<void> {
  if (!io.stuck && !pending) {
    const answers = await within(page.mainFrame().evaluate('1'), 1_500).then(
      () => true,
      () => false,
    );
    if (answers) return;
  }
  await cdp.send('Page.stopLoading').catch(() => undefined);
  io.stuck = false;
}

function sameUrl(a: string, b: string): boolean {
  return a.replace(/#.*$/, '') === b.replace(/#.*$/, '');
}

function safeUrl(page: Page): string {
  try {
    return page.url();
  } catch {
    return '';
  }
}

function channelOf(requested: string, finalUrl: string, scans: FrameScan[]): SubmitResult['channel'] {
  let kind: 'site-form' | 'platform-12345' = 'site-form';
  try {
    const a = new URL(requested).host;
    const b = new URL(finalUrl).host;
    if (a !== b && (/12345/.test(finalUrl) || scans.some((s) => /12345/.test(s.text.slice(0, 3000))))) kind = 'platform-12345';
  } catch {
    /* keep site-form */
  }
  return { kind, url: finalUrl || requested };
}

export function navigationReason(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  if (/ERR_NAME_NOT_RESOLVED|ERR_NAME_RESOLUTION_FAILED/.test(m)) return 'dns';
  // through the address guard (address-guard.ts) a name that does not resolve, a refused address and a site that
  // does not take the connection are all ERR_SOCKS_CONNECTION_FAILED: the site could not be reached
  if (/ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_CONNECTION_CLOSED|ERR_EMPTY_RESPONSE|ERR_ADDRESS_UNREACHABLE|ERR_CONNECTION_FAILED|ERR_SOCKS_CONNECTION_FAILED/.test(m)) return 'connection';
  if (/ERR_CERT|SSL/.test(m)) return 'tls';
  if (/TimeoutError|timeout|ERR_TIMED_OUT/i.test(m)) return 'timeout';
  if (/ERR_TOO_MANY_REDIRECTS/.test(m)) return 'redirect-loop';
  return 'navigation-error';
}

async function scanAll(page: Page, io: PageIo): Promise<FrameScan[]> {
  const frames = page.frames();
  const scanned = await Promise.all(
    frames.map(async (frame, i): Promise<FrameScan | undefined> => {
      if (frame.detached) return undefined;
      try {
        const r = await evalIn<Omit<FrameScan, 'frame' | 'index'>>(frame, `${EXTRACT_JS}(${i})`, io);
        return { frame, index: i, fields: r.fields, text: r.text, hasPassword: r.hasPassword, metaRefresh: r.metaRefresh, scripted: r.scripted };
      } catch {
        return undefined; // a frame that navigated away, is cross-process or does not answer: skip
      }
    }),
  );
  return scanned.filter((s): s is FrameScan => s !== undefined);
}

/** A body field is shown: a textarea, or a rich-text editor (reported as one). */
function hasBody(scans: FrameScan[]): boolean {
  return scans.some((s) => s.fields.some((f) => f.visible && f.tag === 'textarea'));
}

async function waitForBody(page: Page, io: PageIo, timeout: number): Promise<void> {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    const seen = await Promise.all(
      page.frames().map((f) => evalIn<{ textarea: boolean }>(f, `${OBSERVE_JS}()`, io, Math.min(io.step, 1_000)).then((r) => r.textarea, () => false)),
    );
    if (seen.some(Boolean)) return;
    await sleep(100);
  }
}

/** A 须知 whose 同意 control is still disabled (请仔细阅读须知（5秒）): it will be enabled in a moment. */
function countingDown(scans: FrameScan[]): boolean {
  return scans.some((s) => {
    const gatedByBox = new Set(agreeBoxes(s).map((f) => f.form)); // enabled by ticking 我已阅读, not by time
    return s.fields.some((f) => f.visible && f.disabled && !gatedByBox.has(f.form) && (f.tag === 'button' || f.tag === 'a' || f.tag === 'input') && /同意|阅读|已读|秒|继续|下一步|确定|进入/.test(f.text));
  });
}

interface AcceptCandidate {
  s: FrameScan;
  f: FieldDescriptor;
  score: number;
}

/**
 * The enabled controls that move a 须知 page on (我已阅读并同意, 下一步…), best first. With `assumeTicked`, a
 * control disabled until the form's 我已阅读 box is ticked counts too (ticking it is part of accepting).
 */
function acceptCandidates(page: Page, scans: FrameScan[], assumeTicked = false): AcceptCandidate[] {
  const here = safeUrl(page).replace(/#.*$/, '');
  const candidates: AcceptCandidate[] = [];
  for (const s of scans) {
    const agreeForms = new Set(agreeBoxes(s).map((f) => f.form).filter((x) => x >= 0));
    for (const f of s.fields) {
      if (!f.visible || !(isAcceptControl(f) || (agreeForms.has(f.form) && isSubmitControl(f)))) continue;
      if (f.disabled && !(assumeTicked && agreeForms.has(f.form))) continue;
      // a link back to this very page (the nav's 我要咨询) is not a step forward
      const href = /^\s*(https?:|\/|\.)/.test(f.action) ? f.action.trim().split(/\s/)[0]! : '';
      if (href && resolveUrl(href, s.frame.url()) === here) continue;
      candidates.push({ s, f, score: acceptScore(f, agreeForms) });
    }
  }
  return candidates.sort((a, b) => b.score - a.score);
}

function agreeBoxes(s: FrameScan): FieldDescriptor[] {
  return s.fields.filter((f) => f.visible && f.type === 'checkbox' && /已阅读|同意|知悉|须知|承诺/.test(f.label + f.nearText));
}

async function acceptNotice(page: Page, scans: FrameScan[], io: PageIo, profile?: SiteProfile): Promise<boolean> {
  if (profile?.accept) {
    for (const s of scans) {
      const key = await evalIn<string | null>(s.frame, `${RESOLVE_SELECTOR_JS}(${JSON.stringify([profile.accept, s.index, 'accept'])})`, io).catch(() => null);
      if (key) return Boolean(await evalIn(s.frame, `${CLICK_JS}(${JSON.stringify(key)})`, io).catch(() => false));
    }
  }
  let ticked = false;
  for (const s of scans) {
    const agree = agreeBoxes(s);
    if (agree.length) {
      await evalIn(s.frame, `${FILL_JS}(${JSON.stringify(agree.map((f) => ({ key: f.key, frame: s.index, role: 'agree', kind: 'checkbox', value: 'on' })))})`, io).catch(() => undefined);
      ticked = true;
    }
  }
  // ticking may have enabled the 下一步 button: read the page again before choosing
  const best = acceptCandidates(page, ticked ? await scanAll(page, io) : scans)[0];
  if (!best) return false;
  return Boolean(await evalIn(best.s.frame, `${CLICK_JS}(${JSON.stringify(best.f.key)})`, io).catch(() => false));
}

/** Texts of a dialog's control that accepts a 须知 (我已阅读并同意), and of one that closes it once its box is ticked. */
const OVERLAY_AGREE = /已阅读|已读|同意|知悉|接受/;
const OVERLAY_CONFIRM = /^(?:确定|确认|我知道了|知道了|继续|关闭)$/;

/** A control that would submit a <form> (never pressed to accept a dialog: the letter is not filled yet). */
function submitsForm(f: FieldDescriptor): boolean {
  return f.form >= 0 && (f.type === 'submit' || f.type === 'image' || (f.tag === 'button' && f.type === 'submit'));
}

/** The dialog's 我已阅读并同意 control (or, with a ticked 同意 box in the dialog, its 确定), best first; disabled ones too. */
function overlayAccept(scans: FrameScan[]): { s: FrameScan; f: FieldDescriptor; boxes: FieldDescriptor[] } | undefined {
  for (const s of scans) {
    // a dialog that holds the letter's own text area is the form itself, not a 须知 over it
    const bodies = s.fields.filter((f) => f.visible && f.tag === 'textarea');
    const over = (f: FieldDescriptor) => f.overlay !== undefined && f.visible && !bodies.some((b) => b.anc?.includes(f.overlay!));
    const boxes = s.fields.filter((f) => over(f) && f.type === 'checkbox');
    const controls = s.fields.filter((f) => {
      // never a control that could send the (still empty) letter
      if (!over(f) || f.type === 'checkbox' || submitsForm(f)) return false;
      const t = (f.text || f.title).replace(/\s/g, '');
      if (!t || t.length > 16 || /不同意|取消|返回|提交|发送|递交|保存/.test(t)) return false;
      // 我已阅读并同意; or a plain 确定 of a dialog whose own 同意 box is ticked
      return (OVERLAY_AGREE.test(t) && !isSubmitControl(f)) || (OVERLAY_CONFIRM.test(t) && boxes.some((b) => b.overlay === f.overlay));
    });
    const best = controls.find((f) => OVERLAY_AGREE.test(f.text || f.title)) ?? controls[0];
    if (best) return { s, f: best, boxes };
  }
  return undefined;
}

/**
 * Accepts a 须知 dialog over the form: ticks its 同意 box, waits (bounded by `waitMs`) while its control counts
 * down, clicks it once, and waits (≤ 2 s) for the dialog to go (or for the page it leads to). The page read
 * afresh, or undefined when nothing was clicked.
 */
async function acceptOverlay(page: Page, scans: FrameScan[], io: PageIo, waitMs: number, nav: () => number): Promise<FrameScan[] | undefined> {
  let found = overlayAccept(scans);
  if (!found) return undefined;
  if (found.boxes.length) {
    const ticks = found.boxes.map((f) => ({ key: f.key, frame: found!.s.index, role: 'agree', kind: 'checkbox', value: 'on' }));
    await evalIn(found.s.frame, `${FILL_JS}(${JSON.stringify(ticks)})`, io).catch(() => undefined);
    scans = await scanAll(page, io);
    found = overlayAccept(scans) ?? found;
  }
  // a control counting down (请阅读须知（5秒）) is waited for; one disabled for good is not
  const until = Date.now() + (/秒|\d/.test(found.f.text) ? waitMs : 0);
  while (found.f.disabled && Date.now() < until) {
    await sleep(250);
    scans = await scanAll(page, io);
    const again = overlayAccept(scans);
    if (!again) return scans;
    found = again;
  }
  if (found.f.disabled) return undefined;
  const { s, f } = found;
  const clicked = await evalIn(s.frame, `${CLICK_JS}(${JSON.stringify(f.key)})`, io).catch(() => false);
  if (!clicked) return undefined;
  const navigated = page.waitForNavigation({ waitUntil: 'load', timeout: Math.min(2_000, nav()) }).then(
    () => true,
    () => false,
  );
  // Polls until the dialog is gone; stopped as soon as the race is decided (a navigation may win), and with an io of its
  // own, so a read still in flight never marks the next page stuck after the fact.
  let settled = false;
  const pollIo: PageIo = { step: io.step, stuck: false };
  const gone = (async () => {
    const end = Date.now() + 2_000;
    while (!settled && Date.now() < end) {
      await sleep(100);
      if (settled) return;
      const shown = await evalIn<boolean>(s.frame, `${SHOWN_JS}(${JSON.stringify(f.key)})`, pollIo, 1_000).catch(() => false);
      if (!shown) return;
    }
  })();
  await Promise.race([navigated, gone]);
  settled = true;
  if (!hasBody(await scanAll(page, io))) await waitForBody(page, io, Math.min(3_000, nav()));
  return scanAll(page, io);
}

function resolveUrl(href: string, base: string): string {
  try {
    return new URL(href, base).href.replace(/#.*$/, '');
  } catch {
    return href;
  }
}

function acceptScore(f: FieldDescriptor, agreeForms: Set<number>): number {
  const t = f.text;
  return (
    (agreeForms.has(f.form) ? 4 : 0) +
    (f.tag === 'button' || f.tag === 'input' ? 2 : 0) +
    (/同意|已阅读|接受/.test(t) ? 3 : 0) +
    (/下一步|进入|继续|开始/.test(t) ? 1 : 0) +
    (/写信|留言|咨询/.test(t) ? 1 : 0)
  );
}

interface ProfileResolution {
  overrides: Record<string, FieldRole>;
  submit?: { key: string; frame: number };
  extra: FieldDescriptor[];
}

async function resolveProfile(scans: FrameScan[], profile: SiteProfile, io: PageIo): Promise<ProfileResolution | { broken: string }> {
  const overrides: Record<string, FieldRole> = {};
  const extra: FieldDescriptor[] = [];
  const targets = profile.frameUrlPattern ? scans.filter((s) => new RegExp(profile.frameUrlPattern!).test(s.frame.url())) : scans;
  for (const [role, spec] of Object.entries(profile.fields)) {
    if (!spec) continue;
    let key: string | null = null;
    for (const s of targets) {
      if (spec.selector) {
        key = await evalIn<string | null>(s.frame, `${RESOLVE_SELECTOR_JS}(${JSON.stringify([spec.selector, s.index, role])})`, io).catch(() => null);
        if (key && !s.fields.some((f) => f.key === key)) extra.push(minimalField(key, s.index));
      } else if (spec.label) {
        const label = spec.label;
        key = s.fields.find((f) => f.tag !== 'a' && f.tag !== 'button' && (f.label + f.nearText + f.placeholder).includes(label))?.key ?? null;
      }
      if (key) break;
    }
    if (!key) return { broken: `profile-field-missing:${role}` };
    overrides[key] = role as FieldRole;
  }
  let submit: { key: string; frame: number } | undefined;
  for (const s of targets) {
    let key: string | null = null;
    if (profile.submit.selector) key = await evalIn<string | null>(s.frame, `${RESOLVE_SELECTOR_JS}(${JSON.stringify([profile.submit.selector, s.index, 'submit'])})`, io).catch(() => null);
    else if (profile.submit.text) key = s.fields.find((f) => f.text.replace(/\s/g, '') === profile.submit.text!.replace(/\s/g, ''))?.key ?? null;
    if (key) {
      submit = { key, frame: s.index };
      break;
    }
  }
  if (!submit) return { broken: 'profile-submit-missing' };
  return { overrides, submit, extra };
}

function minimalField(key: string, frame: number): FieldDescriptor {
  return { key, frame, tag: 'input', type: 'text', name: '', id: '', placeholder: '', label: '', nearText: '', text: '', title: '', action: '', required: false, visible: true, form: -1 };
}

/** A profile's fixed values (e.g. type = 咨询) replace the heuristic choice. */
function applyProfileValues(plan: FormPlan, fields: FieldDescriptor[], profile: SiteProfile, overrides: Record<string, FieldRole>): void {
  for (const [key, role] of Object.entries(overrides)) {
    const spec = profile.fields[role as keyof SiteProfile['fields']];
    if (!spec?.value) continue;
    const field = fields.find((f) => f.key === key);
    const action = plan.actions.find((a) => a.key === key);
    if (!field || !action) continue;
    if (action.kind === 'text') action.value = spec.value;
    else {
      const option = field.options?.find((o) => o.text.includes(spec.value!));
      if (option) action.value = option.value;
    }
  }
}

async function watchAfterSubmit(
  page: Page,
  o: {
    settle: number;
    navTimeout: number;
    until: number;
    io: PageIo;
    dialogs: string[];
    responses: string[];
    pending: () => number;
    /** Requests any frame issued since the click. */
    requests: () => number;
    profile?: SiteProfile;
  },
): Promise<{ texts: string[]; formStillThere: boolean; stalled: boolean; invalid: string }> {
  const start = Date.now();
  const success = o.profile?.success ? new RegExp(o.profile.success) : undefined;
  let texts: string[] = [];
  let formStillThere = true;
  let stalled = false;
  let lastChange = Date.now();
  let lastSig = '';
  let invalid = '';
  for (;;) {
    await sleep(Date.now() - start < 1_000 ? 50 : 150);
    // every frame at once, each bounded: a frame stuck in a navigation (the POST is not answered) does not answer
    const seen = await Promise.all(
      page.frames().map((f) =>
        evalIn<Observed>(f, OBSERVE_JS + '()', o.io, Math.min(o.io.step, 2_500)).then(
          (r) => r,
          (err: unknown) => (err instanceof StepTimeout ? ('stuck' as const) : undefined),
        ),
      ),
    );
    stalled = seen.includes('stuck');
    const answered = seen.filter((r): r is Observed => typeof r === 'object' && r !== null);
    const loading = stalled || answered.some((r) => r.ready !== 'complete');
    if (answered.length) {
      texts = answered.map((r) => r.text);
      formStillThere = answered.some((r) => r.textarea);
      invalid = answered.find((r) => r.invalid)?.invalid ?? '';
    }
    const all = [...o.dialogs, ...texts, ...o.responses].join('\n');
    if (looksSuccessful(all) || (success && success.test(all))) {
      // give a modal/alert a moment to also show the code
      if (Object.keys(extractCodes(all)).length > 0 || Date.now() - start > 1_500) break;
    }
    if (looksLikeSiteError(all) && o.pending() === 0 && !loading) break;
    const sig = `${all.length}|${o.pending()}|${loading}|${o.responses.length}|${o.dialogs.length}|${o.requests()}`;
    if (sig !== lastSig) {
      lastSig = sig;
      lastChange = Date.now();
    }
    const quiet = Date.now() - lastChange;
    const elapsed = Date.now() - start;
    const navigating = o.pending() > 0 || loading;
    // navigation done (or a response came back) and the page has been quiet for a while
    if (!navigating && (o.responses.length > 0 || !formStillThere || o.dialogs.length > 0) && quiet > 600) break;
    // the browser's own validation refused the form and nothing was sent: no answer will come
    if (!navigating && o.requests() === 0 && invalid && quiet > 800) break;
    if (!navigating && elapsed > o.settle) break;
    if (elapsed > o.settle + o.navTimeout) break;
    if (Date.now() >= o.until) break; // the attempt's deadline
  }
  return { texts, formStillThere, stalled: stalled || o.pending() > 0, invalid };
}

/** What OBSERVE_JS reports of a frame. */
interface Observed {
  text: string;
  ready: string;
  textarea: boolean;
  /** The first control the browser's validation refuses (`name: message`), '' when none. */
  invalid: string;
}

async function profileCode(page: Page, profile: SiteProfile | undefined, text: string, io: PageIo): Promise<Record<string, string>> {
  if (!profile?.queryCode) return {};
  if (profile.queryCode.regex) {
    const m = new RegExp(profile.queryCode.regex).exec(text);
    if (m) return { profile: (m[1] ?? m[0]).trim() };
  }
  if (profile.queryCode.selector) {
    for (const f of page.frames()) {
      const t = await evalIn<string | null>(f, `${TEXT_OF_JS}(${JSON.stringify(profile.queryCode.selector)})`, io).catch(() => null);
      if (t && t.trim()) return { profile: t.trim() };
    }
  }
  return {};
}

/** HTML and screenshot, each bounded by `budgetMs` (a page that does not answer leaves whatever could be taken). */
async function takeEvidence(
  page: Page,
  req: SubmitRequest,
  objects: ObjectStore,
  unblock: () => Promise<unknown>,
  cdp: CDPSession,
  timings: Record<string, number>,
  budgetMs: number,
): Promise<Partial<Evidence>> {
  const until = Date.now() + budgetMs;
  const rest = (cap: number) => Math.max(200, Math.min(cap, until - Date.now()));
  await within(unblock(), rest(2_000)).catch(() => undefined);
  const htmlPart = (async () => {
    const t = performance.now();
    let html = '';
    try {
      html = await within(page.content(), rest(5_000));
      for (const f of page.frames().slice(1)) {
        const inner = await within(f.content(), rest(2_000)).catch(() => '');
        if (inner) html += `\n<!-- huixin frame: ${f.url().replace(/--/g, '- -')} -->\n${inner}`;
      }
    } catch {
      html = html || '';
    }
    const stored = await objects.put(`${req.evidencePrefix}/page.html`, html, 'text/html; charset=utf-8');
    timings.htmlMs = Math.round(performance.now() - t);
    return stored;
  })();
  const shotPart = (async () => {
    if (req.screenshot === false) return undefined;
    const t = performance.now();
    try {
      const layout = (await within(page.evaluate(`${RELOAD_IMAGES_JS}()`), rest(2_500)).catch(() => undefined)) as { fits?: boolean } | undefined;
      timings.imagesMs = Math.round(performance.now() - t);
      // A page that fits in the viewport: its viewport capture IS the full page (same pixels as puppeteer's
      // fullPage, without its scroll-size probe and two viewport resizes). A longer page: puppeteer's full page.
      // PNG stays: at 1280×900 a JPEG (q80) costs the same CPU here (the capture, not the encoding, dominates)
      // and WebP three times as much.
      const viewportShot = async () =>
        Buffer.from(((await cdp.send('Page.captureScreenshot', { format: 'png', optimizeForSpeed: true, captureBeyondViewport: false })) as { data: string }).data, 'base64');
      const fullPageShot = () => page.screenshot({ fullPage: true, type: 'png', captureBeyondViewport: false, optimizeForSpeed: true });
      const png = await within(layout?.fits ? viewportShot().catch(fullPageShot) : fullPageShot(), rest(8_000));
      const stored = await objects.put(`${req.evidencePrefix}/screenshot.png`, png, 'image/png');
      timings.screenshotMs = Math.round(performance.now() - t);
      return stored;
    } catch {
      return undefined; // a crashed or frozen page has no screenshot; the HTML and the reason remain
    }
  })();
  const [html, screenshot] = await Promise.all([htmlPart, shotPart]);
  return { html, ...(screenshot ? { screenshot } : {}) };
}

/** Links of the current page (for rediscovering the consultation column from a home page). */
export async function pageLinks(page: Page, url: string, timeoutMs = 15_000): Promise<PageLink[]> {
  await openFresh(page, url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
  const links: PageLink[] = [];
  for (const f of page.frames()) {
    const l = (await within(f.evaluate(`${LINKS_JS}()`), 5_000).catch(() => [])) as PageLink[];
    links.push(...l.map((x) => ({ text: x.text, href: new URL(x.href, f.url()).href })));
  }
  return links;
}
