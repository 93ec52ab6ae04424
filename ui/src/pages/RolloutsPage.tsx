// Home: the namespace's rollouts as cards or a table, with filters, search and favourites.
import {
  useEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent as ReactKeyboardEvent,
} from 'react';
import { api, errorText, runAction, useRolloutList } from '../api.ts';
import { isTyping } from '../App.tsx';
import { ActionButton } from '../components/ActionButton.tsx';
import { StatusIcon } from '../components/StatusIcon.tsx';
import { useToast } from '../components/Toasts.tsx';
import { useStoredState } from '../components/hooks.ts';
import { Link, useRouter } from '../router.tsx';
import type { ReplicaSetInfo, RolloutInfo } from '../types.ts';
import { matchesSearch, requiresAttention } from '../util.ts';
import { PodIcon } from './RolloutPage.tsx';

const STATUSES = ['Progressing', 'Degraded', 'Paused', 'Healthy'] as const;
const PAGE_SIZES = [10, 20, 50, 100];
const FAV_KEY = 'rolloutsFavorites';

export function RolloutsPage({ namespace }: { namespace: string }) {
  const { rollouts, loading, error, upsert } = useRolloutList(namespace);
  const { location, navigate } = useRouter();
  const params = location.search;
  const [favorites, setFavorites] = useStoredState<Record<string, boolean>>(FAV_KEY, {});
  const search = params.get('q') ?? '';
  const statusFilter = new Set((params.get('status') ?? '').split(',').filter(Boolean));
  const favOnly = params.get('favorites') === 'true';
  const attentionOnly = params.get('attention') === 'true';
  const view = params.get('view') === 'table' ? 'table' : 'grid';
  const pageSize = PAGE_SIZES.includes(Number(params.get('pageSize')))
    ? Number(params.get('pageSize'))
    : 10;
  const [page, setPage] = useState(0);
  const [selected, setSelected] = useState(0);
  const searchRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);

  const setParam = (key: string, value: string | undefined) => {
    const p = new URLSearchParams(params);
    if (value === undefined || value === '') p.delete(key);
    else p.set(key, value);
    const qs = p.toString();
    navigate(`${location.path}${qs ? `?${qs}` : ''}`, { replace: true });
    setPage(0);
    setSelected(0);
  };

  const isFav = (r: RolloutInfo) => Boolean(favorites[r.objectMeta?.name ?? '']);
  const sorted = useMemo(
    () =>
      [...rollouts].sort((a, b) => {
        const fa = favorites[a.objectMeta?.name ?? ''] ? 0 : 1;
        const fb = favorites[b.objectMeta?.name ?? ''] ? 0 : 1;
        return fa - fb || (a.objectMeta?.name ?? '').localeCompare(b.objectMeta?.name ?? '');
      }),
    [rollouts, favorites],
  );
  const filtered = sorted.filter(
    (r) =>
      (!favOnly || isFav(r)) &&
      (!attentionOnly || requiresAttention(r)) &&
      (statusFilter.size === 0 || statusFilter.has(r.status ?? '')) &&
      matchesSearch(r, search),
  );
  const pages = Math.max(1, Math.ceil(filtered.length / pageSize));
  const shown =
    view === 'table' ? filtered.slice(page * pageSize, (page + 1) * pageSize) : filtered;
  const sel = Math.min(selected, Math.max(0, shown.length - 1));

  const counts = (s: string) => rollouts.filter((r) => r.status === s).length;
  const open = (r: RolloutInfo | undefined) => {
    if (!r?.objectMeta?.name) return;
    navigate(`/rollout/${encodeURIComponent(namespace)}/${encodeURIComponent(r.objectMeta.name)}`);
  };

  const focusItem = (i: number) => {
    setSelected(i);
    listRef.current?.querySelector<HTMLElement>(`[data-index="${i}"]`)?.focus();
  };

  // '/' focuses search; arrows move through the list; Enter opens.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (document.querySelector('[role="dialog"]')) return;
      if (e.key === '/' && !isTyping(e.target)) {
        e.preventDefault();
        searchRef.current?.focus();
        searchRef.current?.select();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  /** Items per row in the grid, from the laid-out cards. */
  const columns = () => {
    const cards = [...(listRef.current?.querySelectorAll<HTMLElement>('[data-index]') ?? [])];
    if (view === 'table' || cards.length === 0) return 1;
    const top = cards[0]!.offsetTop;
    const n = cards.findIndex((c) => c.offsetTop !== top);
    return n <= 0 ? cards.length : n;
  };

  const onListKey = (e: ReactKeyboardEvent) => {
    if (isTyping(e.target) && e.target !== searchRef.current) return;
    const last = shown.length - 1;
    if (last < 0) return;
    let next: number | undefined;
    if (e.key === 'ArrowRight') next = Math.min(last, sel + 1);
    else if (e.key === 'ArrowLeft') next = Math.max(0, sel - 1);
    else if (e.key === 'ArrowDown')
      next = e.target === searchRef.current ? sel : Math.min(last, sel + columns());
    else if (e.key === 'ArrowUp') {
      if (sel - columns() < 0) {
        e.preventDefault();
        searchRef.current?.focus();
        return;
      }
      next = sel - columns();
    } else if (e.key === 'Enter') {
      const t = e.target as HTMLElement;
      if (t === searchRef.current || t.dataset.index !== undefined) {
        e.preventDefault();
        open(shown[t.dataset.index !== undefined ? Number(t.dataset.index) : sel]);
      }
      return;
    } else if (e.key === 'Escape' && e.target === searchRef.current) {
      searchRef.current?.blur();
      return;
    }
    if (next === undefined) return;
    if (e.target === searchRef.current && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) return;
    e.preventDefault();
    focusItem(next);
  };

  const toggleFav = (name: string) => {
    const f = { ...favorites };
    if (f[name]) delete f[name];
    else f[name] = true;
    setFavorites(f);
  };

  const favCount = rollouts.filter(isFav).length;
  const attentionCount = rollouts.filter(requiresAttention).length;

  return (
    <div className="rollouts-page" onKeyDown={onListKey}>
      <h1 className="visually-hidden">Rollouts in {namespace}</h1>
      <div className="toolbar" role="toolbar" aria-label="Filters">
        <button
          type="button"
          className={`filter${favOnly ? ' active' : ''}`}
          aria-pressed={favOnly}
          onClick={() => setParam('favorites', favOnly ? undefined : 'true')}
        >
          <span aria-hidden="true">★</span> Favorites <span className="count">{favCount}</span>
        </button>
        <button
          type="button"
          className={`filter${attentionOnly ? ' active' : ''}`}
          aria-pressed={attentionOnly}
          onClick={() => setParam('attention', attentionOnly ? undefined : 'true')}
        >
          <span aria-hidden="true">⚠</span> Requires attention{' '}
          <span className="count">{attentionCount}</span>
        </button>
        {STATUSES.map((s) => {
          const on = statusFilter.has(s);
          return (
            <button
              key={s}
              type="button"
              className={`filter${on ? ' active' : ''}`}
              aria-pressed={on}
              onClick={() => {
                const next = new Set(statusFilter);
                if (on) next.delete(s);
                else next.add(s);
                setParam('status', [...next].join(','));
              }}
            >
              <StatusIcon status={s} decorative /> {s} <span className="count">{counts(s)}</span>
            </button>
          );
        })}
        <div className="header-spacer" />
        <input
          ref={searchRef}
          className="search"
          type="search"
          placeholder="Search rollouts  ( / )"
          aria-label="Search rollouts"
          title='Comma-separated terms: name, "exact-name", label:value, label:"exact", !negated'
          value={search}
          onChange={(e) => setParam('q', e.target.value)}
        />
        <div className="segmented" role="group" aria-label="Display mode">
          <button
            type="button"
            aria-pressed={view === 'grid'}
            className={view === 'grid' ? 'active' : ''}
            onClick={() => setParam('view', undefined)}
          >
            Grid
          </button>
          <button
            type="button"
            aria-pressed={view === 'table'}
            className={view === 'table' ? 'active' : ''}
            onClick={() => setParam('view', 'table')}
          >
            Table
          </button>
        </div>
      </div>

      {error ? (
        <p className="error-banner" role="alert">
          Could not list rollouts: {error}
        </p>
      ) : null}

      {loading ? (
        <p className="muted">Loading rollouts…</p>
      ) : rollouts.length === 0 ? (
        <div className="empty">
          <h2>No rollouts in namespace {namespace}</h2>
          <p>To get started, create one and watch it here:</p>
          <pre>
            {`kubectl apply -n ${namespace} -f https://raw.githubusercontent.com/argoproj/argo-rollouts/master/docs/getting-started/basic/rollout.yaml
kubectl apply -n ${namespace} -f https://raw.githubusercontent.com/argoproj/argo-rollouts/master/docs/getting-started/basic/service.yaml`}
          </pre>
        </div>
      ) : filtered.length === 0 ? (
        <p className="muted">No rollouts match the filters.</p>
      ) : view === 'grid' ? (
        <div className="card-grid" ref={listRef} role="list" aria-label="Rollouts">
          {shown.map((r, i) => (
            <RolloutCard
              key={r.objectMeta?.name}
              rollout={r}
              index={i}
              selected={i === sel}
              favorite={isFav(r)}
              onFavorite={() => toggleFav(r.objectMeta?.name ?? '')}
              onSelect={() => setSelected(i)}
              onOpen={() => open(r)}
              onRefresh={upsert}
            />
          ))}
        </div>
      ) : (
        <div ref={listRef}>
          <RolloutTable
            rollouts={shown}
            namespace={namespace}
            selected={sel}
            favorites={favorites}
            onFavorite={toggleFav}
            onSelect={setSelected}
          />
          <div className="pager">
            <label>
              Rows per page{' '}
              <select
                value={pageSize}
                onChange={(e) =>
                  setParam('pageSize', e.target.value === '10' ? undefined : e.target.value)
                }
              >
                {PAGE_SIZES.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </label>
            <button
              type="button"
              className="button"
              disabled={page === 0}
              onClick={() => setPage((p) => p - 1)}
            >
              Previous
            </button>
            <span>
              Page {page + 1} of {pages}
            </span>
            <button
              type="button"
              className="button"
              disabled={page >= pages - 1}
              onClick={() => setPage((p) => p + 1)}
            >
              Next
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

function rsRole(rs: ReplicaSetInfo): string {
  if (rs.canary) return 'Canary';
  if (rs.stable) return 'Stable';
  if (rs.preview) return 'Preview';
  if (rs.active) return 'Active';
  return '';
}

/** The ReplicaSets worth showing: those with a role or with replicas. */
function visibleReplicaSets(r: RolloutInfo): ReplicaSetInfo[] {
  return (r.replicaSets ?? [])
    .filter((rs) => rs.canary || rs.stable || rs.preview || rs.active || (rs.replicas ?? 0) > 0)
    .sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0));
}

const canPromote = (r: RolloutInfo) => r.status === 'Paused' || r.status === 'Progressing';

function RolloutCard({
  rollout: r,
  index,
  selected,
  favorite,
  onFavorite,
  onSelect,
  onOpen,
  onRefresh,
}: {
  rollout: RolloutInfo;
  index: number;
  selected: boolean;
  favorite: boolean;
  onFavorite: () => void;
  onSelect: () => void;
  onOpen: () => void;
  onRefresh: (info: RolloutInfo) => void;
}) {
  const name = r.objectMeta?.name ?? '';
  const ns = r.objectMeta?.namespace ?? '';
  const toast = useToast();
  const images = [...new Set((r.containers ?? []).map((c) => c.image ?? ''))].filter(Boolean);
  return (
    <article
      className={`card rollout-card tone-border-${r.status ?? 'Unknown'}${selected ? ' selected' : ''}`}
      role="listitem"
      aria-label={name}
      tabIndex={0}
      data-index={index}
      onFocus={onSelect}
      onClick={(e) => {
        if ((e.target as HTMLElement).closest('button, a, input')) return;
        onOpen();
      }}
    >
      <header className="card-header">
        <button
          type="button"
          className={`icon-button star${favorite ? ' on' : ''}`}
          aria-pressed={favorite}
          aria-label={`Favorite ${name}`}
          onClick={onFavorite}
        >
          {favorite ? '★' : '☆'}
        </button>
        <h2 className="card-title">
          <Link to={`/rollout/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`} tabIndex={-1}>
            {name}
          </Link>
        </h2>
        <button
          type="button"
          className="icon-button"
          aria-label={`Refresh ${name}`}
          title="Refresh"
          onClick={() => {
            api.info(ns, name).then(onRefresh, (e: unknown) => toast('error', errorText(e)));
          }}
        >
          ↻
        </button>
      </header>
      <div className="card-status">
        <StatusIcon status={r.status} decorative />
        <span className={`status-text tone-text-${r.status ?? 'Unknown'}`}>
          {r.status ?? 'Unknown'}
        </span>
        {r.strategy ? <span className="chip">{r.strategy}</span> : null}
      </div>
      <dl className="facts">
        {r.strategy === 'Canary' ? (
          <>
            {r.step ? (
              <>
                <dt>Step</dt>
                <dd>{r.step}</dd>
              </>
            ) : null}
            <dt>Weight</dt>
            <dd>{r.setWeight ?? '0'}</dd>
          </>
        ) : null}
        <dt>Ready</dt>
        <dd>
          {r.ready ?? 0}/{r.desired ?? 0}
        </dd>
      </dl>
      <ul className="rs-list" aria-label="ReplicaSets">
        {visibleReplicaSets(r).map((rs) => (
          <li key={rs.objectMeta?.name} className="rs-line">
            <span className="rs-rev">Rev {rs.revision ?? '?'}</span>
            {rsRole(rs) ? (
              <span className={`chip chip-${rsRole(rs).toLowerCase()}`}>{rsRole(rs)}</span>
            ) : null}
            <span className="pods">
              {(rs.pods ?? []).map((p) => (
                <PodIcon key={p.objectMeta?.name} pod={p} />
              ))}
            </span>
          </li>
        ))}
      </ul>
      {images.length ? (
        <ul className="images" aria-label="Images">
          {images.map((im) => (
            <li key={im}>
              <code>{im}</code>
            </li>
          ))}
        </ul>
      ) : null}
      {r.message && r.message !== 'CanaryPauseStep' ? <p className="message">{r.message}</p> : null}
      <div className="card-actions">
        <ActionButton
          label="Restart"
          confirm={`Restart the pods of ${name}?`}
          run={() => runAction('restart', ns, name)}
        />
        <ActionButton
          label="Promote"
          confirm={`Promote ${name} to the next step?`}
          disabled={!canPromote(r)}
          run={() => runAction('promote', ns, name)}
          className="button primary"
        />
      </div>
    </article>
  );
}

function RolloutTable({
  rollouts,
  namespace,
  selected,
  favorites,
  onFavorite,
  onSelect,
}: {
  rollouts: RolloutInfo[];
  namespace: string;
  selected: number;
  favorites: Record<string, boolean>;
  onFavorite: (name: string) => void;
  onSelect: (i: number) => void;
}) {
  return (
    <table className="rollout-table">
      <thead>
        <tr>
          <th scope="col">
            <span className="visually-hidden">Favorite</span>
          </th>
          <th scope="col">Name</th>
          <th scope="col">Strategy</th>
          <th scope="col">Step</th>
          <th scope="col">Weight</th>
          <th scope="col">ReplicaSets</th>
          <th scope="col">Status</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {rollouts.map((r, i) => {
          const name = r.objectMeta?.name ?? '';
          const ns = r.objectMeta?.namespace ?? namespace;
          const fav = Boolean(favorites[name]);
          return (
            <tr
              key={name}
              tabIndex={0}
              data-index={i}
              aria-label={name}
              className={i === selected ? 'selected' : ''}
              onFocus={() => onSelect(i)}
            >
              <td>
                <button
                  type="button"
                  className={`icon-button star${fav ? ' on' : ''}`}
                  aria-pressed={fav}
                  aria-label={`Favorite ${name}`}
                  onClick={() => onFavorite(name)}
                >
                  {fav ? '★' : '☆'}
                </button>
              </td>
              <td>
                <Link to={`/rollout/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`}>
                  {name}
                </Link>
              </td>
              <td>{r.strategy}</td>
              <td>{r.step ?? '-'}</td>
              <td>{r.strategy === 'Canary' ? (r.setWeight ?? '0') : '-'}</td>
              <td>
                {visibleReplicaSets(r)
                  .filter((rs) => rsRole(rs))
                  .map((rs) => (
                    <div key={rs.objectMeta?.name} className="rs-cell">
                      <StatusIcon status={rs.status} /> {rsRole(rs)}: Rev {rs.revision ?? '?'} (
                      {rs.available ?? 0}/{rs.replicas ?? 0})
                    </div>
                  ))}
              </td>
              <td title={r.message}>
                <StatusIcon status={r.status} decorative /> {r.status}
              </td>
              <td>
                <div className="row-actions">
                  <ActionButton
                    label="Restart"
                    confirm={`Restart the pods of ${name}?`}
                    run={() => runAction('restart', ns, name)}
                  />
                  <ActionButton
                    label="Promote"
                    confirm={`Promote ${name} to the next step?`}
                    disabled={!canPromote(r)}
                    run={() => runAction('promote', ns, name)}
                  />
                  <ActionButton
                    label="Abort"
                    confirm={`Abort ${name} and go back to the stable version?`}
                    disabled={!canPromote(r)}
                    run={() => runAction('abort', ns, name)}
                  />
                  <ActionButton
                    label="Retry"
                    confirm={`Retry ${name}?`}
                    disabled={r.status !== 'Degraded'}
                    run={() => runAction('retry', ns, name)}
                  />
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
