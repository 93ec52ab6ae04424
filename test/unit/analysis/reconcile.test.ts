// reconcileAnalysisRun (analysis.md §2–§3): one reconcile of an AnalysisRun, composed from the
// pure modules of src/analysis, tested as orchestration with scripted fake providers and a fixed
// clock (T0 + s seconds, see helpers.ts).
//
// Case table
//
// | #  | Area        | Given                                                            | Expect                                                                                   |
// |----|-------------|------------------------------------------------------------------|------------------------------------------------------------------------------------------|
// |  1 | first pass  | fresh run, interval 1m, provider → Successful                    | startedAt=now, one run(), full status (Running, summaries), requeue 60 s, no events       |
// |  2 | first pass  | count absent, no interval → effective count 1                    | metric+run Successful, completedAt, [MetricSuccessful, AnalysisRunSuccessful], no requeue |
// |  3 | scheduling  | interval 1m, last finished t0; now 59 s / 60 s / 61 s            | no call + requeue 1000 / no call + requeue 0 (strictly after) / one run()                |
// |  4 | scheduling  | count 2 interval 1m                                              | 2nd success → Successful, no 3rd call afterwards                                         |
// |  5 | scheduling  | interval 5m, measurement Error                                   | requeue 10 s; no call at +10 s; call at +11 s                                             |
// |  6 | scheduling  | initialDelay 30s                                                 | 1st pass: no call, startedAt set, requeue 30 s; call at exactly startedAt+30 s           |
// |  7 | scheduling  | async run() → in flight with resumeAt                             | requeue at resumeAt; no resume before; resume() at resumeAt, replaced in place, finishedAt |
// |  8 | scheduling  | two metrics                                                      | requeue = earliest of them                                                                |
// |  9 | scheduling  | count/interval from args                                         | resolved interval used for requeue, resolved count for completion                         |
// | 10 | early Error | arg without value                                                | `Unable to resolve metric arguments: argument "x" was not supplied`, no startedAt         |
// | 11 | early Error | unknown tag                                                      | `… failed to resolve {{args.y}}`                                                          |
// | 12 | early Error | count "{{args.n}}"=3 without interval; duplicate name            | `Analysis spec invalid: metrics[0]: …` / `metrics[1]: duplicate name 'a'`                 |
// | 13 | early Error | dryRun rule matching nothing (`*`, 2nd rule)                      | `Analysis spec invalid: dryRun[0|1]: Rule didn't match any metric name(s)`                |
// | 14 | early Error | measurementRetention rule matching nothing                       | `Analysis spec invalid: measurementRetention[0]: …`                                       |
// | 15 | early Error | missing secret / missing key / lookup throws                     | `… secrets "s" not found` / `… key 'k' does not exist in secret 's'` / its message        |
// | 16 | early Error | secret disappears mid-run                                        | Error, stored results and startedAt kept, no completedAt                                  |
// | 17 | secrets     | secretKeyRef arg (also with a `value`)                           | provider lookup/run/getMetadata see the secret, never `temp-for-secret`                   |
// | 18 | secrets     | message and metadata contain the secret                           | `*****` in measurement message and result metadata                                        |
// | 19 | secrets     | resume and terminate tasks                                       | receive the secret-resolved metric                                                        |
// | 20 | providers   | lookup returns a string                                          | Error measurement with that text, startedAt/finishedAt=now, requeue 10 s                  |
// | 21 | providers   | run() throws / rejects / throws a non-Error                       | Error measurement with the message                                                        |
// | 22 | providers   | lookup string while resuming an in-flight measurement             | the in-flight measurement reused, phase Error, finishedAt now, not appended              |
// | 23 | providers   | 5th consecutive error                                            | metric Error, run Error with limit message + `: "Error Message: …"`                       |
// | 24 | terminate   | spec.terminate, in-flight measurement (resumeAt in the future)   | terminate() (not resume), `Metric Terminated`, run Successful `Run Terminated`            |
// | 25 | terminate   | spec.terminate before any measurement                            | no provider use, run Successful `Run Terminated`, startedAt+completedAt                   |
// | 26 | terminate   | terminate() → Inconclusive / Failed                              | Inconclusive gets `Metric Terminated`; Failed keeps its message and fails the run         |
// | 27 | terminate   | metric a fails while b is in flight                               | same pass: b resumed, run Running; next pass: b terminated, run Failed                    |
// | 28 | dryRun      | dry metric fails, other succeeds                                 | run Successful, summaries split, dry message `Metric assessed Failed due to …`            |
// | 29 | dryRun      | dry metric failed earlier                                         | next pass still measures the others (no termination)                                      |
// | 30 | retention   | rule limit 2                                                     | garbageCollect(metric, 2) then newest 2 kept, counters untouched                         |
// | 31 | retention   | no rule / limit 0 ; exactly 10                                    | garbageCollect(metric, 10), 10 kept ; no GC at 10                                          |
// | 32 | retention   | provider unavailable for GC / GC error                           | trim skipped + warn / warn with the error                                                 |
// | 33 | completed   | completed run with broken args, no TTL                           | untouched: same status, no provider/secret use, no events, no requeue                     |
// | 34 | TTL         | secondsAfterSuccess 60                                            | kept at 60 s (requeue 1 s), 60.999 s (requeue 1 ms); deleted at 61 s                      |
// | 35 | TTL         | Failed / Error / Successful without secondsAfterSuccess / no completedAt | selection per §3.14                                                              |
// | 36 | TTL         | run completes in this pass with a TTL                            | requeue at completedAt (whole seconds) + TTL + 1 s                                        |
// | 37 | events      | three metrics complete in one pass                               | metric events in spec order, then the run event                                           |
// | 38 | §3.15       | worked example                                                   | S, F, F, F → Running; 4th F → run Failed with the exact message                          |
// | 39 | §3.15       | terminate after the first measurement                            | run Successful `Run Terminated`                                                           |
// | 40 | misc        | input run                                                        | not mutated                                                                               |
// | 41 | misc        | two tasks                                                        | run concurrently                                                                          |
// | 42 | misc        | provider context                                                 | run metadata, evaluate, now, signal passed through                                        |
// | 43 | early Error | missing secret but no task due (initialDelay / terminate)         | still Error: upstream reads secrets on every reconcile (currently FAILS, see report)     |
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type {
  AnalysisRun,
  AnalysisRunSpec,
  AnalysisRunStatus,
  Measurement,
  Metric,
  MetricResult,
} from '../../../src/api/analysis.ts';
import {
  reconcileAnalysisRun,
  type ProviderLookup,
  type ReconcileDeps,
  type ReconcileOutcome,
} from '../../../src/analysis/reconcile.ts';
import { evaluateResult } from '../../../src/analysis/measurement.ts';
import {
  evaluateWithoutConditions,
  type ConditionEvaluator,
  type Measurement as ProviderMeasurement,
  type MetricProvider,
  type ProviderContext,
  type StoredMeasurement,
} from '../../../src/analysis/providers/provider.ts';
import { at, measurements, metric, result, ts } from './helpers.ts';

// ---------------------------------------------------------------------------------------------
// Fakes

interface Call {
  op: 'run' | 'resume' | 'terminate' | 'garbageCollect' | 'getMetadata';
  metric: Metric;
  measurement?: StoredMeasurement;
  limit?: number;
  ctx?: ProviderContext;
}

type RunStep =
  | ProviderMeasurement
  | Error
  | ((metric: Metric, ctx: ProviderContext) => ProviderMeasurement | Promise<ProviderMeasurement>);

interface Script {
  /** What successive run() calls answer: a measurement, an Error to throw, or a function. */
  run?: RunStep[];
  resume?: (m: StoredMeasurement) => StoredMeasurement;
  terminate?: (m: StoredMeasurement) => StoredMeasurement;
  metadata?: (metric: Metric) => Record<string, string> | undefined;
  gcError?: Error;
}

type FakeProvider = MetricProvider & { calls: Call[] };

