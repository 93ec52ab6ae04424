// How each version of the demo application behaves: like Argo's rollouts-demo, an image whose tag
// contains "bad" (argoproj/rollouts-demo:bad-red, :bad-yellow …) answers half of its requests
// with HTTP 500; every other tag answers all of them with 200.

export const BAD_ERROR_RATE = 0.5;

/** The tag of an image reference (`repo/name:tag@digest` → `tag`; none → `latest`). */
export function imageTag(image: string): string {
  const noDigest = image.split('@')[0] ?? '';
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > lastSlash ? noDigest.slice(colon + 1) : 'latest';
}

export function isBadImage(image: string): boolean {
  return imageTag(image).includes('bad');
}

/** Fraction of requests the version answers with 500. */
export function errorRate(image: string): number {
  return isBadImage(image) ? BAD_ERROR_RATE : 0;
}

/**
 * Deterministic errors: an accumulator per image instead of random draws, so any run of N
 * requests has round(N × rate) errors, give or take one.
 */
export class ErrorPattern {
  private readonly acc = new Map<string, number>();

  /** Of `requests` requests to `image`, how many fail. */
  errors(image: string, requests: number): number {
    const rate = errorRate(image);
    let acc = this.acc.get(image) ?? 0;
    let failed = 0;
    for (let i = 0; i < requests; i++) {
      acc += rate;
      if (acc >= 1 - 1e-9) {
        acc -= 1;
        failed++;
      }
    }
    this.acc.set(image, acc);
    return failed;
  }
}
