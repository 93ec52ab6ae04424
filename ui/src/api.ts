// The dashboard REST API (§3.2) and its SSE streams (§3.4), relative to the page's <base>.
import { useEffect, useRef, useState } from 'react';
import { Throttle } from './throttle.ts';
import type { RolloutEvent, RolloutInfo, RolloutWatchEvent } from './types.ts';

/** `<base href>` + `api/v1/`: the server rewrites <base> to `/<rootPath>/`. */
export function apiUrl(path: string): string {
  return new URL(`api/v1/${path}`, document.baseURI).toString();
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The text shown to people for a failed call (403 reads "Permission Denied"). */
export function errorText(e: unknown): string {
  if (e instanceof ApiError && e.status === 403) return 'Permission Denied';
  if (e instanceof Error) return e.message;
  return String(e);
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(apiUrl(path), {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) {
    let message = text || res.statusText;
    try {
      const j = JSON.parse(text) as { message?: string };
      if (j.message) message = j.message;
    } catch {
      // not JSON: keep the text
    }
    throw new ApiError(res.status, message);
  }
  return (text ? JSON.parse(text) : {}) as T;
}

const seg = encodeURIComponent;

export const api = {
  namespace: () => call<{ namespace?: string; availableNamespaces?: string[] }>('GET', 'namespace'),
  version: () => call<{ rolloutsVersion?: string }>('GET', 'version'),
  list: (ns: string) => call<{ rollouts?: RolloutInfo[] }>('GET', `rollouts/${seg(ns)}/info`),
  info: (ns: string, name: string) =>
    call<RolloutInfo>('GET', `rollouts/${seg(ns)}/${seg(name)}/info`),
  /** Ours: the Rollout's Events, newest first (`{}` when there are none). */
  events: (ns: string, name: string) =>
    call<{ events?: RolloutEvent[] }>('GET', `rollouts/${seg(ns)}/${seg(name)}/events`),
  restart: (ns: string, name: string) =>
    call<unknown>('PUT', `rollouts/${seg(ns)}/${seg(name)}/restart`, {}),
  promote: (ns: string, name: string, full = false) =>
    call<unknown>('PUT', `rollouts/${seg(ns)}/${seg(name)}/promote`, { full }),
  abort: (ns: string, name: string) =>
    call<unknown>('PUT', `rollouts/${seg(ns)}/${seg(name)}/abort`, {}),
  retry: (ns: string, name: string) =>
    call<unknown>('PUT', `rollouts/${seg(ns)}/${seg(name)}/retry`, {}),
  setImage: (ns: string, name: string, container: string, image: string, tag: string) =>
    call<unknown>(
      'PUT',
      `rollouts/${seg(ns)}/${seg(name)}/set/${seg(container)}/${image
        .split('/')
        .map(seg)
        .join('/')}/${seg(tag)}`,
      {},
    ),
  undo: (ns: string, name: string, revision: number) =>
    call<unknown>('PUT', `rollouts/${seg(ns)}/${seg(name)}/undo/${revision}`, {}),
};

export type RolloutAction = 'restart' | 'promote' | 'promoteFull' | 'abort' | 'retry';

export function runAction(action: RolloutAction, ns: string, name: string): Promise<unknown> {
  switch (action) {
    case 'restart':
      return api.restart(ns, name);
    case 'promote':
      return api.promote(ns, name, false);
    case 'promoteFull':
      return api.promote(ns, name, true);
    case 'abort':
      return api.abort(ns, name);
    case 'retry':
      return api.retry(ns, name);
  }
}

/** True while the page is visible; streams are closed while it is hidden (§3.4). */
function usePageVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState !== 'hidden');
  useEffect(() => {
    const on = () => setVisible(document.visibilityState !== 'hidden');
    document.addEventListener('visibilitychange', on);
    return () => document.removeEventListener('visibilitychange', on);
  }, []);
  return visible;
}

/**
 * Subscribes to an SSE endpoint: each message's `JSON.parse(data).result` goes to `onResult`,
 * batched over `bufferMs`; on error the stream is reopened after 500 ms.
 */
export function useEventStream<T>(
  path: string | undefined,
  onResults: (items: T[]) => void,
  bufferMs = 500,
): { connected: boolean } {
  const visible = usePageVisible();
  const [connected, setConnected] = useState(false);
  const cb = useRef(onResults);
  cb.current = onResults;
  useEffect(() => {
    if (!path || !visible) return;
    let es: EventSource | undefined;
    let closed = false;
    let retry: number | undefined;
    let flush: number | undefined;
    let pending: T[] = [];
    const open = () => {
      es = new EventSource(apiUrl(path));
      es.onopen = () => setConnected(true);
      es.onmessage = (m: MessageEvent<string>) => {
        let result: T | undefined;
        try {
          result = (JSON.parse(m.data) as { result?: T }).result;
        } catch {
          return;
        }
        if (result === undefined) return;
        pending.push(result);
        if (flush === undefined) {
          flush = window.setTimeout(() => {
            flush = undefined;
            const batch = pending;
            pending = [];
            if (!closed) cb.current(batch);
          }, bufferMs);
        }
      };
      es.onerror = () => {
        setConnected(false);
        es?.close();
        if (!closed) retry = window.setTimeout(open, 500);
      };
    };
    open();
    return () => {
      closed = true;
      es?.close();
      window.clearTimeout(retry);
      window.clearTimeout(flush);
      setConnected(false);
    };
  }, [path, visible, bufferMs]);
  return { connected };
}

