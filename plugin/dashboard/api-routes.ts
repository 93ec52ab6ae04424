// The handlers of the dashboard API (cli-dashboard-ops §3.2): each route of routes.ts mapped to
// the plugin's own functions, so a button in the UI changes the Rollout exactly as the matching
// `kubectl argo rollouts` command does. Replies are JSON; `?fields=` filters them (§3.3).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../src/kube/raw-client.ts';
import { abortRollout } from '../commands/abort.ts';
import { pauseRollout } from '../commands/pause.ts';
import { promoteRollout } from '../commands/promote.ts';
import { restartRollout } from '../commands/restart.ts';
import { resumeRollout } from '../commands/resume.ts';
import { retryRollout } from '../commands/retry.ts';
import { fetchView, infoOf } from '../commands/rollout-data.ts';
import { setImage } from '../commands/set.ts';
import { undoRollout } from '../commands/undo.ts';
import { versionInfo } from '../commands/version.ts';
import { encodeRolloutInfo } from '../info/encode.ts';
import { pathOf, ROLLOUTS, type Kube } from '../kube.ts';
import { ApiError, errorReply, GRPC } from './api-errors.ts';
import { applyFields, parseFields, type FieldsFilter } from './fields-filter.ts';
import { infoExtras, withExtras } from './info-extras.ts';
import { streamRolloutInfos } from './list-watch.ts';
import { listRolloutInfos } from './rollout-infos.ts';
import { rolloutEvents } from './rollout-events.ts';
import { streamRolloutInfo, type RolloutWatchTiming } from './rollout-watch.ts';
import { matchRoute, type Route, type SimpleAction } from './routes.ts';
import { ResponseStream } from './stream.ts';

export interface ApiContext {
  kube: Kube;
  /** Every stream not yet fully stopped; closing the server ends them and waits for them. */
  streams: Set<ResponseStream>;
  keepAliveMs?: number | undefined;
  watchTiming?: RolloutWatchTiming | undefined;
}

const MAX_BODY = 1 << 20;

function serverUrl(kube: Kube): string | undefined {
  try {
    return kube.kc.getCurrentCluster()?.server;
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const buf = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': buf.length });
  res.end(buf);
}

/** The request body as JSON; `{}` when empty. The path parameters win over its fields. */
async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new ApiError(413, GRPC.invalidArgument, 'request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, GRPC.invalidArgument, (e as Error).message);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new ApiError(400, GRPC.invalidArgument, 'the request body must be a JSON object');
  }
  return v as Record<string, unknown>;
}

/** A JSON bool field of the body (`"full"`); protojson also takes the strings "true"/"false". */
function boolField(body: Record<string, unknown>, key: string): boolean {
  const v = body[key];
  if (v === undefined || v === null || v === false || v === 'false') return false;
  if (v === true || v === 'true') return true;
  throw new ApiError(
    400,
    GRPC.invalidArgument,
    `invalid value for bool field ${key}: ${JSON.stringify(v)}`,
  );
}

function parseRevision(v: string): number {
  if (!/^[+-]?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
    throw new ApiError(
      400,
      GRPC.invalidArgument,
      `type mismatch, parameter: revision, error: strconv.ParseInt: parsing "${v}": invalid syntax`,
    );
  }
  return Number(v);
}

/** `availableNamespaces`: the namespaces of all Rollouts, first-seen order; [] when not allowed. */
async function availableNamespaces(kube: Kube): Promise<string[]> {
  try {
    const list = await kube.client.list(pathOf(ROLLOUTS, undefined));
    const seen: string[] = [];
    for (const ro of list.items) {
      const ns = ro.metadata.namespace;
      if (ns && !seen.includes(ns)) seen.push(ns);
    }
    return seen;
  } catch {
    return [];
  }
}

const ACTIONS: Record<
  SimpleAction,
  (kube: Kube, ns: string, name: string, body: Record<string, unknown>) => Promise<KubeObject>
