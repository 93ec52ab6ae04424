// SIGINT/SIGTERM for the watching commands: the first signal ends the watch (the command then
// finishes normally); a second one exits at once with code 1.
export function onSignals(first: () => void): { dispose(): void } {
  let seen = false;
  const handler = (): void => {
    if (seen) process.exit(1);
    seen = true;
    first();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    dispose() {
      // Keep exiting on a second signal while the command winds down.
      if (!seen) {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      }
    },
  };
}
