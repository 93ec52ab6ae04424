// The HTTP front of the emulator: routing, content negotiation, bodies, faults and errors.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parseFieldValidation } from '../api/admission.ts';
import { ObjectService, type DeleteOptions, type Propagation } from '../api/objects.ts';
import { ApiError, errors } from '../api/status.ts';
import { openApiV2Protobuf, OPENAPI_V2_CONTENT_TYPE } from '../openapi/v2.ts';
import { openApiV3Document, openApiV3Index } from '../openapi/v3.ts';
import { renderTable } from '../render/table.ts';
import type { ResourceType } from '../registry/types.ts';
import { listCollection, serveWatch, wantsTable, buildFilter } from './collection.ts';
import {
  aggregatedDiscovery,
  AGGREGATED_CONTENT_TYPE,
  apiResourceList,
  legacyApiGroup,
  legacyApiGroupList,
  legacyApiVersions,
  SERVER_VERSION,
  wantsAggregated,
} from './discovery.ts';
import type { Faults, Verb } from './faults.ts';
import { parseRoute, type ResourceRoute } from './route.ts';
import {
  decodeProtobufBody,
  isProtobufContentType,
  UnsupportedProtobufKindError,
} from './protobuf.ts';

const MAX_BODY = 3 * 1024 * 1024;

export type AdminHandler = (
  method: string,
  path: string[],
  body: unknown,
) => Promise<{ code: number; body: unknown }> | { code: number; body: unknown };

export interface HttpOptions {
  svc: ObjectService;
  faults: Faults;
  admin: AdminHandler;
  bookmarkIntervalMs: number;
  onRequest?: (method: string, path: string) => void;
}

function send(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, e: unknown): void {
  const err =
    e instanceof ApiError ? e : errors.internal(e instanceof Error ? e.message : String(e));
  if (res.headersSent) {
    res.destroy();
    return;
  }
  send(res, err.code, err.toStatus(), err.code === 429 ? { 'Retry-After': '1' } : {});
}