> = {
  restart: (kube, ns, name) => restartRollout(kube, ns, name),
  promote: (kube, ns, name, body) =>
    promoteRollout(kube, ns, name, { full: boolField(body, 'full') }),
  abort: (kube, ns, name) => abortRollout(kube, ns, name),
  retry: (kube, ns, name) => retryRollout(kube, ns, name),
  pause: (kube, ns, name) => pauseRollout(kube, ns, name),
  resume: (kube, ns, name) => resumeRollout(kube, ns, name),
};

/** The unary routes: the reply body. */
async function unary(ctx: ApiContext, route: Route, req: IncomingMessage): Promise<unknown> {
  const { kube } = ctx;
  switch (route.kind) {
    case 'namespace': {
      const namespaces = await availableNamespaces(kube);
      return {
        namespace: kube.namespace,
        ...(namespaces.length ? { availableNamespaces: namespaces } : {}),
      };
    }
    case 'version':
      return { rolloutsVersion: versionInfo().version };
    case 'list': {
      const infos = await listRolloutInfos(kube, route.namespace);
      return infos.length ? { rollouts: infos.map(encodeRolloutInfo) } : {};
    }
    case 'info': {
      const data = await fetchView({ ...kube, namespace: route.namespace }, route.name);
      return withExtras(encodeRolloutInfo(infoOf(data, new Date())), infoExtras(data.rollout));
    }
    case 'events': {
      const events = await rolloutEvents(kube, route.namespace, route.name);
      // An empty list is omitted (`{}`), like every list of this API (§3.3).
      return events.length ? { events } : {};
    }
    case 'action': {
      const body = await readJsonBody(req);
      return ACTIONS[route.action](kube, route.namespace, route.name, body);
    }
    case 'setImage': {
      await readJsonBody(req);
      await setImage(kube, route.namespace, route.name, route.container, route.image);
      // The original reads the reply from a cache it never starts (§3.2 QUIRK); read it back.
      return kube.client.get(pathOf(ROLLOUTS, route.namespace, route.name));
    }
    case 'undo': {
      await readJsonBody(req);
      const revision = parseRevision(route.revision);
      await undoRollout(kube, route.namespace, route.name, revision);
      return kube.client.get(pathOf(ROLLOUTS, route.namespace, route.name));
    }
    case 'listWatch':
    case 'infoWatch':
      throw new Error(`${route.kind} is a stream`);
  }
}

function fieldsOf(req: IncomingMessage): FieldsFilter | undefined {
  const query = (req.url ?? '').split('?')[1] ?? '';
  return parseFields(new URLSearchParams(query).getAll('fields'));
}

/** Serves one API request; `path` is the request path with the root path removed (`/api/…`). */
export async function handleApi(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const server = serverUrl(ctx.kube);
  const match = matchRoute(req.method ?? 'GET', path);
  if (!match.ok) {
    const reply =
      match.reason === 'methodNotAllowed'
        ? errorReply(new ApiError(405, GRPC.unimplemented, 'Method Not Allowed'))
        : errorReply(new ApiError(404, GRPC.notFound, 'Not Found'));
    sendJson(res, reply.httpStatus, reply.body);
    return;
  }
  const { route } = match;
  let fields: FieldsFilter | undefined;
  try {
    fields = fieldsOf(req);
  } catch (e) {
    const reply = errorReply(e, server);
    sendJson(res, reply.httpStatus, reply.body);
    return;
  }
  if (route.kind === 'infoWatch' || route.kind === 'listWatch') {
    const stream = new ResponseStream(req, res, {
      fields,
      server,
      ...(ctx.keepAliveMs !== undefined ? { keepAliveMs: ctx.keepAliveMs } : {}),
    });
    ctx.streams.add(stream);
    // Kept until its watches have stopped, so that closing the server can wait for them.
    void stream.stopped().then(() => ctx.streams.delete(stream));
    if (route.kind === 'infoWatch') {
      await streamRolloutInfo(ctx.kube, route.namespace, route.name, stream, ctx.watchTiming);
    } else {
      await streamRolloutInfos(ctx.kube, route.namespace, stream);
    }
    return;
  }
  try {
    const body = await unary(ctx, route, req);
    sendJson(res, 200, fields ? applyFields(body, fields) : body);
  } catch (e) {
    const reply = errorReply(e, server);
    sendJson(res, reply.httpStatus, reply.body);
  }
}
