// §1.5.3 list table, §1.5.5 status lines, and the Go tab writer both tables go through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRolloutInfo, type RolloutInfo } from '../../../plugin/info/rollout-info.ts';
import {
  renderRolloutRows,
  rolloutListLine,
  rolloutRow,
  rowsEqual,
} from '../../../plugin/render/list-rollouts.ts';
import { statusLine } from '../../../plugin/render/status-line.ts';
import { tabwrite } from '../../../plugin/render/tabwriter.ts';
import { NOW, rollout } from './fixtures.ts';

function info(
  name: string,
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
  namespace = 'default',
): RolloutInfo {
  const ro = rollout({ name, created: NOW.toISOString(), spec, status });
  ro.metadata.namespace = namespace;
  return buildRolloutInfo({ rollout: ro, replicaSets: [], pods: [], analysisRuns: [], now: NOW });
}

const guestbook = info(
  'can-guestbook',
  {
    replicas: 5,
    strategy: { canary: { steps: [{ setWeight: 10 }, { pause: {} }, { setWeight: 50 }] } },
  },
  {
    phase: 'Progressing',
    message: 'more replicas need to be updated',
    currentStepIndex: 1,
    replicas: 4,
    readyReplicas: 1,
    updatedReplicas: 3,
    availableReplicas: 2,
  },
);
const blueGreen = info(
  'bluegreen-demo',
  { replicas: 3, strategy: { blueGreen: { activeService: 'a' } } },
  { phase: 'Healthy', replicas: 3, readyReplicas: 3, updatedReplicas: 3, availableReplicas: 3 },
  'team-payments',
);
const noStrategy = info('x', { strategy: {} }, { phase: 'Healthy' });

test('list table: the spec example, including the fixed-width trailing spaces', () => {
  const out = renderRolloutRows([guestbook], { allNamespaces: false, timestamps: false, now: NOW });
  assert.equal(
    out,
    'NAME           STRATEGY   STATUS        STEP  SET-WEIGHT  READY  DESIRED  UP-TO-DATE  AVAILABLE\n' +
      'can-guestbook  Canary     Progressing   1/3   10          1/4    5        3           2        \n',
  );
});

test('list table: short names keep the fixed widths, other strategies show dashes', () => {
  const out = renderRolloutRows([noStrategy, blueGreen], {
    allNamespaces: false,
    timestamps: false,
    now: NOW,
  });
  assert.equal(
    out,
    'NAME            STRATEGY   STATUS        STEP  SET-WEIGHT  READY  DESIRED  UP-TO-DATE  AVAILABLE\n' +
      'x               unknown    Healthy       -     -           0/0    1        0           0        \n' +
      'bluegreen-demo  BlueGreen  Healthy       -     -           3/3    3        3           3        \n',
  );
});

test('list table: -A adds NAMESPACE, --timestamps adds TIMESTAMP before it', () => {
  const out = renderRolloutRows([guestbook, blueGreen], {
    allNamespaces: true,
    timestamps: true,
    now: new Date('2024-05-01T12:00:00.750Z'),
  });
  assert.equal(
    out,
    'TIMESTAMP             NAMESPACE      NAME            STRATEGY   STATUS        STEP  SET-WEIGHT  READY  DESIRED  UP-TO-DATE  AVAILABLE\n' +
      '2024-05-01T12:00:00Z  default        can-guestbook   Canary     Progressing   1/3   10          1/4    5        3           2        \n' +
      '2024-05-01T12:00:00Z  team-payments  bluegreen-demo  BlueGreen  Healthy       -     -           3/3    3        3           3        \n',
  );
});

test('list table: no rollouts gives the header alone (the command reports "No resources found.")', () => {
  assert.equal(
    renderRolloutRows([], { allNamespaces: false, timestamps: false, now: NOW }),
    'NAME  STRATEGY  STATUS  STEP  SET-WEIGHT  READY  DESIRED  UP-TO-DATE  AVAILABLE\n',
  );
});

test('list rows: the values a --watch compares, and one line for a later batch', () => {
  const row = rolloutRow(guestbook);
  assert.deepEqual(row, {
    namespace: 'default',
    name: 'can-guestbook',
    strategy: 'Canary',
    status: 'Progressing',
    step: '1/3',
    setWeight: '10',
    ready: '1/4',
    desired: 5,
    upToDate: 3,
    available: 2,
  });
  assert.ok(rowsEqual(row, rolloutRow(guestbook)));
  assert.ok(!rowsEqual(row, { ...row, available: 3 }));
  const opts = { allNamespaces: false, timestamps: false, now: NOW };
  assert.equal(
    rolloutListLine(row, opts),
    'can-guestbook\tCanary   \tProgressing \t1/3 \t10        \t1/4  \t5      \t3         \t2        \n',
  );
});

test('status line, one-shot form: Healthy and Degraded alone, else always the separator', () => {
  const line = (status: string, message: string) => statusLine({ status, message });
  assert.equal(line('Healthy', ''), 'Healthy');
  assert.equal(line('Degraded', 'RolloutAborted: x'), 'Degraded');
  assert.equal(line('Paused', 'BlueGreenPause'), 'Paused - BlueGreenPause');
  assert.equal(line('Progressing', ''), 'Progressing - ');
});

test('status line, watch form: the separator only with a message', () => {
  const line = (status: string, message: string) =>
    statusLine({ status, message }, { watch: true });
  assert.equal(line('Healthy', ''), 'Healthy');
  assert.equal(line('Degraded', 'RolloutAborted: x'), 'Degraded - RolloutAborted: x');
  assert.equal(
    line('Progressing', 'more replicas need to be updated'),
    'Progressing - more replicas need to be updated',
  );
  assert.equal(line('Progressing', ''), 'Progressing');
});

test('tabwriter: a line with fewer cells ends the column block above it', () => {
  const out = tabwrite('a\tb\tc\naaaa\tb\nx\nyy\tz\n');
  assert.equal(out, 'a     b  c\naaaa  b\nx\nyy  z\n');
});

test('tabwriter: empty cells still take the column width; the last cell is never padded', () => {
  assert.equal(tabwrite('a\t\tc\nb\tlong\t\n'), 'a' + ' '.repeat(8) + 'c\nb  long  \n');
});

test('tabwriter: ANSI sequences are zero-width only in ansi mode', () => {
  const text = '\x1b[32mab\x1b[0m\tc\nabcd\te\n';
  assert.equal(tabwrite(text, { ansi: true }), '\x1b[32mab\x1b[0m    c\nabcd  e\n');
  // Measured raw, the coloured cell is 11 code points wide.
  assert.equal(tabwrite(text), '\x1b[32mab\x1b[0m  c\nabcd' + ' '.repeat(9) + 'e\n');
});

test('tabwriter: text after the last newline is written unaligned', () => {
  assert.equal(tabwrite('a\tb\ntail'), 'a  b\ntail');
});
