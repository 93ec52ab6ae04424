// §3.1 static handler rules, base href rewrite and content types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  contentTypeOf,
  rewriteBaseHref,
  staticDecision,
  type StaticDecision,
} from '../../../../plugin/dashboard/static-rules.ts';

const cases: [root: string, target: string, want: StaticDecision][] = [
  ['rollouts', '/', { kind: 'redirect', location: '/rollouts/' }],
  ['rollouts', '/?x=1', { kind: 'redirect', location: '/rollouts/' }],
  ['rollouts', '/rollouts', { kind: 'index' }],
  ['rollouts', '/rollouts/', { kind: 'index' }],
  ['rollouts', '/rollouts/assets/app.js', { kind: 'file', file: 'assets/app.js' }],
  ['rollouts', '/rollouts//assets/./app.js', { kind: 'file', file: 'assets/app.js' }],
  ['rollouts', '/rollouts/rollout/ns/web', { kind: 'file', file: 'rollout/ns/web' }],
  ['rollouts', '/rollouts/../etc/passwd', { kind: 'notFound' }],
  ['rollouts', '/rollouts/%2e%2e/secret', { kind: 'notFound' }],
  ['rollouts', '/rollouts/a..b', { kind: 'notFound' }],
  ['rollouts', '/other/app.js', { kind: 'notFound' }],
  ['rollouts', '/rolloutsx/app.js', { kind: 'notFound' }],
  ['rollouts', '/rollouts/%zz', { kind: 'notFound' }],
  ['/rollouts/', '/', { kind: 'redirect', location: '/rollouts/' }],
  ['a/b', '/a/b/x.css', { kind: 'file', file: 'x.css' }],
  ['a/b', '/a/x.css', { kind: 'notFound' }],
  // The empty root serves at /: no redirect, everything is inside.
  ['', '/', { kind: 'index' }],
  ['', '/app.js', { kind: 'file', file: 'app.js' }],
  ['/', '/rollout/ns/web', { kind: 'file', file: 'rollout/ns/web' }],
  ['', '/../x', { kind: 'notFound' }],
];

for (const [root, target, want] of cases) {
  test(`root "${root}": ${target}`, () => {
    assert.deepEqual(staticDecision(target, root), want);
  });
}

test('base href is rewritten to the root path', () => {
  const html = '<html><head><base href="/" /><title>x</title></head></html>';
  assert.equal(
    rewriteBaseHref(html, 'rollouts'),
    '<html><head><base href="/rollouts/" /><title>x</title></head></html>',
  );
  assert.match(rewriteBaseHref('<base href="/old/">', 'a/b'), /<base href="\/a\/b\/" \/>/);
  assert.match(rewriteBaseHref('<base href="/x/"/>', ''), /<base href="\/" \/>/);
});

const types: [string, string][] = [
  ['index.html', 'text/html; charset=utf-8'],
  ['assets/app.js', 'text/javascript; charset=utf-8'],
  ['assets/app.CSS', 'text/css; charset=utf-8'],
  ['logo.svg', 'image/svg+xml'],
  ['favicon.ico', 'image/vnd.microsoft.icon'],
  ['fonts/x.woff2', 'font/woff2'],
  ['manifest.json', 'application/json'],
  ['LICENSE', 'text/plain'],
  ['data.unknownext', 'text/plain'],
];
for (const [file, want] of types) {
  test(`content type of ${file}`, () => assert.equal(contentTypeOf(file), want));
}
