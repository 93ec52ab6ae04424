// `kubectl argo rollouts get rollout` text: the header block, a blank line, then the tree
// (../shared/spec/cli-dashboard-ops.md §2.2–2.4).
import { rolloutImages } from '../info/images.ts';
import type { ImageInfo, RolloutInfo } from '../info/types.ts';
import { colorizer, type Colorizer } from './colors.ts';
import { renderTable, rolloutTreeRows } from './tree.ts';

export interface RenderOptions {
  color: boolean;
  now: Date;
}

export function renderRollout(info: RolloutInfo, opts: RenderOptions): string {
  const c = colorizer(opts.color);
  return (
    renderRolloutHeader(info, c) + '\n' + renderTable(rolloutTreeRows(info, { c, now: opts.now }))
  );
}

/** Go's `%-17s%v`: labels are left-justified to 17 columns, values follow directly. */
export function headerLine(label: string, value: string | number): string {
  return `${label.padEnd(17)}${value}\n`;
}

export function formatImage(image: ImageInfo, c: Colorizer): string {
  if (image.tags.length === 0) return image.image;
  return `${image.image} (${image.tags.map((t) => c(t)).join(', ')})`;
}

function renderRolloutHeader(info: RolloutInfo, c: Colorizer): string {
  let out = '';
  out += headerLine('Name:', info.objectMeta.name);
  out += headerLine('Namespace:', info.objectMeta.namespace);
  out += headerLine('Status:', `${c(info.icon)} ${info.status}`);
  if (info.message) out += headerLine('Message:', info.message);
  out += headerLine('Strategy:', info.strategy);
  if (info.strategy === 'Canary') {
    out += headerLine('  Step:', info.step);
    out += headerLine('  SetWeight:', info.setWeight);
    out += headerLine('  ActualWeight:', info.actualWeight);
  }
  rolloutImages(info).forEach((image, i) => {
    out += headerLine(i === 0 ? 'Images:' : '', formatImage(image, c));
  });
  out += 'Replicas:\n';
  out += headerLine('  Desired:', info.desired);
  out += headerLine('  Current:', info.current);
  out += headerLine('  Updated:', info.updated);
  out += headerLine('  Ready:', info.ready);
  out += headerLine('  Available:', info.available);
  return out;
}
