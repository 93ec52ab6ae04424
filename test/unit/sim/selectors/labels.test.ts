import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  fromLabelSelectorObject,
  isEverything,
  labelSelectorString,
  labelSelectorToString,
  matchesLabels,
  parseLabelSelector,
  SelectorError,
  validateLabelKey,
  type LabelSelectorObject,
} from '../../../../sim/selectors/labels.ts';

const NAME_PART_REGEX =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const VALUE_REGEX =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

function throwsSelector(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SelectorError, `expected SelectorError, got ${String(err)}`);
    assert.equal(err.message, message);
    return true;
  });
}

// Parsed selector -> canonical String(), as labels.Parse(s).String() gives it.
const canonical: [string, string][] = [
  ['', ''],
  [' \t\n', ''],
  ['a=b', 'a=b'],
  ['a==b', 'a==b'],
  ['a!=b', 'a!=b'],
  ['a', 'a'],
  ['!a', '!a'],
  ['a=', 'a='],
  [' a = b , !c ', 'a=b,!c'],
  ['z>5,a<3', 'a<3,z>5'],
  ['a>007', 'a>007'],
  ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
  ['x in (b, a, b)', 'x in (a,b)'],
  ['x in (in)', 'x in (in)'],
  ['in in (notin)', 'in in (notin)'],
  [
    'example.com/app=demo,app.kubernetes.io/name notin (a,b)',
    'app.kubernetes.io/name notin (a,b),example.com/app=demo',
  ],
  ['b=1,a=2,b!=3', 'a=2,b=1,b!=3'],
];

for (const [input, want] of canonical) {
  test(`parse+String ${JSON.stringify(input)}`, () => {
    assert.equal(labelSelectorString(parseLabelSelector(input)), want);
  });
}