/** The namespace's rollouts: the list call, then the list watch merged by name (§3.4). */
export function useRolloutList(ns: string | undefined): {
  rollouts: RolloutInfo[];
  loading: boolean;
  error?: string;
  upsert: (info: RolloutInfo) => void;
} {
  const [state, setState] = useState<{
    ns?: string;
    items: RolloutInfo[];
    loaded?: boolean;
    error?: string;
  }>({ items: [] });
  useEffect(() => {
    if (!ns) return;
    let live = true;
    setState({ ns, items: [] });
    api.list(ns).then(
      (r) => {
        if (!live) return;
        setState((s) => ({
          ns,
          loaded: true,
          items: mergeByName(r.rollouts ?? [], s.ns === ns ? s.items : [], false),
        }));
      },
      (e: unknown) => {
        if (live) setState({ ns, items: [], loaded: true, error: errorText(e) });
      },
    );
    return () => {
      live = false;
    };
  }, [ns]);
  useEventStream<RolloutWatchEvent>(
    ns ? `rollouts/${encodeURIComponent(ns)}/info/watch` : undefined,
    (evs) => {
      const infos = evs.flatMap((e) => (e.rolloutInfo ? [e.rolloutInfo] : []));
      setState((s) => (s.ns === ns ? { ...s, items: mergeByName(s.items, infos, false) } : s));
    },
  );
  const upsert = (info: RolloutInfo) =>
    setState((s) => (s.ns === ns ? { ...s, items: mergeByName(s.items, [info], false) } : s));
  return {
    upsert,
    rollouts: state.ns === ns ? state.items : [],
    loading: state.ns !== ns || !state.loaded,
    ...(state.error ? { error: state.error } : {}),
  };
}

/**
 * Merges `incoming` into `items` by objectMeta.name (later wins). A full list also adds; a
 * watch batch adds too (a new rollout appears), keeping the order of first sight.
 */
export function mergeByName(
  items: RolloutInfo[],
  incoming: RolloutInfo[],
  _full: boolean,
): RolloutInfo[] {
  const out = [...items];
  for (const info of incoming) {
    const name = info.objectMeta?.name;
    const i = out.findIndex((x) => x.objectMeta?.name === name);
    if (i >= 0) out[i] = info;
    else out.push(info);
  }
  return out;
}

/** One rollout: the info call, then its watch; updates with an unchanged resourceVersion are ignored. */
export function useRollout(
  ns: string,
  name: string,
): { rollout?: RolloutInfo; error?: string; connected: boolean } {
  const [state, setState] = useState<{ key: string; info?: RolloutInfo; error?: string }>({
    key: '',
  });
  const key = `${ns}/${name}`;
  useEffect(() => {
    let live = true;
    api.info(ns, name).then(
      (info) => live && setState((s) => (s.key === key && s.info ? s : { key, info })),
      (e: unknown) =>
        live && setState((s) => (s.key === key && s.info ? s : { key, error: errorText(e) })),
    );
    return () => {
      live = false;
    };
  }, [ns, name, key]);
  const { connected } = useEventStream<RolloutInfo>(
    `rollouts/${encodeURIComponent(ns)}/${encodeURIComponent(name)}/info/watch`,
    (infos) => {
      const last = infos[infos.length - 1];
      if (!last) return;
      setState((s) => {
        if (
          s.key === key &&
          s.info?.objectMeta?.resourceVersion !== undefined &&
          s.info.objectMeta.resourceVersion === last.objectMeta?.resourceVersion &&
          sameShape(s.info, last)
        ) {
          return s;
        }
        return { key, info: last };
      });
    },
  );
  return {
    ...(state.key === key && state.info ? { rollout: state.info } : {}),
    ...(state.key === key && state.error ? { error: state.error } : {}),
    connected,
  };
}

/**
 * The rollout's resourceVersion does not move when only its pods or analysis runs change, so
 * an update with the same version is still taken when its JSON differs.
 */
function sameShape(a: RolloutInfo, b: RolloutInfo): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** How often the rollout page may re-read the events while the watch keeps delivering. */
export const EVENTS_GAP_MS = 2_000;

/**
 * The rollout's Events: read at once, then again whenever `version` changes (the page passes
 * each info the watch delivers: the controller writes its events while it changes the
 * Rollout, its ReplicaSets and pods), at most once per `gapMs`. A failed read keeps the events
 * already shown and reports the error beside them.
 */
export function useRolloutEvents(
  ns: string,
  name: string,
  version: unknown,
  gapMs = EVENTS_GAP_MS,
): { events?: RolloutEvent[]; error?: string } {
  const key = `${ns}/${name}`;
  const [state, setState] = useState<{ key: string; events?: RolloutEvent[]; error?: string }>({
    key: '',
  });
  const throttle = useRef<Throttle | undefined>(undefined);
  useEffect(() => {
    let live = true;
    const t = new Throttle(gapMs, async () => {
      try {
        const r = await api.events(ns, name);
        if (live) setState({ key, events: r.events ?? [] });
      } catch (e) {
        if (live) {
          setState((s) => ({
            key,
            ...(s.key === key && s.events ? { events: s.events } : {}),
            error: errorText(e),
          }));
        }
      }
    });
    throttle.current = t;
    return () => {
      live = false;
      t.dispose();
    };
  }, [ns, name, key, gapMs]);
  useEffect(() => {
    throttle.current?.request();
  }, [version, key]);
  return state.key === key
    ? {
        ...(state.events ? { events: state.events } : {}),
        ...(state.error ? { error: state.error } : {}),
      }
    : {};
}