/** A scripted provider recording every call. resume/terminate default to "unchanged". */
function fake(script: Script = {}): FakeProvider {
  const calls: Call[] = [];
  const runs = [...(script.run ?? [])];
  const p: FakeProvider = {
    calls,
    type: () => 'fake',
    run(metric, ctx) {
      calls.push({ op: 'run', metric, ctx });
      const step = runs.shift();
      if (step === undefined) throw new Error(`unscripted run of ${metric.name}`);
      if (step instanceof Error) throw step;
      return Promise.resolve(typeof step === 'function' ? step(metric, ctx) : step);
    },
    resume(metric, measurement, ctx) {
      calls.push({ op: 'resume', metric, measurement, ctx });
      return Promise.resolve(script.resume ? script.resume(measurement) : measurement);
    },
    terminate(metric, measurement, ctx) {
      calls.push({ op: 'terminate', metric, measurement, ctx });
      return Promise.resolve(script.terminate ? script.terminate(measurement) : measurement);
    },
    garbageCollect(metric, limit, ctx) {
      calls.push({ op: 'garbageCollect', metric, limit, ctx });
      return Promise.resolve(script.gcError);
    },
  };
  const md = script.metadata;
  if (md) {
    p.getMetadata = (metric) => {
      calls.push({ op: 'getMetadata', metric });
      return md(metric);
    };
  }
  return p;
}

/** `op:metric` for each call, in order. */
const ops = (p: FakeProvider) => p.calls.map((c) => `${c.op}:${c.metric.name}`);

/** A completed measurement started and finished at `s`. */
function done(
  phase: ProviderMeasurement['phase'],
  s: number,
  over: Partial<ProviderMeasurement> = {},
): ProviderMeasurement {
  return { phase, startedAt: ts(s), finishedAt: ts(s), ...over };
}

interface Harness {
  deps: ReconcileDeps;
  /** Every metric the provider lookup was asked for. */
  lookups: Metric[];
  secretReads: string[];
  warnings: [string, Record<string, unknown>][];
}

function harness(
  nowS: number,
  opts: {
    provider?: MetricProvider | ProviderLookup;
    secrets?: Record<string, Record<string, string>> | ((name: string) => never);
    evaluate?: ConditionEvaluator;
    signal?: AbortSignal;
  } = {},
): Harness {
  const lookups: Metric[] = [];
  const secretReads: string[] = [];
  const warnings: [string, Record<string, unknown>][] = [];
  const provider = opts.provider ?? fake();
  const secrets = opts.secrets ?? {};
  const deps: ReconcileDeps = {
    providers: (m) => {
      lookups.push(m);
      return typeof provider === 'function' ? provider(m) : provider;
    },
    secrets: (name) => {
      secretReads.push(name);
      return typeof secrets === 'function' ? secrets(name) : secrets[name];
    },
    evaluate: opts.evaluate ?? evaluateWithoutConditions,
    now: () => at(nowS),
    warn: (message, meta) => warnings.push([message, meta]),
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
  return { deps, lookups, secretReads, warnings };
}

function mkRun(spec: AnalysisRunSpec, status?: AnalysisRunStatus): AnalysisRun {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: { name: 'run1', namespace: 'ns', uid: 'uid-1' },
    spec,
    ...(status ? { status } : {}),
  };
}

/** The run as the caller would persist it after `out`. */
function after(run: AnalysisRun, out: ReconcileOutcome): AnalysisRun {
  return out.status ? { ...run, status: out.status } : run;
}

async function reconcileAt(
  run: AnalysisRun,
  nowS: number,
  opts: Parameters<typeof harness>[1] = {},
): Promise<{ out: ReconcileOutcome; run: AnalysisRun; h: Harness }> {
  const h = harness(nowS, opts);
  const out = await reconcileAnalysisRun(run, h.deps);
  return { out, run: after(run, out), h };
}

const res = (run: AnalysisRun, name = 'm'): MetricResult | undefined =>
  run.status?.metricResults?.find((r) => r.name === name);

const ev = (type: 'Normal' | 'Warning', reason: string, message: string) => ({
  type,
  reason,
  message,
});
const runEvent = (phase: string) =>
  ev(
    phase === 'Error' || phase === 'Failed' ? 'Warning' : 'Normal',
    `AnalysisRun${phase}`,
    `Analysis Completed. Result: ${phase}`,
  );
const metricEvent = (name: string, phase: string) =>
  ev(
    phase === 'Error' || phase === 'Failed' ? 'Warning' : 'Normal',
    `Metric${phase}`,
    `Metric '${name}' Completed. Result: ${phase}`,
  );

/** Asserts an early Error exit (§3.2): message, event, no startedAt/completedAt, no requeue. */
function assertEarlyError(out: ReconcileOutcome, message: string, h: Harness): void {
  assert.equal(out.status?.phase, 'Error');
  assert.equal(out.status?.message, message);
  assert.equal(out.status?.startedAt, undefined);
  assert.equal(out.status?.completedAt, undefined);
  assert.deepEqual(out.events, [runEvent('Error')]);
  assert.equal(out.requeueAfterMs, undefined);
  assert.equal(out.delete, undefined);
  assert.equal(h.lookups.length, 0, 'no provider may be used');
}

// ---------------------------------------------------------------------------------------------
// First reconcile and scheduling (§3.5, §3.12)

test('1. first reconcile: startedAt = now, one measurement, Running, requeue after the interval', async () => {
  const p = fake({ run: [done('Successful', 0, { value: '1' })] });
  const run = mkRun({ metrics: [metric({ interval: '1m' })] });
  const { out, h } = await reconcileAt(run, 0, { provider: p });
  assert.deepEqual(ops(p), ['run:m']);
  assert.equal(h.lookups.length, 1);
  assert.deepEqual(out.status, {
    phase: 'Running',
    startedAt: ts(0),
    metricResults: [
      {
        name: 'm',
        phase: 'Running',
        measurements: [done('Successful', 0, { value: '1' })],
        count: 1,
        successful: 1,
        consecutiveSuccess: 1,
      },
    ],
    runSummary: { count: 1 },
    dryRunSummary: {},
  });
  assert.deepEqual(out.events, []);
  assert.equal(out.requeueAfterMs, 60_000);
  assert.equal(out.delete, undefined);
});

test('2. a single-measurement metric completes the run in the first pass', async () => {
  const p = fake({ run: [done('Successful', 0)] });
  const { out } = await reconcileAt(mkRun({ metrics: [metric()] }), 0, { provider: p });
  assert.equal(out.status?.phase, 'Successful');
  assert.equal(out.status?.message, undefined);
  assert.equal(out.status?.startedAt, ts(0));
  assert.equal(out.status?.completedAt, ts(0));
  assert.equal(out.status?.metricResults?.[0]?.phase, 'Successful');
  assert.deepEqual(out.status?.runSummary, { count: 1, successful: 1 });
  assert.deepEqual(out.events, [metricEvent('m', 'Successful'), runEvent('Successful')]);
  assert.equal(out.requeueAfterMs, undefined);
});

test('3. the next measurement is taken strictly after finishedAt + interval', async () => {
  const p0 = fake({ run: [done('Successful', 0)] });
  const first = await reconcileAt(mkRun({ metrics: [metric({ interval: '1m' })] }), 0, {
    provider: p0,
  });
  const stored = first.run;

  const p59 = fake();
  const s59 = await reconcileAt(stored, 59, { provider: p59 });
  assert.deepEqual(ops(p59), []);
  assert.equal(s59.h.lookups.length, 0);
  assert.equal(s59.out.requeueAfterMs, 1000);
  assert.deepEqual(s59.out.status, stored.status, 'nothing changed');
  assert.deepEqual(s59.out.events, []);

  const p60 = fake();
  const s60 = await reconcileAt(stored, 60, { provider: p60 });
  assert.deepEqual(ops(p60), []);
  assert.equal(s60.out.requeueAfterMs, 0);

  const p61 = fake({ run: [done('Successful', 61)] });
  const s61 = await reconcileAt(stored, 61, { provider: p61 });
  assert.deepEqual(ops(p61), ['run:m']);
  assert.equal(res(s61.run)?.measurements?.length, 2);
  assert.equal(res(s61.run)?.count, 2);
  assert.equal(s61.out.status?.startedAt, ts(0), 'startedAt is kept');
  assert.equal(s61.out.requeueAfterMs, 60_000);
});

