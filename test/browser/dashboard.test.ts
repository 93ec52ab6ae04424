// The dashboard UI in headless Chromium against the real dashboard server, the emulator and our
// controllers: the list shows a paused canary; the rollout page shows its conditions and events;
// Promote on the rollout page advances it and the page follows without a reload; Abort shows
// Degraded; an analysis run's metric chart draws its measurements; a timed pause counts down;
// `/` and Enter drive the list from the keyboard. Screenshots go to test-artifacts/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { KubeObject } from '../../src/api/kube-object.ts';
import { canaryRollout, statusOf, waitForPhase } from '../support/controller.ts';
import { eventually } from '../support/target.ts';
import {
  ARTIFACTS,
  browserSkipReason,
  startStack,
  startWebMetric,
  type Stack,
  type WebMetric,
} from './harness.ts';

const skip = browserSkipReason();

const CHECKOUT_STEPS = [
  { setWeight: 25 },
  { pause: {} },
  { setWeight: 50 },
  { pause: {} },
  { setWeight: 75 },
  { pause: { duration: '1h' } },
];

function webTemplate(url: string): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'success-rate' },
    spec: {
      metrics: [
        {
          name: 'success-rate',
          interval: '1s',
          count: 5,
          successCondition: 'result >= 0.95',
          failureLimit: 1,
          provider: { web: { url, jsonPath: '{$.successRate}' } },
        },
      ],
    },
  };
}

/** Polls a page read until it holds (the UI updates live, so no reload happens in between). */
async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  await eventually(fn, what, timeoutMs, 100);
}

async function text(page: Page, testId: string): Promise<string> {
  return ((await page.getByTestId(testId).textContent()) ?? '').trim();
}

