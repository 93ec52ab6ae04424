// `get rollout` goldens: exact bytes (trailing padding included) of the no-colour rendering at a
// fixed clock. Regenerate with UPDATE_GOLDEN=1 after an intended change, and review the diff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildRolloutInfo } from '../../../plugin/info/rollout-info.ts';
import { renderRollout } from '../../../plugin/render/get-rollout.ts';
import { stripAnsi } from '../../../plugin/render/colors.ts';
import { NOW } from './fixtures.ts';
import {
  SCENARIOS,
  specBlueGreenPreview,
  specCanaryAborted,
  specCanaryPaused,
} from './scenarios.ts';

const golden = (name: string) => fileURLToPath(new URL(`golden/${name}.txt`, import.meta.url));
const render = (build: () => Parameters<typeof buildRolloutInfo>[0], color = false) =>
  renderRollout(buildRolloutInfo(build()), { color, now: NOW });
const stripTrailingSpaces = (s: string) => s.replace(/ +$/gm, '');

for (const [name, build] of Object.entries(SCENARIOS)) {
  test(`get rollout golden: ${name}`, () => {
    const out = render(build);
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden(name), out);
    assert.equal(out, readFileSync(golden(name), 'utf8'));
  });
}

// The spec's worked examples are printed with trailing spaces removed, as the original's own
// tests compare them; the goldens above hold the real bytes.
const worked: [string, () => Parameters<typeof buildRolloutInfo>[0]][] = [
  ['spec-2.6a', specCanaryPaused],
  ['spec-2.6b', specBlueGreenPreview],
  ['spec-2.6c', specCanaryAborted],
];
for (const [name, build] of worked) {
  test(`get rollout reproduces worked example ${name} (§2.6)`, () => {
    assert.equal(stripTrailingSpaces(render(build)), readFileSync(golden(name), 'utf8'));
  });
}

test('tree rows whose INFO is empty end in the AGE column padding', () => {
  const lines = render(specCanaryPaused).split('\n');
  assert.equal(
    lines[18],
    '⟳ canary-demo                            Rollout     ॥ Paused   15m    ',
  );
  // NAME pads to 41, KIND is empty (12), STATUS is a lone space padded to 11, AGE empty (7).
  assert.equal(lines[19], '├──# revision:2' + ' '.repeat(26 + 12 + 11 + 7));
});

test('colour: icons, role tags and phase-coloured names are wrapped in ANSI codes', () => {
  const plain = render(specBlueGreenPreview);
  const colored = render(specBlueGreenPreview, true);
  assert.notEqual(colored, plain);
  // Escape sequences do not count towards column widths, so removing them gives the plain text.
  assert.equal(stripAnsi(colored), plain);
  // Icons without a colour of their own still get wrapped, with code 0.
  assert.ok(colored.includes('\nStatus:          \x1b[0m॥\x1b[0m Paused\n'));
  assert.ok(colored.includes('\x1b[32m✔\x1b[0m Healthy'));
  assert.ok(colored.includes('(\x1b[32mstable\x1b[0m, \x1b[32mactive\x1b[0m)'));
  assert.ok(colored.includes('(\x1b[94mpreview\x1b[0m)'));
  // One wrap per role flag, nested, then the INFO tags.
  assert.ok(colored.includes('⧉ \x1b[32m\x1b[32mbluegreen-demo-7c8d4f6b59\x1b[0m\x1b[0m'));
  assert.ok(colored.includes('\x1b[32mstable\x1b[0m,\x1b[32mactive\x1b[0m\n'));
  assert.ok(colored.includes('\x1b[0m•\x1b[0m ScaledDown'));
  // Rollout and pod names are never coloured.
  assert.ok(colored.includes('⟳ bluegreen-demo '));
  assert.ok(colored.includes('□ bluegreen-demo-6d5c9b7f84-2x7fq '));
});

test('colour: analysis runs and jobs are coloured by phase, counters by icon', () => {
  const colored = render(SCENARIOS['bluegreen-preview-analysis'] ?? specCanaryPaused, true);
  assert.ok(colored.includes('α \x1b[94morders-f1e2d3c4b5-3-pre\x1b[0m'));
  assert.ok(colored.includes('\x1b[94m◌\x1b[0m Running'));
  assert.ok(colored.includes('\x1b[32m✔\x1b[0m 1\n'));
  assert.ok(colored.includes('⊞ \x1b[0morders-f1e2d3c4b5-3-pre-smoke-1\x1b[0m'));
  const aborted = render(specCanaryAborted, true);
  assert.ok(aborted.includes('\x1b[31m✖\x1b[0m Degraded'));
  assert.ok(aborted.includes('\x1b[32m✔\x1b[0m 2,\x1b[31m✖\x1b[0m 3'));
  assert.ok(aborted.includes('⧉ \x1b[33mcanary-demo-5f8b7c9d4\x1b[0m'));
});
