// §3.2: the REST routes, including `set/{container}/{image=**}/{tag}` with `/` or %2F in the image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchRoute, type RouteMatch } from '../../../../plugin/dashboard/routes.ts';

const cases: [method: string, path: string, want: RouteMatch][] = [
  ['GET', '/api/v1/namespace', { ok: true, route: { kind: 'namespace' } }],
  ['GET', '/api/v1/version', { ok: true, route: { kind: 'version' } }],
  ['GET', '/api/v1/rollouts/ns/info', { ok: true, route: { kind: 'list', namespace: 'ns' } }],
  [
    'GET',
    '/api/v1/rollouts/ns/info/watch',
    { ok: true, route: { kind: 'listWatch', namespace: 'ns' } },
  ],
  [
    'GET',
    '/api/v1/rollouts/ns/web/info',
    { ok: true, route: { kind: 'info', namespace: 'ns', name: 'web' } },
  ],
  // A rollout named "info" is still reachable.
  [
    'GET',
    '/api/v1/rollouts/ns/info/info',
    { ok: true, route: { kind: 'info', namespace: 'ns', name: 'info' } },
  ],
  [
    'GET',
    '/api/v1/rollouts/ns/web/info/watch',
    { ok: true, route: { kind: 'infoWatch', namespace: 'ns', name: 'web' } },
  ],
  // Ours: the Rollout's events.
  [
    'GET',
    '/api/v1/rollouts/ns/web/events',
    { ok: true, route: { kind: 'events', namespace: 'ns', name: 'web' } },
  ],
  ['PUT', '/api/v1/rollouts/ns/web/events', { ok: false, reason: 'methodNotAllowed' }],
  [
    'GET',
    '/api/v1/rollouts/ns/info/events',
    { ok: true, route: { kind: 'events', namespace: 'ns', name: 'info' } },
  ],
  ...(['restart', 'promote', 'abort', 'retry', 'pause', 'resume'] as const).map(
    (action): [string, string, RouteMatch] => [
      'PUT',
      `/api/v1/rollouts/ns/web/${action}`,
      { ok: true, route: { kind: 'action', action, namespace: 'ns', name: 'web' } },
    ],
  ),
  [
    'PUT',
    '/api/v1/rollouts/ns/web/set/app/nginx/1.25',
    {
      ok: true,
      route: {
        kind: 'setImage',
        namespace: 'ns',
        name: 'web',
        container: 'app',
        image: 'nginx:1.25',
      },
    },
  ],
  [
    'PUT',
    '/api/v1/rollouts/ns/web/set/app/argoproj/rollouts-demo/yellow',
    {
      ok: true,
      route: {
        kind: 'setImage',
        namespace: 'ns',
        name: 'web',
        container: 'app',
        image: 'argoproj/rollouts-demo:yellow',
      },
    },
  ],
  [
    'PUT',
    '/api/v1/rollouts/ns/web/set/app/ghcr.io%2Fargoproj%2Frollouts-demo/blue',
    {
      ok: true,
      route: {
        kind: 'setImage',
        namespace: 'ns',
        name: 'web',
        container: 'app',
        image: 'ghcr.io/argoproj/rollouts-demo:blue',
      },
    },
  ],
  [
    'PUT',
    '/api/v1/rollouts/ns/web/set/*/localhost:5000%2Fapp/v2',
    {
      ok: true,
      route: {
        kind: 'setImage',
        namespace: 'ns',
        name: 'web',
        container: '*',
        image: 'localhost:5000/app:v2',
      },
    },
  ],
  [
    'PUT',
    '/api/v1/rollouts/ns/web/undo/3',
    { ok: true, route: { kind: 'undo', namespace: 'ns', name: 'web', revision: '3' } },
  ],
  // Wrong method on a known path, unknown paths, malformed escapes.
  ['PUT', '/api/v1/rollouts/ns/web/info', { ok: false, reason: 'methodNotAllowed' }],
  ['GET', '/api/v1/rollouts/ns/web/promote', { ok: false, reason: 'methodNotAllowed' }],
  ['GET', '/api/v1/rollouts', { ok: false, reason: 'notFound' }],
  ['GET', '/api/v2/version', { ok: false, reason: 'notFound' }],
  ['PUT', '/api/v1/rollouts/ns/web/set/app/tagonly', { ok: false, reason: 'notFound' }],
  ['PUT', '/api/v1/rollouts/ns/web/explode', { ok: false, reason: 'notFound' }],
  ['GET', '/api/v1/rollouts//web/info', { ok: false, reason: 'notFound' }],
  ['GET', '/api/v1/rollouts/%zz/web/info', { ok: false, reason: 'badPath' }],
];

for (const [method, path, want] of cases) {
  test(`${method} ${path}`, () => {
    assert.deepEqual(matchRoute(method, path), want);
  });
}