test('4. count 2: the second measurement completes the metric; no third is taken', async () => {
  const spec = { metrics: [metric({ count: 2, interval: '1m' })] };
  let r = (await reconcileAt(mkRun(spec), 0, { provider: fake({ run: [done('Successful', 0)] }) }))
    .run;
  assert.equal(r.status?.phase, 'Running');
  const s2 = await reconcileAt(r, 61, { provider: fake({ run: [done('Successful', 61)] }) });
  r = s2.run;
  assert.equal(res(r)?.phase, 'Successful');
  assert.equal(r.status?.phase, 'Successful');
  assert.equal(r.status?.completedAt, ts(61));
  assert.equal(s2.out.requeueAfterMs, undefined);
  // Completed: nothing more is measured even long after.
  const p = fake();
  const s3 = await reconcileAt(r, 1000, { provider: p });
  assert.deepEqual(ops(p), []);
  assert.deepEqual(s3.out.status, r.status);
});

test('5. an Error measurement is retried after 10 s whatever the interval', async () => {
  const first = await reconcileAt(mkRun({ metrics: [metric({ interval: '5m' })] }), 0, {
    provider: fake({ run: [done('Error', 0, { message: 'timeout' })] }),
  });
  assert.equal(first.out.requeueAfterMs, 10_000);
  assert.equal(res(first.run)?.error, 1);
  assert.equal(res(first.run)?.consecutiveError, 1);
  assert.equal(res(first.run)?.count, undefined, 'errors do not consume count');
  assert.equal(first.run.status?.phase, 'Running');

  const p10 = fake();
  const s10 = await reconcileAt(first.run, 10, { provider: p10 });
  assert.deepEqual(ops(p10), []);
  assert.equal(s10.out.requeueAfterMs, 0);

  const p11 = fake({ run: [done('Successful', 11)] });
  const s11 = await reconcileAt(first.run, 11, { provider: p11 });
  assert.deepEqual(ops(p11), ['run:m']);
  assert.equal(res(s11.run)?.consecutiveError, undefined);
  assert.equal(s11.out.requeueAfterMs, 300_000);
});

test('6. initialDelay: nothing on the first pass (startedAt unset), then at startedAt + delay', async () => {
  const spec = { metrics: [metric({ initialDelay: '30s', interval: '1m' })] };
  const p0 = fake();
  const s0 = await reconcileAt(mkRun(spec), 0, { provider: p0 });
  assert.deepEqual(ops(p0), []);
  assert.deepEqual(s0.out.status, {
    phase: 'Running',
    startedAt: ts(0),
    metricResults: [],
    runSummary: { count: 1 },
    dryRunSummary: {},
  });
  assert.equal(s0.out.requeueAfterMs, 30_000);

  const p29 = fake();
  const s29 = await reconcileAt(s0.run, 29, { provider: p29 });
  assert.deepEqual(ops(p29), []);
  assert.equal(s29.out.requeueAfterMs, 1000);

  const p30 = fake({ run: [done('Successful', 30)] });
  const s30 = await reconcileAt(s0.run, 30, { provider: p30 });
  assert.deepEqual(ops(p30), ['run:m']);
  assert.equal(s30.out.requeueAfterMs, 60_000);
});

test('7. async measurement: requeue at resumeAt, resume() then, replaced in place', async () => {
  const spec = { metrics: [metric({ name: 'job' })] };
  const inFlight: ProviderMeasurement = { phase: 'Running', startedAt: ts(0), resumeAt: ts(15) };
  const s0 = await reconcileAt(mkRun(spec), 0, { provider: fake({ run: [inFlight] }) });
  assert.equal(s0.out.requeueAfterMs, 15_000);
  assert.deepEqual(res(s0.run, 'job')?.measurements, [inFlight]);
  assert.equal(res(s0.run, 'job')?.count, undefined);
  assert.equal(s0.run.status?.phase, 'Running');

  const p5 = fake();
  const s5 = await reconcileAt(s0.run, 5, { provider: p5 });
  assert.deepEqual(ops(p5), [], 'resumeAt is in the future');
  assert.equal(s5.out.requeueAfterMs, 10_000);

  // Still running at resumeAt: polled, new resumeAt.
  const still = fake({ resume: (m) => ({ ...m, resumeAt: ts(40) }) });
  const s15 = await reconcileAt(s0.run, 15, { provider: still });
  assert.deepEqual(ops(still), ['resume:job']);
  assert.deepEqual(still.calls[0]?.measurement, inFlight);
  assert.equal(res(s15.run, 'job')?.measurements?.length, 1);
  assert.equal(res(s15.run, 'job')?.measurements?.[0]?.resumeAt, ts(40));
  assert.equal(s15.out.requeueAfterMs, 25_000);

  // Completed without finishedAt: the controller stamps it.
  const fin = fake({ resume: (m) => ({ ...m, phase: 'Successful', value: '7' }) });
  const s40 = await reconcileAt(s15.run, 40, { provider: fin });
  assert.deepEqual(ops(fin), ['resume:job']);
  assert.deepEqual(res(s40.run, 'job')?.measurements, [
    { phase: 'Successful', startedAt: ts(0), resumeAt: ts(40), value: '7', finishedAt: ts(40) },
  ]);
  assert.equal(res(s40.run, 'job')?.count, 1);
  assert.equal(s40.run.status?.phase, 'Successful');
  assert.deepEqual(s40.out.events, [metricEvent('job', 'Successful'), runEvent('Successful')]);
});

test('8. requeue is the earliest of the metrics’ next times', async () => {
  const spec = {
    metrics: [
      metric({ name: 'slow', interval: '5m' }),
      metric({ name: 'fast', interval: '90s' }),
      metric({ name: 'late', initialDelay: '2m', interval: '1m' }),
    ],
  };
  const p = fake({ run: [done('Successful', 0), done('Successful', 0)] });
  const s = await reconcileAt(mkRun(spec), 0, { provider: p });
  assert.deepEqual(ops(p), ['run:slow', 'run:fast']);
  assert.equal(s.out.requeueAfterMs, 90_000);
  // Later, the initial delay of `late` is the earliest.
  const s2 = await reconcileAt(s.run, 100, {
    provider: fake({ run: [done('Successful', 100)] }),
  });
  assert.equal(s2.out.requeueAfterMs, 20_000);
});

test('9. count and interval taken from args drive scheduling and completion', async () => {
  const spec: AnalysisRunSpec = {
    args: [
      { name: 'n', value: '2' },
      { name: 'iv', value: '2m' },
    ],
    metrics: [metric({ count: '{{args.n}}', interval: '{{args.iv}}' })],
  };
  const p = fake({ run: [done('Successful', 0)] });
  const s0 = await reconcileAt(mkRun(spec), 0, { provider: p });
  assert.equal(p.calls[0]?.metric.count, '2');
  assert.equal(p.calls[0]?.metric.interval, '2m');
  assert.equal(s0.out.requeueAfterMs, 120_000);
  const p2 = fake();
  await reconcileAt(s0.run, 120, { provider: p2 });
  assert.deepEqual(ops(p2), []);
  const s121 = await reconcileAt(s0.run, 121, {
    provider: fake({ run: [done('Successful', 121)] }),
  });
  assert.equal(s121.run.status?.phase, 'Successful');
});

// ---------------------------------------------------------------------------------------------
// Early Error exits (§3.2)

