import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  computeTrafficWeights,
  nextTrafficWeights,
  trafficWeightUpdatedMessage,
  type TrafficWeights,
} from '../../../src/traffic/weights.ts';

const base = { canaryService: 'c', stableService: 's', canaryHash: 'h2', stableHash: 'h1' };

describe('status.canary.weights (§6.1)', () => {
  const rows: {
    name: string;
    input: Parameters<typeof computeTrafficWeights>[0];
    want: TrafficWeights;
  }[] = [
    {
      name: 'weight 0 written',
      input: { ...base, desiredWeight: 0 },
      want: {
        canary: { weight: 0, serviceName: 'c', podTemplateHash: 'h2' },
        stable: { weight: 100, serviceName: 's', podTemplateHash: 'h1' },
      },
    },
    {
      name: 'additional destinations reduce stable',
      input: {
        ...base,
        desiredWeight: 10,
        additional: [{ serviceName: 'e', podTemplateHash: 'h3', weight: 20 }],
      },
      want: {
        canary: { weight: 10, serviceName: 'c', podTemplateHash: 'h2' },
        stable: { weight: 70, serviceName: 's', podTemplateHash: 'h1' },
        additional: [{ weight: 20, serviceName: 'e', podTemplateHash: 'h3' }],
      },
    },
    {
      name: 'maxTrafficWeight 1000; empty names left out (ping-pong)',
      input: { canaryHash: 'h2', stableHash: 'h1', desiredWeight: 15, maxWeight: 1000 },
      want: {
        canary: { weight: 15, podTemplateHash: 'h2' },
        stable: { weight: 985, podTemplateHash: 'h1' },
      },
    },
  ];
  for (const row of rows) {
    it(row.name, () => assert.deepEqual(computeTrafficWeights(row.input), row.want));
  }

  const w = (canary: number, extra: Partial<TrafficWeights> = {}): TrafficWeights => ({
    ...computeTrafficWeights({ ...base, desiredWeight: canary }),
    ...extra,
  });
  const msgRows: {
    name: string;
    prev: TrafficWeights | undefined;
    next: TrafficWeights;
    want: string;
  }[] = [
    { name: 'first time', prev: undefined, next: w(0), want: 'Traffic weight updated to 0' },
    { name: 'from/to', prev: w(5), next: w(20), want: 'Traffic weight updated from 5 to 20' },
    {
      name: 'additional changed',
      prev: w(5),
      next: w(5, { additional: [{ weight: 3, serviceName: 'e' }] }),
      want: 'Traffic weight updated additional: [{3 e }]',
    },
  ];
  for (const row of msgRows) {
    it(`message: ${row.name}`, () =>
      assert.equal(trafficWeightUpdatedMessage(row.prev, row.next), row.want));
  }

  it('unchanged weights keep the previous value; verified always overwritten', () => {
    const prev = { ...w(5), verified: false };
    const r = nextTrafficWeights(prev, w(5), true);
    assert.equal(r.modified, false);
    assert.deepEqual(r.weights, { ...w(5), verified: true });
    const r2 = nextTrafficWeights(prev, w(5), undefined);
    assert.equal('verified' in r2.weights, false);
  });

  it('a hash change alone is a modification', () => {
    const next = computeTrafficWeights({ ...base, canaryHash: 'h9', desiredWeight: 5 });
    assert.equal(nextTrafficWeights(w(5), next, undefined).modified, true);
    assert.equal(trafficWeightUpdatedMessage(w(5), next), 'Traffic weight updated ');
  });
});
