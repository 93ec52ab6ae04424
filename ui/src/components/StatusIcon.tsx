import { TONE_GLYPH, statusTone, type Tone } from '../util.ts';

/**
 * A coloured glyph with the status as its accessible name; `decorative` hides it from
 * assistive technology when the surrounding control already names the status.
 */
export function StatusIcon({
  status,
  tone,
  title,
  decorative,
}: {
  status?: string | undefined;
  tone?: Tone;
  title?: string;
  decorative?: boolean;
}) {
  const t = tone ?? statusTone(status);
  const label = title ?? status ?? 'Unknown';
  if (decorative) {
    return (
      <span className={`status-icon tone-${t}`} aria-hidden="true">
        {TONE_GLYPH[t]}
      </span>
    );
  }
  return (
    <span className={`status-icon tone-${t}`} role="img" aria-label={label} title={label}>
      {TONE_GLYPH[t]}
    </span>
  );
}