test('10. an arg without a value (even unreferenced) ends the run Error before anything else', async () => {
  const run = mkRun({ args: [{ name: 'x' }], metrics: [metric()] });
  const { out, h } = await reconcileAt(run, 0);
  assertEarlyError(out, 'Unable to resolve metric arguments: argument "x" was not supplied', h);
  assert.deepEqual(out.status, {
    phase: 'Error',
    message: 'Unable to resolve metric arguments: argument "x" was not supplied',
    metricResults: [],
  });
});

test('11. an unknown tag: failed to resolve {{args.y}}', async () => {
  const m = metric({
    provider: { prometheus: { address: 'http://p:9090', query: 'up{job="{{args.y}}"}' } },
  });
  const { out, h } = await reconcileAt(
    mkRun({ args: [{ name: 'x', value: '1' }], metrics: [m] }),
    0,
  );
  assertEarlyError(out, 'Unable to resolve metric arguments: failed to resolve {{args.y}}', h);
});

test('12. invalid metrics after substitution: Analysis spec invalid: metrics[i]: …', async () => {
  // count "{{args.n}}" is 0 before substitution (valid) and 3 after (needs an interval).
  const a = await reconcileAt(
    mkRun({ args: [{ name: 'n', value: '3' }], metrics: [metric({ count: '{{args.n}}' })] }),
    0,
  );
  assertEarlyError(
    a.out,
    'Analysis spec invalid: metrics[0]: interval must be specified when count > 1',
    a.h,
  );
  const b = await reconcileAt(
    mkRun({ metrics: [metric({ name: 'a' }), metric({ name: 'a' })] }),
    0,
  );
  assertEarlyError(b.out, "Analysis spec invalid: metrics[1]: duplicate name 'a'", b.h);
});

test('13. a dryRun rule matching no metric', async () => {
  const a = await reconcileAt(mkRun({ dryRun: [{ metricName: '*' }], metrics: [metric()] }), 0);
  assertEarlyError(
    a.out,
    "Analysis spec invalid: dryRun[0]: Rule didn't match any metric name(s)",
    a.h,
  );
  const b = await reconcileAt(
    mkRun({ dryRun: [{ metricName: 'm' }, { metricName: 'nope' }], metrics: [metric()] }),
    0,
  );
  assertEarlyError(
    b.out,
    "Analysis spec invalid: dryRun[1]: Rule didn't match any metric name(s)",
    b.h,
  );
});

test('14. a measurementRetention rule matching no metric', async () => {
  const { out, h } = await reconcileAt(
    mkRun({ measurementRetention: [{ metricName: 'nope', limit: 5 }], metrics: [metric()] }),
    0,
  );
  assertEarlyError(
    out,
    "Analysis spec invalid: measurementRetention[0]: Rule didn't match any metric name(s)",
    h,
  );
});