const parseErrors: [string, string][] = [
  ['x=a,', "found '', expected: identifier after ','"],
  [',x=a', "found ',', expected: !, identifier, or 'end of string'"],
  ['x y', "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt"],
  ['x in a', "unable to parse requirement: found 'a' expected: '('"],
  ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
  ['x in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
  ['x=a b', "found 'b', expected: ',' or 'end of string'"],
  ['!x=a', "found '=', expected: ',' or 'end of string'"],
  ['x=(a)', "unable to parse requirement: found '(', expected: identifier"],
  ['x===a', "unable to parse requirement: found '=', expected: identifier"],
  ['!', "unable to parse requirement: found '', expected: identifier"],
  [
    'x>a',
    `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`,
  ],
  [
    'x>',
    `unable to parse requirement: values[0]: Invalid value: "": for 'Gt', 'Lt' operators, the value must be an integer`,
  ],
  [
    'x>1.5',
    `unable to parse requirement: values[0]: Invalid value: "1.5": for 'Gt', 'Lt' operators, the value must be an integer`,
  ],
  // An integer is still a label value, and label values may not start with '-'.
  ['x>-1', `unable to parse requirement: values[0][x]: Invalid value: "-1": ${VALUE_REGEX}`],
  ['x=a$b', `unable to parse requirement: values[0][x]: Invalid value: "a$b": ${VALUE_REGEX}`],
  [
    `x=${'v'.repeat(64)}`,
    `unable to parse requirement: values[0][x]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`,
  ],
  ['Foo_=x', `unable to parse requirement: <nil>: Invalid value: "Foo_": ${NAME_PART_REGEX}`],
  [
    'a/b/c',
    `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
  ],
  [
    `${'k'.repeat(64)}=v`,
    `unable to parse requirement: <nil>: Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 characters`,
  ],
  ['x in (a,b c)', "unable to parse requirement: found 'c', expected: ',' or ')'"],
];

for (const [input, message] of parseErrors) {
  test(`parse error ${JSON.stringify(input.length > 30 ? input.slice(0, 30) : input)}`, () => {
    throwsSelector(() => parseLabelSelector(input), message);
  });
}

const matching: [string, Record<string, string> | undefined, boolean][] = [
  ['', undefined, true],
  ['a=b', { a: 'b' }, true],
  ['a=b', { a: 'c' }, false],
  ['a=b', {}, false],
  ['a==b', { a: 'b', c: 'd' }, true],
  ['a!=b', {}, true],
  ['a!=b', { a: 'b' }, false],
  ['a in (x,y)', { a: 'y' }, true],
  ['a in (x,y)', undefined, false],
  ['a notin (x,y)', {}, true],
  ['a notin (x,y)', { a: 'x' }, false],
  ['a', { a: '' }, true],
  ['a', undefined, false],
  ['!a', undefined, true],
  ['!a', { a: 'x' }, false],
  ['a=', { a: '' }, true],
  ['a=', {}, false],
  ['a in ()', { a: '' }, true],
  ['a>1', { a: '2' }, true],
  ['a>1', { a: '1' }, false],
  ['a>1', { a: 'x' }, false],
  ['a>1', {}, false],
  ['a<10', { a: '-5' }, true],
  ['a<10', { a: '+9' }, true],
  ['a<10', { a: ' 9' }, false],
  // int64 arithmetic, not float64: these two differ by one and collapse as doubles.
  ['a>9223372036854775806', { a: '9223372036854775807' }, true],
  ['a>9223372036854775806', { a: '9223372036854775808' }, false],
  ['a=b,c=d', { a: 'b', c: 'd' }, true],
  ['a=b,c=d', { a: 'b', c: 'x' }, false],
  ['toString', {}, false],
  ['!constructor', {}, true],
];

for (const [sel, labels, want] of matching) {
  test(`matches ${JSON.stringify(sel)} against ${JSON.stringify(labels)} -> ${want}`, () => {
    assert.equal(matchesLabels(parseLabelSelector(sel), labels), want);
  });
}

test('a null metav1 selector matches nothing; an empty one everything', () => {
  for (const nothing of [null, undefined]) {
    const sel = fromLabelSelectorObject(nothing);
    assert.equal(matchesLabels(sel, {}), false);
    assert.equal(matchesLabels(sel, { a: 'b' }), false);
    assert.equal(isEverything(sel), false);
    assert.equal(labelSelectorToString(nothing), '');
  }
  for (const everything of [{}, { matchLabels: {}, matchExpressions: [] }, { matchLabels: null }]) {
    const sel = fromLabelSelectorObject(everything);
    assert.equal(matchesLabels(sel, undefined), true);
    assert.equal(isEverything(sel), true);
    assert.equal(labelSelectorToString(everything), '');
  }
});

const objectStrings: [LabelSelectorObject, string][] = [
  [
    {
      matchLabels: { app: 'demo' },
      matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }],
    },
    'app=demo,tier in (web)',
  ],
  [{ matchLabels: { tier: 'web', app: 'demo' } }, 'app=demo,tier=web'],
  // Like LabelSelectorAsSelector, every requirement is ordered by key, not matchLabels first.
  [{ matchLabels: { z: '1' }, matchExpressions: [{ key: 'a', operator: 'Exists' }] }, 'a,z=1'],
  [{ matchExpressions: [{ key: 'k', operator: 'NotIn', values: ['b', 'a'] }] }, 'k notin (a,b)'],
  [{ matchExpressions: [{ key: 'k', operator: 'DoesNotExist' }] }, '!k'],
];

for (const [obj, want] of objectStrings) {
  test(`labelSelectorToString ${JSON.stringify(obj)}`, () => {
    assert.equal(labelSelectorToString(obj), want);
  });
}

test('metav1 selectors match like their string form', () => {
  const sel = fromLabelSelectorObject({
    matchLabels: { app: 'demo' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['web', 'api'] },
      { key: 'canary', operator: 'DoesNotExist' },
    ],
  });
  assert.equal(matchesLabels(sel, { app: 'demo', tier: 'api' }), true);
  assert.equal(matchesLabels(sel, { app: 'demo', tier: 'db' }), false);
  assert.equal(matchesLabels(sel, { app: 'demo', tier: 'web', canary: 'true' }), false);
  assert.equal(matchesLabels(sel, { tier: 'web' }), false);
});

const objectErrors: [LabelSelectorObject, string][] = [
  [
    { matchExpressions: [{ key: 'k', operator: 'In', values: [] }] },
    "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
  ],
  [
    { matchExpressions: [{ key: 'k', operator: 'Exists', values: ['a', 'b'] }] },
    'values: Invalid value: []string{"a", "b"}: values set must be empty for exists and does not exist',
  ],
  [
    { matchExpressions: [{ key: 'k', operator: 'Gt' as 'In', values: ['1'] }] },
    '"Gt" is not a valid label selector operator',
  ],
  [{ matchLabels: { 'bad key': 'v' } }, `key: Invalid value: "bad key": ${NAME_PART_REGEX}`],
  [{ matchLabels: { app: 'a b' } }, `values[0][app]: Invalid value: "a b": ${VALUE_REGEX}`],
  [
    { matchLabels: { '-k': '-v' } },
    `[key: Invalid value: "-k": ${NAME_PART_REGEX}, values[0][-k]: Invalid value: "-v": ${VALUE_REGEX}]`,
  ],
];

for (const [obj, message] of objectErrors) {
  test(`fromLabelSelectorObject error ${JSON.stringify(obj)}`, () => {
    throwsSelector(() => fromLabelSelectorObject(obj), message);
  });
}

test('label key prefixes are DNS subdomains', () => {
  assert.deepEqual(validateLabelKey('app.kubernetes.io/name'), []);
  assert.deepEqual(validateLabelKey('/name'), ['prefix part must be non-empty']);
  assert.deepEqual(validateLabelKey('Example.com/name'), [
    "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
  assert.deepEqual(validateLabelKey('example.com/'), [
    'name part must be non-empty',
    NAME_PART_REGEX,
  ]);
});
