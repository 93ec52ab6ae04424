// The Rollout's Events (our `…/{name}/events`), newest first, Warnings highlighted. Re-read
// as the watch delivers new infos (api.ts useRolloutEvents), so it follows the rollout live.
import type { RolloutEvent } from '../types.ts';
import { age, newestFirst } from '../util.ts';
import { useNow } from './hooks.ts';

export function EventsPanel({ events, error }: { events?: RolloutEvent[]; error?: string }) {
  const now = useNow(1000);
  const list = newestFirst(events ?? []);
  // Stable keys across re-reads (an index would move with every new event at the top).
  const seen = new Map<string, number>();
  const keys = list.map((e) => {
    const k = `${e.firstTimestamp ?? ''}|${e.type ?? ''}|${e.reason ?? ''}|${e.message ?? ''}`;
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    return n ? `${k}#${n}` : k;
  });
  return (
    <section className="panel" aria-labelledby="events-h">
      <h2 id="events-h">Events</h2>
      {error ? (
        <p className="field-error" role="status">
          Could not read the events: {error}
        </p>
      ) : null}
      {events === undefined && !error ? <p className="muted">Loading…</p> : null}
      {events !== undefined && list.length === 0 ? <p className="muted">No events.</p> : null}
      {list.length ? (
        <ol className="events" aria-label="Events, newest first">
          {list.map((e, i) => {
            const warning = e.type === 'Warning';
            return (
              <li key={keys[i]} className={`event${warning ? ' event-warning' : ''}`}>
                <span className={`event-type${warning ? ' tone-warning' : ' muted'}`}>
                  {warning ? (
                    <>
                      <span aria-hidden="true">⚠ </span>Warning
                    </>
                  ) : (
                    (e.type ?? 'Normal')
                  )}
                </span>
                <strong className="event-reason">{e.reason}</strong>
                <span className="event-message">{e.message}</span>
                {e.count && e.count > 1 ? (
                  <span className="chip" title={`Seen ${e.count} times`}>
                    ×{e.count}
                  </span>
                ) : null}
                {e.lastTimestamp ? (
                  <time
                    className="muted event-age"
                    dateTime={e.lastTimestamp}
                    title={e.lastTimestamp}
                  >
                    {age(e.lastTimestamp, now)} ago
                  </time>
                ) : null}
              </li>
            );
          })}
        </ol>
      ) : null}
    </section>
  );
}
