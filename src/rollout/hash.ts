// Pod-template hash and step hash exactly as Argo Rollouts computes them
// (../shared/spec/rollout-semantics.md §5.1–5.2; argo-rollouts utils/hash/hash.go and
// utils/conditions ComputeStepHash): 32-bit FNV-1a over Go `json.Marshal` bytes, then
// k8s.io/apimachinery `rand.SafeEncodeString` of the decimal sum.
import { goJsonCanarySteps, goJsonPodTemplateSpec, type GoJsonOptions } from './go-json.ts';

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const encoder = new TextEncoder();

/** 32-bit FNV-1a (hash/fnv New32a), as an unsigned integer. */
export function fnv1a32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString(fmt.Sprint(n)): each character c → alphabet[codepoint(c) % 27]. */
export function safeEncode(n: number | string): string {
  let out = '';
  for (const ch of String(n)) out += SAFE_ALPHABET[ch.codePointAt(0)! % SAFE_ALPHABET.length];
  return out;
}

/**
 * Hash of already-serialised bytes: FNV-1a, plus (when collisionCount is given, 0 included)
 * 8 bytes = uint32 little-endian count followed by four zero bytes.
 */
export function hashGoJson(json: string | Uint8Array, collisionCount?: number | null): string {
  const bytes = typeof json === 'string' ? encoder.encode(json) : json;
  let h = fnv1a32(bytes);
  if (collisionCount !== undefined && collisionCount !== null) {
    const extra = new Uint8Array(8);
    new DataView(extra.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv1a32(extra, h);
  }
  return safeEncode(h);
}

/**
 * `rollouts-pod-template-hash` of a Rollout's `spec.template` (hash.ComputePodTemplateHash).
 * Defaults reproduce argo-rollouts v1.8 (k8s 1.29 libraries, `"creationTimestamp":null`).
 */
export function podTemplateHash(
  template: unknown,
  collisionCount?: number | null,
  opts: GoJsonOptions = {},
): string {
  return hashGoJson(goJsonPodTemplateSpec(template, opts), collisionCount);
}

/**
 * `status.currentStepHash` input: the canary steps. Absent/null → Go nil slice → `null`
 * (5ffbfbbd64); an explicit empty list stays `[]` in Go (a non-nil empty slice) → 5f8cb5778f.
 */
export function stepsHash(steps: unknown[] | undefined | null): string {
  return hashGoJson(goJsonCanarySteps(steps ?? null));
}

/** conditions.ComputeStepHash: "" for blue-green or a missing canary strategy. */
export function rolloutStepHash(spec: {
  strategy?: { canary?: { steps?: unknown[] } | null; blueGreen?: unknown } | null;
}): string {
  const strategy = spec.strategy;
  if (!strategy || (strategy.blueGreen !== undefined && strategy.blueGreen !== null)) return '';
  if (!strategy.canary) return '';
  return stepsHash(strategy.canary.steps);
}
