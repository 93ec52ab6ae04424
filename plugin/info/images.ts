// The `Images:` header lines (../shared/spec/cli-dashboard-ops.md §2.1.7): images of running
// ReplicaSets, tagged with the roles that run them.
import { compareStrings } from './kube.ts';
import type { ExperimentInfo, ImageInfo, ReplicaSetInfo, RolloutInfo } from './types.ts';

export function rolloutImages(info: RolloutInfo): ImageInfo[] {
  let images: ImageInfo[] = [];
  for (const rs of info.replicaSets) {
    if (rs.replicas <= 0) continue;
    for (const image of rs.images) images = mergeImage(images, { image, tags: roleTags(rs) });
  }
  for (const exp of info.experiments) {
    for (const image of experimentImages(exp)) images = mergeImage(images, image);
  }
  return images;
}

export function experimentImages(exp: ExperimentInfo): ImageInfo[] {
  let images: ImageInfo[] = [];
  for (const rs of exp.replicaSets) {
    if (rs.replicas <= 0) continue;
    const tags = rs.template ? [`Σ:${rs.template}`] : [];
    for (const image of rs.images) images = mergeImage(images, { image, tags });
  }
  return images;
}

function roleTags(rs: ReplicaSetInfo): string[] {
  const tags: string[] = [];
  if (rs.canary) tags.push('canary');
  if (rs.stable) tags.push('stable');
  if (rs.active) tags.push('active');
  if (rs.preview) tags.push('preview');
  if (rs.ping) tags.push('ping');
  if (rs.pong) tags.push('pong');
  return tags;
}

/**
 * A repeated image gets the sorted union of its tags, while a single sighting keeps the role
 * order: that asymmetry is the original's and shows in its output, e.g. `(stable, active)`.
 */
function mergeImage(images: ImageInfo[], next: ImageInfo): ImageInfo[] {
  const existing = images.find((i) => i.image === next.image);
  if (existing) {
    existing.tags = [...new Set([...existing.tags, ...next.tags])].sort(compareStrings);
  } else {
    images.push({ image: next.image, tags: [...next.tags] });
  }
  return images.sort((a, b) => compareStrings(a.image, b.image));
}