test('15. unreadable secrets: not found, missing key, lookup error', async () => {
  const spec: AnalysisRunSpec = {
    args: [{ name: 'token', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
    metrics: [metric()],
  };
  const a = await reconcileAt(mkRun(spec), 0, { secrets: {} });
  assertEarlyError(a.out, 'Unable to resolve metric arguments: secrets "s" not found', a.h);
  assert.deepEqual(a.h.secretReads, ['s']);
  const b = await reconcileAt(mkRun(spec), 0, { secrets: { s: { other: 'v' } } });
  assertEarlyError(
    b.out,
    "Unable to resolve metric arguments: key 'k' does not exist in secret 's'",
    b.h,
  );
  const c = await reconcileAt(mkRun(spec), 0, {
    secrets: () => {
      throw new Error('secrets "s" is forbidden');
    },
  });
  assertEarlyError(c.out, 'Unable to resolve metric arguments: secrets "s" is forbidden', c.h);
});

test('16. a secret that disappears mid-run: Error, results and startedAt kept', async () => {
  const stored: AnalysisRunStatus = {
    phase: 'Running',
    startedAt: ts(0),
    metricResults: [result('S')],
    runSummary: { count: 1 },
    dryRunSummary: {},
  };
  const spec: AnalysisRunSpec = {
    args: [{ name: 'token', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
    metrics: [metric({ interval: '1m' })],
  };
  const { out, h } = await reconcileAt(mkRun(spec, stored), 61, { secrets: {} });
  assert.deepEqual(out.status, {
    ...stored,
    phase: 'Error',
    message: 'Unable to resolve metric arguments: secrets "s" not found',
  });
  assert.deepEqual(out.events, [runEvent('Error')]);
  assert.equal(h.lookups.length, 0);
});

// ---------------------------------------------------------------------------------------------
// Secrets (§3.3, §3.6)

const SECRET = 'hunter2';
const secretSpec = (over: Partial<Metric> = {}): AnalysisRunSpec => ({
  args: [
    { name: 'token', value: 'plain', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
    { name: 'job', value: 'api' },
  ],
  metrics: [
    metric({
      provider: {
        prometheus: {
          address: 'http://p:9090',
          query: 'up{job="{{args.job}}",token="{{args.token}}"}',
        },
      },
      ...over,
    }),
  ],
});
const queryOf = (m: Metric | undefined) => m?.provider.prometheus?.query;

test('17. providers receive the secret value (it wins over value), never temp-for-secret', async () => {
  const p = fake({
    run: [done('Successful', 0)],
    metadata: (m) => ({ ResolvedPrometheusQuery: queryOf(m) ?? '' }),
  });
  const { h } = await reconcileAt(mkRun(secretSpec()), 0, {
    provider: p,
    secrets: { s: { k: SECRET } },
  });
  assert.deepEqual(h.secretReads, ['s']);
  assert.deepEqual(ops(p), ['run:m', 'getMetadata:m']);
  const expected = `up{job="api",token="${SECRET}"}`;
  assert.equal(queryOf(p.calls[0]?.metric), expected);
  assert.equal(queryOf(p.calls[1]?.metric), expected);
  assert.equal(h.lookups.length, 1);
  assert.equal(queryOf(h.lookups[0]), expected);
  for (const m of [...p.calls.map((c) => c.metric), ...h.lookups]) {
    assert.doesNotMatch(JSON.stringify(m), /temp-for-secret|plain/);
  }
});

test('18. secret values are redacted as ***** in messages and result metadata', async () => {
  const p = fake({
    run: [(m) => done('Error', 0, { message: `401 for ${queryOf(m)} (token ${SECRET})` })],
    metadata: (m) => ({ ResolvedPrometheusQuery: queryOf(m) ?? '', plain: 'x' }),
  });
  const { run } = await reconcileAt(mkRun(secretSpec({ interval: '1m' })), 0, {
    provider: p,
    secrets: { s: { k: SECRET } },
  });
  const r = res(run);
  assert.equal(r?.measurements?.[0]?.message, '401 for up{job="api",token="*****"} (token *****)');
  assert.deepEqual(r?.metadata, {
    ResolvedPrometheusQuery: 'up{job="api",token="*****"}',
    plain: 'x',
  });
  assert.doesNotMatch(JSON.stringify(run.status), new RegExp(SECRET));

  // A provider-lookup error text is redacted too.
  const { run: run2 } = await reconcileAt(mkRun(secretSpec()), 0, {
    provider: (m) => `bad query ${queryOf(m)}`,
    secrets: { s: { k: SECRET } },
  });
  assert.equal(res(run2)?.measurements?.[0]?.message, 'bad query up{job="api",token="*****"}');
});

test('19. resume and terminate tasks get the secret-resolved metric too', async () => {
  const inFlight = { phase: 'Running', startedAt: ts(0) };
  const stored: AnalysisRunStatus = {
    phase: 'Running',
    startedAt: ts(0),
    metricResults: [{ name: 'm', phase: 'Running', measurements: [inFlight] }],
  };
  const expected = `up{job="api",token="${SECRET}"}`;
  const p = fake();
  await reconcileAt(mkRun(secretSpec(), stored), 5, { provider: p, secrets: { s: { k: SECRET } } });
  assert.deepEqual(ops(p), ['resume:m']);
  assert.equal(queryOf(p.calls[0]?.metric), expected);

  const t = fake({ terminate: (m) => ({ ...m, phase: 'Successful' }) });
  await reconcileAt(mkRun({ ...secretSpec(), terminate: true }, stored), 5, {
    provider: t,
    secrets: { s: { k: SECRET } },
  });
  assert.deepEqual(ops(t), ['terminate:m']);
  assert.equal(queryOf(t.calls[0]?.metric), expected);
});

// ---------------------------------------------------------------------------------------------
// Provider failures (§3.6 step 2)

test('20. provider lookup error text → Error measurement started and finished now', async () => {
  const { out, run } = await reconcileAt(mkRun({ metrics: [metric({ interval: '1m' })] }), 7, {
    provider: () => 'the datadog metric provider is not supported',
  });
  assert.deepEqual(res(run), {
    name: 'm',
    phase: 'Running',
    measurements: [
      {
        phase: 'Error',
        message: 'the datadog metric provider is not supported',
        startedAt: ts(7),
        finishedAt: ts(7),
      },
    ],
    error: 1,
    consecutiveError: 1,
  });
  assert.equal(run.status?.phase, 'Running');
  assert.equal(out.requeueAfterMs, 10_000);
});

test('21. a provider that throws or rejects → Error measurement with the message', async () => {
  const spec = {
    metrics: [metric({ name: 'sync' }), metric({ name: 'async' }), metric({ name: 'str' })],
  };
  const lookup: ProviderLookup = (m) =>
    m.name === 'sync'
      ? fake({ run: [new Error('boom')] })
      : m.name === 'async'
        ? fake({ run: [() => Promise.reject(new Error('async boom'))] })
        : fake({
            run: [
              () => {
                // eslint-disable-next-line @typescript-eslint/only-throw-error
                throw 'plain string';
              },
            ],
          });
  const { run } = await reconcileAt(mkRun(spec), 3, { provider: lookup });
  for (const [name, msg] of [
    ['sync', 'boom'],
    ['async', 'async boom'],
    ['str', 'plain string'],
  ] as const) {
    assert.deepEqual(res(run, name)?.measurements, [
      { phase: 'Error', message: msg, startedAt: ts(3), finishedAt: ts(3) },
    ]);
    assert.equal(res(run, name)?.error, 1);
  }
  assert.equal(run.status?.phase, 'Running');
});

test('22. lookup error while resuming: the in-flight measurement is reused and finished', async () => {
  const inFlight: Measurement = {
    phase: 'Running',
    startedAt: ts(0),
    metadata: { 'job-name': 'j1' },
  };
  const stored: AnalysisRunStatus = {
    phase: 'Running',
    startedAt: ts(0),
    metricResults: [{ name: 'm', phase: 'Running', measurements: [inFlight] }],
  };
  const { run } = await reconcileAt(mkRun({ metrics: [metric()] }, stored), 5, {
    provider: () => 'bad config',
  });
  assert.deepEqual(res(run)?.measurements, [
    {
      phase: 'Error',
      message: 'bad config',
      startedAt: ts(0),
      metadata: { 'job-name': 'j1' },
      finishedAt: ts(5),
    },
  ]);
});

test('23. the 5th consecutive error ends metric and run in Error with the limit message', async () => {
  const stored: AnalysisRunStatus = {
    phase: 'Running',
    startedAt: ts(0),
    metricResults: [result('EEEE')],
  };
  const { out, run } = await reconcileAt(
    mkRun({ metrics: [metric({ interval: '1m' })] }, stored),
    300,
    { provider: fake({ run: [done('Error', 300, { message: 'connection refused' })] }) },
  );
  assert.equal(res(run)?.consecutiveError, 5);
  assert.equal(res(run)?.phase, 'Error');
  assert.equal(res(run)?.message, 'connection refused');
  assert.equal(run.status?.phase, 'Error');
  assert.equal(
    run.status?.message,
    'Metric "m" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): "Error Message: connection refused"',
  );
  assert.equal(run.status?.completedAt, ts(300));
  assert.equal(run.status?.startedAt, ts(0));
  assert.deepEqual(run.status?.runSummary, { count: 1, error: 1 });
  assert.deepEqual(out.events, [metricEvent('m', 'Error'), runEvent('Error')]);
  assert.equal(out.requeueAfterMs, undefined);
});

// ---------------------------------------------------------------------------------------------
// Termination (§3.10)

test('24. spec.terminate: the in-flight measurement is terminated, run Successful "Run Terminated"', async () => {
  const inFlight = { phase: 'Running', startedAt: ts(60), resumeAt: ts(1000) };
  const stored: AnalysisRunStatus = {
    phase: 'Running',
    startedAt: ts(0),
    metricResults: [
      {
        ...result('S'),
        measurements: [...measurements('S'), inFlight],
      },
    ],
  };
  const p = fake({ terminate: (m) => ({ ...m, phase: 'Successful', message: 'job deleted' }) });
  const { out, run } = await reconcileAt(
    mkRun({ terminate: true, metrics: [metric({ interval: '1m' })] }, stored),
    100,
    { provider: p },
  );
  assert.deepEqual(ops(p), ['terminate:m'], 'terminated even though resumeAt is in the future');
  assert.deepEqual(p.calls[0]?.measurement, inFlight);
  assert.deepEqual(res(run)?.measurements?.[1], {
    phase: 'Successful',
    startedAt: ts(60),
    resumeAt: ts(1000),
    message: 'Metric Terminated',
    finishedAt: ts(100),
  });
  assert.equal(res(run)?.measurements?.length, 2);
  assert.equal(res(run)?.count, 2);
  assert.equal(res(run)?.phase, 'Successful');
  assert.equal(res(run)?.message, 'Metric Terminated');
  assert.equal(run.status?.phase, 'Successful');
  assert.equal(run.status?.message, 'Run Terminated');
  assert.equal(run.status?.completedAt, ts(100));
  assert.deepEqual(out.events, [metricEvent('m', 'Successful'), runEvent('Successful')]);
});

test('25. spec.terminate before any measurement: Successful "Run Terminated", no provider', async () => {
  const { out, h } = await reconcileAt(
    mkRun({ terminate: true, metrics: [metric({ interval: '1m' })] }),
    0,
  );
  assert.equal(h.lookups.length, 0);
  assert.deepEqual(out.status, {
    phase: 'Successful',
    message: 'Run Terminated',
    startedAt: ts(0),
    completedAt: ts(0),
    metricResults: [],
    runSummary: { count: 1 },
    dryRunSummary: {},
  });
  assert.deepEqual(out.events, [runEvent('Successful')]);
  assert.equal(out.requeueAfterMs, undefined);
});

test('26. terminate(): Inconclusive gets "Metric Terminated"; Failed keeps its message', async () => {
  const inFlight = { phase: 'Running', startedAt: ts(0) };
  const stored: AnalysisRunStatus = {
    phase: 'Running',
    startedAt: ts(0),
    metricResults: [
      { name: 'a', phase: 'Running', measurements: [inFlight] },
      { name: 'b', phase: 'Running', measurements: [inFlight] },
    ],
  };
  const pa = fake({ terminate: (m) => ({ ...m, phase: 'Inconclusive', message: 'deleted' }) });
  const pb = fake({ terminate: (m) => ({ ...m, phase: 'Failed', message: 'job failed' }) });
  const spec: AnalysisRunSpec = {
    terminate: true,
    metrics: [
      metric({ name: 'a', interval: '1m', inconclusiveLimit: 1 }),
      metric({ name: 'b', interval: '1m' }),
    ],
  };
  const { out, run } = await reconcileAt(mkRun(spec, stored), 9, {
    provider: (m) => (m.name === 'a' ? pa : pb),
  });
  assert.deepEqual([...ops(pa), ...ops(pb)], ['terminate:a', 'terminate:b']);
  assert.equal(res(run, 'a')?.measurements?.[0]?.message, 'Metric Terminated');
  assert.equal(res(run, 'a')?.inconclusive, 1);
  assert.equal(res(run, 'a')?.phase, 'Successful');
  assert.equal(res(run, 'b')?.measurements?.[0]?.message, 'job failed');
  assert.equal(res(run, 'b')?.phase, 'Failed');
  assert.equal(run.status?.phase, 'Failed');
  assert.equal(
    run.status?.message,
    'Metric "b" assessed Failed due to failed (1) > failureLimit (0): "Error Message: job failed"',
  );
  assert.deepEqual(out.events, [
    metricEvent('a', 'Successful'),
    metricEvent('b', 'Failed'),
    runEvent('Failed'),
  ]);
});

test('27. a failing metric terminates its siblings on the NEXT pass (§3.9)', async () => {
  const inFlight = { phase: 'Running', startedAt: ts(0) };
  const stored: AnalysisRunStatus = {
    phase: 'Running',
    startedAt: ts(0),
    metricResults: [
      result('S', {}, 'a'),
      { name: 'b', phase: 'Running', measurements: [inFlight] },
    ],
  };
  const spec: AnalysisRunSpec = {
    metrics: [metric({ name: 'a', interval: '1m' }), metric({ name: 'b', interval: '1m' })],
  };
  const p1 = fake({ run: [done('Failed', 61)] });
  const pass1 = await reconcileAt(mkRun(spec, stored), 61, { provider: p1 });
  assert.deepEqual(ops(p1), ['run:a', 'resume:b'], 'same pass: b is resumed, not terminated');
  assert.equal(res(pass1.run, 'a')?.phase, 'Failed');
  assert.equal(res(pass1.run, 'b')?.phase, 'Running');
  assert.equal(pass1.run.status?.phase, 'Running');
  assert.equal(pass1.run.status?.message, undefined);
  assert.equal(pass1.run.status?.completedAt, undefined);
  assert.deepEqual(pass1.out.events, [metricEvent('a', 'Failed')]);

  const p2 = fake({ terminate: (m) => ({ ...m, phase: 'Successful' }) });
  const pass2 = await reconcileAt(pass1.run, 62, { provider: p2 });
  assert.deepEqual(ops(p2), ['terminate:b']);
  assert.equal(res(pass2.run, 'b')?.measurements?.[0]?.message, 'Metric Terminated');
  assert.equal(res(pass2.run, 'b')?.phase, 'Successful');
  assert.equal(pass2.run.status?.phase, 'Failed');
  assert.equal(
    pass2.run.status?.message,
    'Metric "a" assessed Failed due to failed (1) > failureLimit (0)',
  );
  assert.equal(pass2.run.status?.completedAt, ts(62));
  assert.deepEqual(pass2.run.status?.runSummary, { count: 2, successful: 1, failed: 1 });
  assert.deepEqual(pass2.out.events, [metricEvent('b', 'Successful'), runEvent('Failed')]);
});

// ---------------------------------------------------------------------------------------------
// Dry run (§3.4, §3.9)

test('28. a failing dry-run metric does not decide the run', async () => {
  const spec: AnalysisRunSpec = {
    dryRun: [{ metricName: 'dry' }],
    metrics: [metric({ name: 'dry' }), metric({ name: 'real' })],
  };
  const { out, run } = await reconcileAt(mkRun(spec), 0, {
    provider: (m) =>
      m.name === 'dry'
        ? fake({ run: [done('Failed', 0, { message: 'too slow' })] })
        : fake({ run: [done('Successful', 0)] }),
  });
  assert.equal(res(run, 'dry')?.dryRun, true);
  assert.equal(res(run, 'real')?.dryRun, undefined);
  assert.equal(res(run, 'dry')?.phase, 'Failed');
  assert.equal(
    res(run, 'dry')?.message,
    'Metric assessed Failed due to failed (1) > failureLimit (0)',
  );
  assert.equal(run.status?.phase, 'Successful');
  assert.equal(run.status?.message, undefined);
  assert.deepEqual(run.status?.runSummary, { count: 1, successful: 1 });
  assert.deepEqual(run.status?.dryRunSummary, { count: 1, failed: 1 });
  assert.deepEqual(out.events, [
    metricEvent('dry', 'Failed'),
    metricEvent('real', 'Successful'),
    runEvent('Successful'),
  ]);
});

test('29. a failed dry-run metric does not terminate the others', async () => {
  const spec: AnalysisRunSpec = {
    dryRun: [{ metricName: '^d' }],
    metrics: [metric({ name: 'dry', interval: '1m' }), metric({ name: 'real', interval: '1m' })],
  };
  const pass1 = await reconcileAt(mkRun(spec), 0, {
    provider: (m) => fake({ run: [done(m.name === 'dry' ? 'Failed' : 'Successful', 0)] }),
  });
  assert.equal(res(pass1.run, 'dry')?.phase, 'Failed');
  const p = fake({ run: [done('Successful', 61)] });
  const pass2 = await reconcileAt(pass1.run, 61, { provider: p });
  assert.deepEqual(ops(p), ['run:real']);
  assert.equal(pass2.run.status?.phase, 'Running');
  assert.equal(res(pass2.run, 'real')?.phase, 'Running');
});

// ---------------------------------------------------------------------------------------------
// Measurement retention (§3.11)

test('30. a retention rule: garbageCollect(metric, limit), then the newest `limit` kept', async () => {
  const stored: AnalysisRunStatus = {
    phase: 'Running',
    startedAt: ts(0),
    metricResults: [result('SS')],
  };
  const p = fake({ run: [done('Successful', 121)] });
  const { run, h } = await reconcileAt(
    mkRun(
      {
        measurementRetention: [{ metricName: '.*', limit: 2 }],
        metrics: [metric({ interval: '1m' })],
      },
      stored,
    ),
    121,
    { provider: p },
  );
  assert.deepEqual(ops(p), ['run:m', 'garbageCollect:m']);
  assert.equal(p.calls[1]?.limit, 2);
  assert.equal(p.calls[1]?.ctx?.run.metadata.uid, 'uid-1');
  assert.deepEqual(
    res(run)?.measurements?.map((m) => m.finishedAt),
    [ts(60), ts(121)],
  );
  assert.equal(res(run)?.count, 3, 'counters are not trimmed');
  assert.equal(res(run)?.successful, 3);
  assert.deepEqual(h.warnings, []);
});

test('31. default retention 10 (also for limit 0); no garbage collection at exactly 10', async () => {
  const spec = (limit?: number): AnalysisRunSpec => ({
    ...(limit !== undefined ? { measurementRetention: [{ metricName: 'm', limit }] } : {}),
    metrics: [metric({ interval: '1m' })],
  });
  for (const limit of [undefined, 0]) {
    const stored: AnalysisRunStatus = {
      phase: 'Running',
      startedAt: ts(0),
      metricResults: [result('S'.repeat(10))],
    };
    const p = fake({ run: [done('Successful', 1000)] });
    const { run } = await reconcileAt(mkRun(spec(limit), stored), 1000, { provider: p });
    assert.deepEqual(ops(p), ['run:m', 'garbageCollect:m']);
    assert.equal(p.calls[1]?.limit, 10);
    assert.equal(res(run)?.measurements?.length, 10);
    assert.equal(res(run)?.measurements?.[0]?.startedAt, ts(60), 'the oldest is dropped');
    assert.equal(res(run)?.measurements?.[9]?.finishedAt, ts(1000));
    assert.equal(res(run)?.count, 11);
  }
  const stored9: AnalysisRunStatus = {
    phase: 'Running',
    startedAt: ts(0),
    metricResults: [result('S'.repeat(9))],
  };
  const p = fake({ run: [done('Successful', 1000)] });
  const { run } = await reconcileAt(mkRun(spec(), stored9), 1000, { provider: p });
  assert.deepEqual(ops(p), ['run:m']);
  assert.equal(res(run)?.measurements?.length, 10);
});

test('32. garbage collection problems: no provider ⇒ trim skipped; GC error ⇒ warned', async () => {
  const stored: AnalysisRunStatus = {
    phase: 'Running',
    startedAt: ts(0),
    metricResults: [result('S'.repeat(10))],
  };
  const spec: AnalysisRunSpec = { metrics: [metric({ interval: '1m' })] };
  const p = fake({ run: [done('Successful', 1000)] });
  let n = 0;
  const a = await reconcileAt(mkRun(spec, stored), 1000, {
    provider: () => (n++ === 0 ? p : 'provider gone'),
  });
  assert.deepEqual(ops(p), ['run:m']);
  assert.equal(res(a.run)?.measurements?.length, 11, 'not trimmed');
  assert.deepEqual(a.h.warnings, [
    ['cannot trim measurements', { metric: 'm', error: 'provider gone' }],
  ]);

  const q = fake({ run: [done('Successful', 1000)], gcError: new Error('jobs is forbidden') });
  const b = await reconcileAt(mkRun(spec, stored), 1000, { provider: q });
  assert.deepEqual(ops(q), ['run:m', 'garbageCollect:m']);
  assert.deepEqual(b.h.warnings, [
    ['measurement garbage collection failed', { error: 'jobs is forbidden' }],
  ]);
});

// ---------------------------------------------------------------------------------------------
// Completed runs and TTL (§3.1, §3.14)

test('33. a completed run is left alone (no args, secrets, providers, events or requeue)', async () => {
  for (const phase of ['Successful', 'Failed', 'Error', 'Inconclusive']) {
    const status: AnalysisRunStatus = {
      phase,
      message: 'whatever',
      startedAt: ts(0),
      completedAt: ts(10),
      metricResults: [{ ...result('R'), phase: 'Running' }],
    };
    // Args that would fail, a secret that is missing, an in-flight measurement, terminate.
    const run = mkRun(
      {
        terminate: true,
        args: [
          { name: 'x' },
          { name: 's', valueFrom: { secretKeyRef: { name: 'missing', key: 'k' } } },
        ],
        metrics: [metric({ interval: '1m' })],
      },
      status,
    );
    const { out, h } = await reconcileAt(run, 5000);
    assert.equal(out.status, run.status, `${phase}: the stored status itself`);
    assert.deepEqual(out.status, status);
    assert.deepEqual(out.events, []);
    assert.equal(out.requeueAfterMs, undefined);
    assert.equal(out.delete, undefined);
    assert.equal(h.lookups.length, 0);
    assert.deepEqual(h.secretReads, []);
  }
});

const completed = (
  phase: string,
  ttlStrategy: AnalysisRunSpec['ttlStrategy'],
  completedAt = ts(0),
) =>
  mkRun(
    { metrics: [metric()], ...(ttlStrategy ? { ttlStrategy } : {}) },
    { phase, startedAt: ts(0), ...(completedAt ? { completedAt } : {}) },
  );

test('34. TTL: deleted only when whole elapsed seconds exceed it, otherwise requeued at expiry', async () => {
  const run = completed('Successful', { secondsAfterSuccess: 60 });
  const s60 = await reconcileAt(run, 60);
  assert.equal(s60.out.delete, undefined);
  assert.equal(s60.out.requeueAfterMs, 1000);
  assert.deepEqual(s60.out.events, []);
  const s60999 = await reconcileAt(run, 60.999);
  assert.equal(s60999.out.delete, undefined);
  assert.equal(s60999.out.requeueAfterMs, 1);
  const s61 = await reconcileAt(run, 61);
  assert.equal(s61.out.delete, true);
  assert.equal(s61.out.requeueAfterMs, undefined);
  assert.equal(s61.h.lookups.length, 0);
  const s10 = await reconcileAt(run, 10);
  assert.equal(s10.out.requeueAfterMs, 51_000);
});

test('35. TTL selection by phase', async () => {
  const all = { secondsAfterSuccess: 5, secondsAfterFailure: 30, secondsAfterCompletion: 100 };
  // Failed → secondsAfterFailure.
  assert.equal((await reconcileAt(completed('Failed', all), 31)).out.delete, true);
  assert.equal((await reconcileAt(completed('Failed', all), 30)).out.requeueAfterMs, 1000);
  // Error and Inconclusive → secondsAfterCompletion only.
  for (const phase of ['Error', 'Inconclusive']) {
    const s31 = await reconcileAt(completed(phase, all), 31);
    assert.equal(s31.out.delete, undefined, phase);
    assert.equal(s31.out.requeueAfterMs, 70_000, phase);
    assert.equal((await reconcileAt(completed(phase, all), 101)).out.delete, true, phase);
  }
  // Successful without secondsAfterSuccess → secondsAfterCompletion.
  const noSuccess = { secondsAfterFailure: 30, secondsAfterCompletion: 100 };
  assert.equal((await reconcileAt(completed('Successful', noSuccess), 31)).out.delete, undefined);
  assert.equal((await reconcileAt(completed('Successful', noSuccess), 101)).out.delete, true);
  // Failed with only secondsAfterSuccess: no TTL at all.
  const onlySuccess = await reconcileAt(completed('Failed', { secondsAfterSuccess: 5 }), 1e6);
  assert.equal(onlySuccess.out.delete, undefined);
  assert.equal(onlySuccess.out.requeueAfterMs, undefined);
  // No completedAt (early Error exit): never deleted.
  const early = await reconcileAt(completed('Error', all, ''), 1e6);
  assert.equal(early.out.delete, undefined);
  assert.equal(early.out.requeueAfterMs, undefined);
});

test('36. a run completing in this pass is requeued for its TTL expiry', async () => {
  const spec: AnalysisRunSpec = {
    metrics: [metric()],
    ttlStrategy: { secondsAfterCompletion: 3600 },
  };
  const { out } = await reconcileAt(mkRun(spec), 0.5, {
    provider: fake({ run: [done('Successful', 0)] }),
  });
  assert.equal(out.status?.phase, 'Successful');
  assert.equal(out.status?.completedAt, ts(0), 'whole seconds');
  assert.equal(out.delete, undefined);
  assert.equal(out.requeueAfterMs, 3_601_000 - 500);
});

// ---------------------------------------------------------------------------------------------
// Events (§2.5)

test('37. events: metric completions in spec order, then the run completion', async () => {
  const spec: AnalysisRunSpec = {
    metrics: [metric({ name: 'zeta' }), metric({ name: 'alpha' }), metric({ name: 'mid' })],
  };
  const { out, run } = await reconcileAt(mkRun(spec), 0, {
    provider: (m) => fake({ run: [done(m.name === 'alpha' ? 'Inconclusive' : 'Successful', 0)] }),
  });
  assert.deepEqual(out.events, [
    {
      type: 'Normal',
      reason: 'MetricSuccessful',
      message: "Metric 'zeta' Completed. Result: Successful",
    },
    {
      type: 'Normal',
      reason: 'MetricInconclusive',
      message: "Metric 'alpha' Completed. Result: Inconclusive",
    },
    {
      type: 'Normal',
      reason: 'MetricSuccessful',
      message: "Metric 'mid' Completed. Result: Successful",
    },
    {
      type: 'Normal',
      reason: 'AnalysisRunInconclusive',
      message: 'Analysis Completed. Result: Inconclusive',
    },
  ]);
  assert.equal(run.status?.phase, 'Inconclusive');
  assert.equal(
    run.status?.message,
    'Metric "alpha" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)',
  );
  assert.deepEqual(run.status?.runSummary, { count: 3, successful: 2, inconclusive: 1 });
  // No event again once completed.
  const again = await reconcileAt(run, 10);
  assert.deepEqual(again.out.events, []);
});

// ---------------------------------------------------------------------------------------------
// §3.15 worked example

/** Only the condition of the example. */
const exampleEvaluate: ConditionEvaluator = (r, m) =>
  evaluateResult(m, r, (cond, value) => {
    assert.equal(cond, 'result[0] >= 0.95');
    return ((value as number[])[0] ?? 0) >= 0.95;
  });

/** A Prometheus-like provider answering `value` and deciding the phase via ctx.evaluate. */
function prom(value: number, s: number): FakeProvider {
  return fake({
    run: [
      (m, ctx) => {
        const o = ctx.evaluate([value], m);
        return done(o.phase, s, {
          value: `[${value}]`,
          ...(o.message ? { message: o.message } : {}),
        });
      },
    ],
  });
}

const example = mkRun({
  args: [{ name: 'service-name', value: 'guestbook-svc' }],
  metrics: [
    {
      name: 'success-rate',
      interval: '5m',
      successCondition: 'result[0] >= 0.95',
      failureLimit: 3,
      provider: {
        prometheus: {
          address: 'http://prometheus:9090',
          query: 'sum(rate(requests{service="{{args.service-name}}",code!~"5.."}[5m]))',
        },
      },
    },
  ],
});

test('38. §3.15: S, F, F, F keep the run Running; the 4th failure fails it', async () => {
  const p0 = prom(0.97, 0);
  let s = await reconcileAt(example, 0, { provider: p0, evaluate: exampleEvaluate });
  assert.equal(
    queryOf(p0.calls[0]?.metric),
    'sum(rate(requests{service="guestbook-svc",code!~"5.."}[5m]))',
  );
  assert.equal(s.run.status?.startedAt, ts(0));
  assert.equal(s.run.status?.phase, 'Running');
  assert.equal(res(s.run, 'success-rate')?.phase, 'Running');
  assert.equal(s.out.requeueAfterMs, 300_000);

  const idle = fake();
  const at300 = await reconcileAt(s.run, 300, { provider: idle, evaluate: exampleEvaluate });
  assert.deepEqual(ops(idle), []);

  let t = 301;
  for (const [i, v] of [0.9, 0.8, 0.85].entries()) {
    s = await reconcileAt(s.run, t, { provider: prom(v, t), evaluate: exampleEvaluate });
    assert.equal(res(s.run, 'success-rate')?.failed, i + 1);
    assert.equal(res(s.run, 'success-rate')?.phase, 'Running');
    assert.equal(s.run.status?.phase, 'Running');
    assert.equal(s.out.requeueAfterMs, 300_000);
    assert.deepEqual(s.out.events, []);
    t += 301;
  }
  assert.equal(at300.out.requeueAfterMs, 0);

  s = await reconcileAt(s.run, t, { provider: prom(0.5, t), evaluate: exampleEvaluate });
  const r = res(s.run, 'success-rate');
  assert.deepEqual(
    r?.measurements?.map((m) => [m.phase, m.value]),
    [
      ['Successful', '[0.97]'],
      ['Failed', '[0.9]'],
      ['Failed', '[0.8]'],
      ['Failed', '[0.85]'],
      ['Failed', '[0.5]'],
    ],
  );
  assert.equal(r?.phase, 'Failed');
  assert.equal(s.run.status?.phase, 'Failed');
  assert.equal(
    s.run.status?.message,
    'Metric "success-rate" assessed Failed due to failed (4) > failureLimit (3)',
  );
  assert.equal(s.run.status?.completedAt, ts(t));
  assert.deepEqual(s.out.events, [metricEvent('success-rate', 'Failed'), runEvent('Failed')]);
  assert.equal(s.out.requeueAfterMs, undefined);
});

test('39. §3.15: terminate after the first measurement → Successful "Run Terminated"', async () => {
  const s0 = await reconcileAt(example, 0, { provider: prom(0.97, 0), evaluate: exampleEvaluate });
  const terminated = { ...s0.run, spec: { ...s0.run.spec, terminate: true } };
  const p = fake();
  const s = await reconcileAt(terminated, 10, { provider: p, evaluate: exampleEvaluate });
  assert.deepEqual(ops(p), []);
  assert.equal(res(s.run, 'success-rate')?.phase, 'Successful');
  assert.equal(s.run.status?.phase, 'Successful');
  assert.equal(s.run.status?.message, 'Run Terminated');
  assert.equal(s.run.status?.completedAt, ts(10));
  assert.deepEqual(s.out.events, [
    metricEvent('success-rate', 'Successful'),
    runEvent('Successful'),
  ]);
});

// ---------------------------------------------------------------------------------------------
// Miscellaneous

test('40. the input run is not modified', async () => {
  const run = mkRun(
    {
      measurementRetention: [{ metricName: 'm', limit: 2 }],
      metrics: [metric({ interval: '1m' }), metric({ name: 'n' })],
    },
    {
      phase: 'Running',
      startedAt: ts(0),
      metricResults: [result('SS'), result('R', {}, 'n')],
    },
  );
  const before = structuredClone(run);
  await reconcileAt(run, 500, {
    provider: fake({
      run: [done('Successful', 500)],
      resume: (m) => ({ ...m, phase: 'Successful' }),
    }),
  });
  assert.deepEqual(run, before);
});

test('41. measurements of different metrics run concurrently', async () => {
  let releaseA!: () => void;
  const bStarted = new Promise<void>((resolve) => (releaseA = resolve));
  const a = fake({
    run: [
      async () => {
        const timeout = new Promise<'timeout'>((resolve) =>
          setTimeout(() => resolve('timeout'), 2000),
        );
        const w = await Promise.race([bStarted.then(() => 'ok' as const), timeout]);
        return done(
          w === 'ok' ? 'Successful' : 'Error',
          0,
          w === 'ok' ? {} : { message: 'sequential' },
        );
      },
    ],
  });
  const b = fake({
    run: [
      () => {
        releaseA();
        return done('Successful', 0);
      },
    ],
  });
  const { run } = await reconcileAt(
    mkRun({ metrics: [metric({ name: 'a' }), metric({ name: 'b' })] }),
    0,
    { provider: (m) => (m.name === 'a' ? a : b) },
  );
  assert.equal(res(run, 'a')?.measurements?.[0]?.message, undefined);
  assert.equal(res(run, 'a')?.phase, 'Successful');
  assert.equal(run.status?.phase, 'Successful');
});

test('42. the provider context carries the run, evaluate, clock and abort signal', async () => {
  const signal = new AbortController().signal;
  const evaluate: ConditionEvaluator = () => ({ phase: 'Successful' });
  const p = fake({ run: [done('Successful', 0)] });
  const h = harness(42, { provider: p, evaluate, signal });
  await reconcileAnalysisRun(mkRun({ metrics: [metric({ interval: '1m' })] }), h.deps);
  const ctx = p.calls[0]?.ctx;
  assert.equal(ctx?.run.metadata.name, 'run1');
  assert.equal(ctx?.run.metadata.namespace, 'ns');
  assert.equal(ctx?.run.metadata.uid, 'uid-1');
  assert.equal(ctx?.evaluate, evaluate);
  assert.equal(ctx?.signal, signal);
  assert.equal(ctx?.now?.().getTime(), at(42).getTime());
});

// Upstream (analysis/analysis.go) calls runMeasurements, and so resolveArgs, on every reconcile of
// a running run, even with zero tasks; resolveArgs reads every secretKeyRef first and returns
// its error, so a missing Secret ends the run Error although nothing is measured (§3.2 step 6,
// §3.3 "fresh read per reconcile"). reconcile.ts only reads secrets when there are tasks.
test('43. a missing secret ends the run Error even when no measurement is due', async () => {
  const args = [{ name: 'token', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }];
  const message = 'Unable to resolve metric arguments: secrets "s" not found';
  // First pass of an initialDelay-only run: no task yet.
  const a = await reconcileAt(
    mkRun({ args, metrics: [metric({ initialDelay: '1m', interval: '1m' })] }),
    0,
    { secrets: {} },
  );
  assertEarlyError(a.out, message, a.h);
  // A terminated run without an in-flight measurement: no task either.
  const b = await reconcileAt(
    mkRun(
      { args, terminate: true, metrics: [metric({ interval: '1m' })] },
      { phase: 'Running', startedAt: ts(0), metricResults: [result('S')] },
    ),
    10,
    { secrets: {} },
  );
  assert.equal(b.out.status?.phase, 'Error');
  assert.equal(b.out.status?.message, message);
  assert.equal(b.out.status?.completedAt, undefined);
});
