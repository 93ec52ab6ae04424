// Objects grouped by the UIDs in their ownerReferences. The dashboard's list builds the info of
// every Rollout of a namespace; looking up each one's ReplicaSets and their pods here keeps that
// linear, where handing every Rollout the whole namespace scanned it once per Rollout (quadratic:
// bench/README.md, "Dashboard").
import type { KubeObject } from '../../src/api/kube-object.ts';

export class OwnerIndex {
  private readonly byOwner = new Map<string, KubeObject[]>();

  constructor(objects: readonly KubeObject[]) {
    for (const o of objects) {
      for (const ref of o.metadata.ownerReferences ?? []) {
        if (!ref.uid) continue;
        const list = this.byOwner.get(ref.uid);
        if (list) list.push(o);
        else this.byOwner.set(ref.uid, [o]);
      }
    }
  }

  /** The objects with an ownerReference to `uid` (any, as `ownedBy` matches), in input order. */
  owned(uid: string | undefined): readonly KubeObject[] {
    return (uid && this.byOwner.get(uid)) || [];
  }
}
