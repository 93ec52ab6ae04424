import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IntOrString } from '../../../src/api/common.ts';
import { percentOrCount, resolveFenceposts } from '../../../src/rollout/fenceposts.ts';

describe('resolveFenceposts (§6.4.1)', () => {
  const rows: {
    name: string;
    r: number;
    surge: IntOrString | undefined;
    unavail: IntOrString | undefined;
    want: [surge: number, unavailable: number];
  }[] = [
    { name: 'spec example: R=10, 20%/20%', r: 10, surge: '20%', unavail: '20%', want: [2, 2] },
    {
      name: 'spec example: R=10, 0%/0% ⇒ unavailable 1',
      r: 10,
      surge: '0%',
      unavail: '0%',
      want: [0, 1],
    },
    {
      name: 'defaults "25"/"25" at R=10: ceil 2.5, floor 2.5',
      r: 10,
      surge: undefined,
      unavail: undefined,
      want: [3, 2],
    },
    { name: 'defaults at R=4', r: 4, surge: undefined, unavail: undefined, want: [1, 1] },
    { name: 'defaults at R=8', r: 8, surge: undefined, unavail: undefined, want: [2, 2] },
    {
      name: 'defaults at R=2: surge rounds up, unavailable down',
      r: 2,
      surge: undefined,
      unavail: undefined,
      want: [1, 0],
    },
    { name: 'defaults at R=1', r: 1, surge: undefined, unavail: undefined, want: [1, 0] },
    {
      name: 'defaults at R=0: both 0 ⇒ 1, then capped at R=0',
      r: 0,
      surge: undefined,
      unavail: undefined,
      want: [0, 0],
    },
    {
      name: 'a string without % is still a percentage ("5" = 5%)',
      r: 100,
      surge: '5',
      unavail: '5',
      want: [5, 5],
    },
    { name: '"5" at R=10: ceil 0.5 / floor 0.5', r: 10, surge: '5', unavail: '5', want: [1, 0] },
    { name: 'every % is stripped ("25%%")', r: 8, surge: '25%%', unavail: '%25', want: [2, 2] },
    { name: 'numbers are absolute', r: 10, surge: 3, unavail: 0, want: [3, 0] },
    { name: 'numbers 0/0 ⇒ unavailable 1', r: 10, surge: 0, unavail: 0, want: [0, 1] },
    {
      name: 'mixed number 0 and "0%" ⇒ unavailable 1',
      r: 5,
      surge: 0,
      unavail: '0%',
      want: [0, 1],
    },
    { name: 'unavailable capped at R (number)', r: 10, surge: 1, unavail: 15, want: [1, 10] },
    {
      name: 'unavailable capped at R (percentage)',
      r: 10,
      surge: 1,
      unavail: '200%',
      want: [1, 10],
    },
    { name: 'unavailable capped at R=0', r: 0, surge: 1, unavail: 3, want: [1, 0] },
    { name: 'surge not capped (number)', r: 10, surge: 15, unavail: 0, want: [15, 0] },
    { name: 'surge not capped (percentage)', r: 3, surge: '200%', unavail: 0, want: [6, 0] },
    { name: 'surge 100% at R=4', r: 4, surge: '100%', unavail: undefined, want: [4, 1] },
    { name: 'explicit sign "+10%"', r: 10, surge: '+10%', unavail: '+10%', want: [1, 1] },
    {
      name: 'unparsable surge ⇒ Go error path, both 0',
      r: 10,
      surge: 'abc',
      unavail: 2,
      want: [0, 0],
    },
    { name: 'decimal percentage is unparsable', r: 10, surge: 1, unavail: '1.5%', want: [0, 0] },
    { name: 'blank inside is unparsable', r: 10, surge: ' 5%', unavail: 1, want: [0, 0] },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(resolveFenceposts(row.r, row.surge, row.unavail), {
        maxSurge: row.want[0],
        maxUnavailable: row.want[1],
      });
    });
  }
});

describe('percentOrCount', () => {
  const rows: { v: IntOrString; total: number; roundUp: boolean; want: number | undefined }[] = [
    { v: 5, total: 10, roundUp: true, want: 5 },
    { v: 5, total: 10, roundUp: false, want: 5 },
    { v: '33%', total: 10, roundUp: true, want: 4 },
    { v: '33%', total: 10, roundUp: false, want: 3 },
    { v: '33', total: 10, roundUp: true, want: 4 },
    { v: '0%', total: 10, roundUp: true, want: 0 },
    { v: '-10%', total: 15, roundUp: true, want: -1 },
    { v: 'x%', total: 10, roundUp: true, want: undefined },
    { v: '', total: 10, roundUp: true, want: undefined },
  ];
  for (const row of rows) {
    it(`${JSON.stringify(row.v)} of ${row.total} rounded ${row.roundUp ? 'up' : 'down'} = ${row.want}`, () => {
      assert.equal(percentOrCount(row.v, row.total, row.roundUp), row.want);
    });
  }
});