/** Seconds of a countdown text: `Resumes in 59m58s` ⇒ 3598. */
function countdownSeconds(text: string): number {
  const m = /^Resumes in (?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  assert.ok(m && text !== 'Resumes in ', `a countdown: ${text}`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** The rows of the Events panel, newest first, as `reason message` texts. */
async function eventRows(page: Page): Promise<string[]> {
  const items = page.getByRole('list', { name: 'Events, newest first' }).getByRole('listitem');
  return (await items.allTextContents()).map((t) => t.trim());
}

/** The rollout cards of the home page's grid. */
function cards(page: Page) {
  return page.locator('[role="list"][aria-label="Rollouts"] > [role="listitem"]');
}

/** Marks the page so a reload (which would drop the mark) is detected. */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => {
    (globalThis as Record<string, unknown>).__noReload = true;
  });
}

async function stillSamePage(page: Page): Promise<boolean> {
  return page.evaluate(() => (globalThis as Record<string, unknown>).__noReload === true);
}

async function confirmAction(page: Page, button: string): Promise<void> {
  await page.getByRole('button', { name: button, exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await dialog.waitFor({ state: 'detached' });
}

describe('dashboard UI in Chromium', { skip }, () => {
  let stack: Stack;
  let web: WebMetric;
  let ns: string;
  let page: Page;

  before(async () => {
    stack = await startStack();
    ns = stack.namespace;
    web = await startWebMetric([0.97, 0.99, 0.96, 0.98, 0.995, 0.97]);
    const { cluster } = stack;
    await cluster.apply(webTemplate(web.url), ns);
    await cluster.apply(canaryRollout({ name: 'checkout', steps: CHECKOUT_STEPS }), ns);
    await cluster.apply(
      canaryRollout({
        name: 'payments',
        replicas: 2,
        steps: [
          { setWeight: 50 },
          { analysis: { templates: [{ templateName: 'success-rate' }] } },
          { pause: {} },
        ],
      }),
      ns,
    );
    await cluster.apply(canaryRollout({ name: 'frontend', replicas: 3 }), ns);
    for (const name of ['checkout', 'payments', 'frontend']) {
      await waitForPhase(cluster, ns, name, 'Healthy');
    }
    await cluster.setImage(ns, 'checkout', 'app', 'example/app:v2');
    await waitForPhase(cluster, ns, 'checkout', 'Paused', (s) => s.currentStepIndex === 1);
    page = await stack.newPage();
  });

  after(async () => {
    await stack?.close();
    await web?.stop();
  });

  test('the list shows the paused canary with its ReplicaSets and actions', async () => {
    await page.goto(stack.baseUrl);
    const card = page.getByRole('listitem', { name: 'checkout' });
    await card.waitFor();
    await until(
      'checkout card paused',
      async () => (await card.textContent())?.includes('Paused') ?? false,
    );
    const body = (await card.textContent()) ?? '';
    assert.match(body, /Canary/);
    assert.match(body, /Step1\/6/);
    assert.match(body, /Weight25/);
    assert.match(body, /Rev 2/);
    assert.match(body, /Rev 1/);
    assert.equal(await card.getByRole('button', { name: 'Promote' }).isEnabled(), true);
    assert.equal(await card.getByRole('button', { name: 'Restart' }).isEnabled(), true);
    // Pods as icons with names: 4 replicas at 25% ⇒ 1 canary + 3 stable, all ready.
    await until(
      '4 ready pods',
      async () => (await card.getByRole('img', { name: /^Pod .*ready/ }).count()) === 4,
    );
    // The header: version and namespace.
    assert.match((await page.locator('.version').textContent()) ?? '', /^Rollouts v?\d/);
    assert.equal(await page.getByLabel('Namespace').inputValue(), ns);
    // Status counters.
    const paused = page.getByRole('button', { name: /Paused 1/ });
    await paused.waitFor();
    await page.screenshot({ path: `${ARTIFACTS}dashboard-list.png`, fullPage: true });

    // The status filter narrows the list, and is mirrored in the URL.
    await paused.click();
    await until('only checkout', async () => (await cards(page).count()) === 1);
    assert.match(page.url(), /status=Paused/);
    await paused.click();
    await until('all three', async () => (await cards(page).count()) === 3);

    // Favourites: starred rollouts come first and are kept in localStorage.
    await page.getByRole('button', { name: 'Favorite payments' }).click();
    await until(
      'payments first',
      async () => (await cards(page).first().getAttribute('aria-label')) === 'payments',
    );
    const stored = await page.evaluate(() =>
      (
        globalThis as unknown as { localStorage: { getItem(k: string): string | null } }
      ).localStorage.getItem('rolloutsFavorites'),
    );
    assert.deepEqual(JSON.parse(stored ?? '{}'), { payments: true });
    await page.getByRole('button', { name: /^Favorites 1$/ }).click();
    await until('only payments', async () => (await cards(page).count()) === 1);
    await page.getByRole('button', { name: /^Favorites 1$/ }).click();
    await page.getByRole('button', { name: 'Favorite payments' }).click();

    // Table view.
    await page.getByRole('button', { name: 'Table' }).click();
    const row = page.getByRole('row', { name: 'checkout' });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /Canary: Rev 2 \(1\/1\)/);
    assert.equal(await row.getByRole('button', { name: 'Retry' }).isDisabled(), true);
    assert.equal(await row.getByRole('button', { name: 'Abort' }).isEnabled(), true);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-table.png`, fullPage: true });
    await page.getByRole('button', { name: 'Grid' }).click();
  });

  test('keyboard: / focuses the search box, Enter opens the rollout', async () => {
    await page.goto(stack.baseUrl);
    await page.getByRole('listitem', { name: 'checkout' }).waitFor();
    await page.keyboard.press('/');
    await page.locator('input[aria-label="Search rollouts"]:focus').waitFor();
    await page.keyboard.type('check');
    await until('one match', async () => (await cards(page).count()) === 1);
    assert.match(page.url(), /q=check/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: /checkout/ }).waitFor();
    assert.match(page.url(), new RegExp(`/rollouts/rollout/${ns}/checkout$`));
    // Back on the list: arrows move through the cards, Enter opens the selected one.
    await page.goBack();
    await cards(page).first().waitFor();
    await page.keyboard.press('/');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await until('three cards', async () => (await cards(page).count()) === 3);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    const focused = await page.locator('[role="listitem"]:focus').getAttribute('aria-label');
    assert.ok(focused);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: new RegExp(focused) }).waitFor();
    // Shift+H shows the shortcut help; Esc closes it.
    await page.keyboard.press('Shift+H');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
  });

  test('the rollout page shows the Paused condition, the pause reason and the events', async () => {
    await page.goto(`${stack.baseUrl}rollout/${ns}/checkout`);
    await page.getByRole('heading', { level: 1, name: /checkout/ }).waitFor();
    const conditions = page.getByRole('region', { name: 'Conditions' });
    const paused = conditions.getByRole('row', { name: /^Paused/ });
    await paused.waitFor();
    const cells = (await paused.getByRole('cell').allTextContents()).map((t) => t.trim());
    assert.match(cells[0] ?? '', /True$/);
    assert.equal(cells[1], 'RolloutPaused');
    assert.equal(cells[2], 'Rollout is paused');
    assert.match(cells[3] ?? '', /^\d+[smhd] ago$/);
    assert.equal(await paused.getAttribute('class'), 'condition tone-row-paused');
    assert.match(
      (await conditions.getByRole('list', { name: 'Pause reasons' }).textContent()) ?? '',
      /^CanaryPauseStep ?paused for \d+[smhd]$/,
    );
    // The columns are headed, for screen readers too.
    assert.deepEqual(
      (await conditions.getByRole('columnheader').allTextContents()).map((t) => t.trim()),
      ['Type', 'Status', 'Reason', 'Message', 'Last transition'],
    );

    // The controller's own events about the Rollout, newest first.
    const events = page.getByRole('region', { name: 'Events' });
    await until('the paused event', async () =>
      (await eventRows(page)).some((t) =>
        /RolloutPaused\s*Rollout is paused \(CanaryPauseStep\)/.test(t),
      ),
    );
    const rows = await eventRows(page);
    const updated2 = rows.findIndex((t) =>
      /RolloutUpdated\s*Rollout updated to revision 2/.test(t),
    );
    const updated1 = rows.findIndex((t) =>
      /RolloutUpdated\s*Rollout updated to revision 1/.test(t),
    );
    assert.ok(updated2 >= 0 && updated1 > updated2, `newest first: ${rows.join(' | ')}`);
    assert.equal(await events.locator('.event-warning').count(), 0, 'no warnings here');
  });

  test('Promote on the rollout page advances the canary and the page follows live', async () => {
    await page.goto(`${stack.baseUrl}rollout/${ns}/checkout`);
    await page.getByRole('heading', { level: 1, name: /checkout/ }).waitFor();
    await until('step 1/6', async () => (await text(page, 'summary-step')) === '1/6');
    assert.equal(await text(page, 'rollout-status'), 'Paused');
    assert.equal(await text(page, 'summary-set-weight'), '25');
    // Enablement: Retry only when Degraded; the others while Paused.
    assert.equal(await page.getByRole('button', { name: 'Retry', exact: true }).isDisabled(), true);
    for (const b of ['Restart', 'Abort', 'Promote', 'PromoteFull']) {
      assert.equal(await page.getByRole('button', { name: b, exact: true }).isEnabled(), true, b);
    }
    assert.equal(
      await page.getByRole('button', { name: 'Restart', exact: true }).getAttribute('title'),
      'Never restarted',
    );
    // The steps panel marks the current step.
    const current = page.locator('.steps [aria-current="step"]');
    assert.match((await current.textContent()) ?? '', /^2Pause/);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-rollout.png`, fullPage: true });

    await markPage(page);
    // Cancel does nothing.
    await page.getByRole('button', { name: 'Promote', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    assert.equal(statusOf(await stack.cluster.rollout(ns, 'checkout')).currentStepIndex, 1);

    await confirmAction(page, 'Promote');
    await waitForPhase(stack.cluster, ns, 'checkout', 'Paused', (s) => s.currentStepIndex === 3);
    await until('step 3/6 on the page', async () => (await text(page, 'summary-step')) === '3/6');
    await until('set weight 50', async () => (await text(page, 'summary-set-weight')) === '50');
    assert.equal(await stillSamePage(page), true, 'the page was not reloaded');
    assert.match((await current.textContent()) ?? '', /^4Pause/);
    // The events follow too: the step the promotion completed appears without a reload.
    await until('the step-completed event', async () =>
      (await eventRows(page)).some((t) =>
        /RolloutStepCompleted\s*Rollout step 2\/6 completed/.test(t),
      ),
    );
    await page.screenshot({ path: `${ARTIFACTS}dashboard-rollout-promoted.png`, fullPage: true });
  });

  test('Abort shows Degraded, then Retry is enabled', async () => {
    await page.goto(`${stack.baseUrl}rollout/${ns}/checkout`);
    await until('step 3/6', async () => (await text(page, 'summary-step')) === '3/6');
    await markPage(page);
    await confirmAction(page, 'Abort');
    await waitForPhase(stack.cluster, ns, 'checkout', 'Degraded');
    await until(
      'Degraded on the page',
      async () => (await text(page, 'rollout-status')) === 'Degraded',
    );
    assert.equal(await stillSamePage(page), true, 'the page was not reloaded');
    await until(
      'Retry enabled',
      async () => await page.getByRole('button', { name: 'Retry', exact: true }).isEnabled(),
    );
    assert.equal(
      await page.getByRole('button', { name: 'Promote', exact: true }).isDisabled(),
      true,
    );
    assert.match((await page.locator('.message-banner').textContent()) ?? '', /aborted/i);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-rollout-aborted.png`, fullPage: true });
  });

  test('an analysis run opens a modal whose metric chart draws the measurements', async () => {
    await stack.cluster.setImage(ns, 'payments', 'app', 'example/app:v2');
    await page.goto(`${stack.baseUrl}rollout/${ns}/payments`);
    await page.getByRole('heading', { level: 1, name: /payments/ }).waitFor();
    // The run appears live (no reload) as a button named after its last two name parts.
    const runButton = page.getByRole('button', { name: /^Analysis / });
    await runButton.waitFor();
    await waitForPhase(stack.cluster, ns, 'payments', 'Paused', (s) => s.currentStepIndex === 2);
    await until(
      'the run successful on the page',
      async () => (await runButton.getAttribute('title'))?.endsWith('Successful') ?? false,
    );
    await until('step 2/3 on the page', async () => (await text(page, 'summary-step')) === '2/3');
    await page.screenshot({ path: `${ARTIFACTS}dashboard-rollout-analysis.png`, fullPage: true });
    await runButton.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('tab', { name: /Summary/ }).waitFor();
    assert.match((await dialog.textContent()) ?? '', /Successful/);
    await dialog.getByRole('tab', { name: /success-rate/ }).click();
    const chart = dialog.getByRole('img', { name: /^Chart of \d+ measurements$/ });
    await chart.waitFor();
    assert.equal(await chart.getAttribute('aria-label'), 'Chart of 5 measurements');
    assert.equal(await dialog.locator('.metric-chart .point').count(), 5);
    assert.equal(await dialog.locator('.metric-chart .point[data-phase="Successful"]').count(), 5);
    const body = (await dialog.textContent()) ?? '';
    assert.match(body, /result >= 0\.95/);
    assert.match(body, /\{\$\.successRate\}/);
    assert.match(body, new RegExp(web.url.replace(/[.]/g, '\\.')));
    assert.equal(await dialog.locator('table.measurements tbody tr').count(), 5);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-analysis.png` });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });
  test('Edit sets a container image, Rollback undoes it, and a 403 reads Permission Denied', async () => {
    const { cluster } = stack;
    const imageOf = async () =>
      (
        (await cluster.rollout(ns, 'frontend')).spec as {
          template: { spec: { containers: { image: string }[] } };
        }
      ).template.spec.containers[0]?.image;
    await page.goto(`${stack.baseUrl}rollout/${ns}/frontend`);
    await page.getByRole('heading', { level: 1, name: /frontend/ }).waitFor();
    await markPage(page);
    await page.getByRole('button', { name: 'Edit containers' }).click();
    const input = page.getByRole('combobox', { name: 'Image of app' });
    // No tag: the error state, Save disabled.
    await input.fill('example/app');
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByRole('button', { name: 'Save' }).isDisabled(), true);
    await input.fill('example/app:v2');
    await page.getByRole('button', { name: 'Save' }).click();
    await eventually(async () => (await imageOf()) === 'example/app:v2', 'image set', 10_000);
    await waitForPhase(cluster, ns, 'frontend', 'Healthy', (s) => s.stableRS !== undefined);
    // Revision 2 appears live; Revision 1 can be rolled back to.
    await page.getByRole('article', { name: 'Revision 2' }).waitFor();
    await page.getByRole('button', { name: 'Rollback to revision 1' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    await eventually(
      async () => (await imageOf()) === 'example/app:v1',
      'image rolled back',
      10_000,
    );
    assert.equal(await stillSamePage(page), true, 'the page was not reloaded');

    // A forbidden call shows a toast.
    await page.route('**/api/v1/rollouts/*/frontend/restart', (route) =>
      route.fulfill({
        status: 403,
        contentType: 'application/json',
        body: JSON.stringify({ code: 7, message: 'rollouts.argoproj.io is forbidden' }),
      }),
    );
    await confirmAction(page, 'Restart');
    const toast = page.getByRole('alert').filter({ hasText: 'Permission Denied' });
    await toast.waitFor();
    assert.match((await toast.textContent()) ?? '', /Restart failed: Permission Denied/);
    await page.unroute('**/api/v1/rollouts/*/frontend/restart');
  });
  test('a timed pause step counts down on the steps panel', async () => {
    const { cluster } = stack;
    await cluster.apply(
      canaryRollout({
        name: 'search',
        replicas: 2,
        steps: [{ setWeight: 50 }, { pause: { duration: '1h' } }],
      }),
      ns,
    );
    await waitForPhase(cluster, ns, 'search', 'Healthy');
    await page.goto(`${stack.baseUrl}rollout/${ns}/search`);
    await page.getByRole('heading', { level: 1, name: /search/ }).waitFor();
    await markPage(page);
    await cluster.setImage(ns, 'search', 'app', 'example/app:v2');
    await waitForPhase(cluster, ns, 'search', 'Paused', (s) => s.currentStepIndex === 1);
    const timer = page.locator('.steps [aria-current="step"]').getByRole('timer');
    await timer.waitFor();
    // Exact (from the server's pauseEndsAt), and counting down: two successive readings.
    const first = ((await timer.textContent()) ?? '').trim();
    assert.match(first, /^Resumes in (1h|59m(\d+s)?)$/);
    let second = first;
    await until('the countdown moves', async () => {
      second = ((await timer.textContent()) ?? '').trim();
      return second !== first;
    });
    assert.ok(
      countdownSeconds(second) < countdownSeconds(first),
      `${second} is less than ${first}`,
    );
    assert.match(
      (await page.locator('.steps [aria-current="step"]').textContent()) ?? '',
      /^2Pause: 1h/,
    );
    assert.equal(await stillSamePage(page), true, 'the page was not reloaded');
  });
});
