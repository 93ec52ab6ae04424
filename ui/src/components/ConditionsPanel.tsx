// The Rollout's conditions (our addition to the info): one row per condition, coloured by
// what it means for people (util.ts conditionTone), and why the rollout is paused.
import type { PauseCondition, RolloutCondition } from '../types.ts';
import { age, conditionTone, TONE_GLYPH } from '../util.ts';
import { useNow } from './hooks.ts';

export function ConditionsPanel({
  conditions,
  pauseConditions,
}: {
  conditions: RolloutCondition[];
  pauseConditions: PauseCondition[];
}) {
  const now = useNow(1000);
  return (
    <section className="panel" aria-labelledby="conditions-h">
      <h2 id="conditions-h">Conditions</h2>
      {pauseConditions.length ? (
        <ul className="pause-reasons" aria-label="Pause reasons">
          {pauseConditions.map((p) => (
            <li key={p.reason}>
              <span className="chip chip-paused">{p.reason}</span>
              {p.startTime ? (
                <span className="muted">
                  paused for{' '}
                  <time dateTime={p.startTime} title={p.startTime}>
                    {age(p.startTime, now)}
                  </time>
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {conditions.length === 0 ? <p className="muted">No conditions yet.</p> : null}
      {conditions.length ? (
        <table className="plain conditions">
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Reason</th>
              <th scope="col">Message</th>
              <th scope="col">Last transition</th>
            </tr>
          </thead>
          <tbody>
            {conditions.map((c) => {
              const tone = conditionTone(c.type, c.status, c.reason);
              return (
                <tr key={c.type} className={`condition tone-row-${tone}`} data-type={c.type}>
                  <th scope="row">{c.type}</th>
                  <td>
                    <span className={`condition-status tone-${tone}`}>
                      <span aria-hidden="true">{TONE_GLYPH[tone]}</span> {c.status}
                    </span>
                  </td>
                  <td>{c.reason}</td>
                  <td className="condition-message">{c.message}</td>
                  <td>
                    {c.lastTransitionTime ? (
                      <time dateTime={c.lastTransitionTime} title={c.lastTransitionTime}>
                        {age(c.lastTransitionTime, now)} ago
                      </time>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