function readBody(req: IncomingMessage): Promise<string> {
  // kubectl's typed clients (create namespace/configmap/secret/serviceaccount …) send protobuf
  // and client-go does not retry as JSON on 415: the kinds protobuf.ts knows are decoded into
  // the JSON a JSON client would send; any other kind gets a 415 that says to send JSON.
  const protobuf = isProtobufContentType(req.headers['content-type']);
  // Plain 'data'/'end' listeners: `for await (… of req)` cost a few percent of each write
  // in profiles (an async iterator and a promise per chunk).
  return new Promise((resolve, reject) => {
    if (req.readableEnded) return resolve('');
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (b: Buffer): void => {
      size += b.length;
      if (size > MAX_BODY) {
        req.off('data', onData);
        req.off('end', onEnd);
        req.resume();
        reject(
          new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'),
        );
        return;
      }
      chunks.push(b);
    };
    const onEnd = (): void => {
      req.off('error', reject);
      if (protobuf) {
        try {
          resolve(protobufBodyAsJson(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
        } catch (e) {
          reject(e instanceof ApiError ? e : errors.badRequest(String(e)));
        }
        return;
      }
      resolve(
        chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'),
      );
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}

/** A protobuf body as JSON text; 415 for kinds protobuf.ts does not decode, 400 if malformed. */
function protobufBodyAsJson(buf: Buffer): string {
  if (buf.length === 0) return '';
  try {
    return JSON.stringify(decodeProtobufBody(buf));
  } catch (e) {
    if (e instanceof UnsupportedProtobufKindError) throw errors.unsupportedMediaType(e.message);
    throw errors.badRequest(`error decoding protobuf body: ${(e as Error).message}`);
  }
}

function parseJson(text: string, what: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw errors.badRequest(`${what}: json parse error: ${(e as Error).message}`);
  }
}

function verbOf(method: string, route: ResourceRoute, q: URLSearchParams): Verb | undefined {
  const watch = route.legacyWatch || q.get('watch') === 'true' || q.get('watch') === '1';
  switch (method) {
    case 'GET':
      if (route.name && !route.subresource && watch) return 'watch';
      return route.name ? 'get' : watch ? 'watch' : 'list';
    case 'POST':
      // pods/{name}/eviction is the one create on a named object (the Eviction API).
      if (route.name && route.resource === 'pods' && route.subresource === 'eviction')
        return 'create';
      return route.name ? undefined : 'create';
    case 'PUT':
      return route.name ? 'update' : undefined;
    case 'PATCH':
      return route.name ? 'patch' : undefined;
    case 'DELETE':
      return route.name ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}

function warningHeaders(warnings: string[]): Record<string, string[]> {
  if (!warnings.length) return {};
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) };
}

export function createApiServer(opts: HttpOptions): Server {
  const { svc, faults } = opts;
  let openapiCache:
    { version: number; index: object; docs: Map<string, object | undefined> } | undefined;
  const openapi = () => {
    const version = svc.registry.version;
    if (!openapiCache || openapiCache.version !== version) {
      openapiCache = { version, index: openApiV3Index(svc.registry.types()), docs: new Map() };
    }
    return openapiCache;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.local');
    const method = req.method ?? 'GET';
    opts.onRequest?.(method, url.pathname);
    const route = parseRoute(url.pathname);
    const q = url.searchParams;
    if (route.kind !== 'admin' && faults.latencyMs > 0) {
      await new Promise((r) => setTimeout(r, faults.latencyMs));
    }
    switch (route.kind) {
      case 'version':
        return send(res, 200, SERVER_VERSION);
      case 'health':
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 2 });
        return void res.end('ok');
      case 'api':
        if (wantsAggregated(req.headers.accept)) {
          return send(res, 200, aggregatedDiscovery(svc.registry, true), {
            'Content-Type': AGGREGATED_CONTENT_TYPE,
          });
        }
        return send(res, 200, legacyApiVersions());
      case 'apis':
        if (wantsAggregated(req.headers.accept)) {
          return send(res, 200, aggregatedDiscovery(svc.registry, false), {
            'Content-Type': AGGREGATED_CONTENT_TYPE,
          });
        }
        return send(res, 200, legacyApiGroupList(svc.registry));
      case 'group': {
        const g = legacyApiGroup(svc.registry, route.group);
        return g ? send(res, 200, g) : sendError(res, errors.noRoute());
      }
      case 'groupVersion': {
        const list = apiResourceList(svc.registry, route.group, route.version);
        return list ? send(res, 200, list) : sendError(res, errors.noRoute());
      }
      case 'openapiV3Index':
        return send(res, 200, openapi().index);
      case 'openapiV3Doc': {
        const cache = openapi();
        if (!cache.docs.has(route.gvPath)) {
          cache.docs.set(route.gvPath, openApiV3Document(route.gvPath, svc.registry.types()));
        }
        const doc = cache.docs.get(route.gvPath);
        return doc ? send(res, 200, doc) : sendError(res, errors.noRoute());
      }
      case 'openapiV2': {
        const body = openApiV2Protobuf();
        res.writeHead(200, {
          'Content-Type': OPENAPI_V2_CONTENT_TYPE,
          'Content-Length': body.length,
        });
        return void res.end(body);
      }
      case 'admin': {
        const text = method === 'GET' ? '' : await readBody(req);
        const out = await opts.admin(method, route.path, parseJson(text, 'admin request'));
        return send(res, out.code, out.body);
      }
      case 'resource':
        return handleResource(req, res, route, q, method);
      default:
        return sendError(res, errors.noRoute());
    }
  }

  async function handleResource(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    q: URLSearchParams,
    method: string,
  ): Promise<void> {
    const rt = svc.registry.find(route.group, route.version, route.resource);
    if (!rt) throw errors.noRoute();
    const verb = verbOf(method, route, q);
    if (!verb)
      throw errors.methodNotAllowed(
        `the server does not allow this method on the requested resource`,
      );
    if (route.namespace !== undefined && !rt.namespaced) throw errors.noRoute();
    const sub = route.subresource;
    if (
      sub === 'eviction' &&
      rt.resource === 'pods' &&
      rt.group === '' &&
      method === 'POST' &&
      route.name
    ) {
      return evictPod(res, svc, rt, route.namespace, route.name, faults, req);
    }
    if (
      sub !== undefined &&
      !(sub === 'status' && rt.subresources.status) &&
      !(sub === 'scale' && rt.subresources.scale)
    ) {
      throw errors.noRoute();
    }
    const injected = faults.errorFor(verb, rt.resource);
    if (injected !== undefined) throw injectedError(injected, rt, route.name);
    if (faults.conflictFor(verb, rt.resource)) throw errors.conflict(rt, route.name ?? '');

    const ns = rt.namespaced ? route.namespace : undefined;
    const subresource = sub;
    const dryRun = q.getAll('dryRun').includes('All');
    const fieldValidation = parseFieldValidation(q.get('fieldValidation'));
    const now = new Date();

    switch (verb) {
      case 'get': {
        const obj = svc.get(rt, ns, route.name!);
        if (subresource === 'scale') return send(res, 200, svc.scaleOf(rt, obj));
        if (wantsTable(req.headers.accept) && !subresource) {
          return send(res, 200, renderTable(rt, [obj], now, obj.metadata.resourceVersion ?? ''));
        }
        return send(res, 200, obj);
      }
      case 'list':
        return send(res, 200, listCollection(svc, rt, ns, q, req.headers.accept, now));
      case 'watch':
        if (route.name)
          q.set(
            'fieldSelector',
            joinSelector(q.get('fieldSelector'), `metadata.name=${route.name}`),
          );
        return serveWatch(req, res, svc, rt, ns, q, faults, {
          bookmarkIntervalMs: opts.bookmarkIntervalMs,
        });
      case 'create': {
        if (rt.namespaced && ns === undefined) throw errors.noRoute();
        const body = parseJson(await readBody(req), "couldn't get version/kind");
        const out = svc.create(rt, ns, body, { dryRun, fieldValidation });
        return send(res, 201, out.object, warningHeaders(out.warnings));
      }
      case 'update': {
        const body = parseJson(await readBody(req), "couldn't get version/kind");
        const out = svc.update(rt, ns, route.name!, body, subresource, { dryRun, fieldValidation });
        return send(res, 200, out.object, warningHeaders(out.warnings));
      }
      case 'patch': {
        const body = parseJson(await readBody(req), 'error decoding patch');
        const contentType = req.headers['content-type'] ?? '';
        const out = svc.patch(rt, ns, route.name!, contentType, body, subresource, {
          dryRun,
          fieldValidation,
        });
        return send(res, 200, out.object, warningHeaders(out.warnings));
      }
      case 'delete': {
        const body = parseJson(await readBody(req), 'error decoding DeleteOptions') as
          DeleteBody | undefined;
        const deleted = svc.delete(rt, ns, route.name!, deleteOptions(body, q));
        return send(res, 200, deleted);
      }
      case 'deletecollection': {
        const body = parseJson(await readBody(req), 'error decoding DeleteOptions') as
          DeleteBody | undefined;
        const filter = buildFilter(rt, q, (o) => o);
        const items = svc.list(rt, ns).filter((o) => filter.matches(o));
        const del = deleteOptions(body, q);
        const deleted = items.map((o) =>
          svc.delete(rt, o.metadata.namespace, o.metadata.name ?? '', del),
        );
        return send(res, 200, {
          kind: rt.listKind,
          apiVersion: rt.group ? `${rt.group}/${rt.version}` : rt.version,
          metadata: { resourceVersion: String(svc.store.resourceVersion) },
          items: deleted,
        });
      }
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => sendError(res, e));
  });
  server.keepAliveTimeout = 60_000;
  return server;
}

interface DeleteBody {
  propagationPolicy?: Propagation;
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

function deleteOptions(body: DeleteBody | undefined, q: URLSearchParams): DeleteOptions {
  let propagation =
    body?.propagationPolicy ?? (q.get('propagationPolicy') as Propagation | null) ?? undefined;
  if (body?.orphanDependents === true) propagation = 'Orphan';
  if (propagation && !['Background', 'Foreground', 'Orphan'].includes(propagation)) {
    throw errors.badRequest(`propagationPolicy: Unsupported value: "${propagation}"`);
  }
  return {
    ...(propagation ? { propagationPolicy: propagation } : {}),
    ...(body?.preconditions ? { preconditions: body.preconditions } : {}),
    dryRun: (body?.dryRun ?? []).includes('All') || q.getAll('dryRun').includes('All'),
  };
}

function joinSelector(existing: string | null, extra: string): string {
  return existing ? `${existing},${extra}` : extra;
}

function injectedError(code: number, rt: ResourceType, name: string | undefined): ApiError {
  switch (code) {
    case 409:
      return errors.conflict(rt, name ?? '');
    case 429:
      return errors.tooManyRequests('Too many requests, please try again later.');
    case 403:
      return errors.forbidden(`${rt.resource} is forbidden: injected fault`);
    case 404:
      return errors.notFound(rt, name ?? '');
    case 410:
      return errors.gone('too old resource version: injected fault');
    case 503:
      return new ApiError(
        503,
        'ServiceUnavailable',
        'the server is currently unable to handle the request',
      );
    default:
      return errors.internal('injected fault');
  }
}

/**
 * The Eviction API without PodDisruptionBudgets: the pod is deleted and 201 answered, as a
 * real server does when no budget blocks it.
 */
async function evictPod(
  res: ServerResponse,
  svc: ObjectService,
  rt: ResourceType,
  namespace: string | undefined,
  name: string,
  faults: Faults,
  req: IncomingMessage,
): Promise<void> {
  const injected = faults.errorFor('create', 'pods/eviction');
  if (injected !== undefined) throw injectedError(injected, rt, name);
  parseJson(await readBody(req), 'error decoding Eviction');
  svc.delete(rt, namespace, name, {});
  send(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}
