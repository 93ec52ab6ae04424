// Runs a non-node program (Prometheus) for the demo and ties its life to the demo's: started by
// processes.ts with an IPC channel, it passes SIGTERM/SIGINT on to the program, exits with the
// program's status, and stops the program when the channel closes, i.e. when the demo is gone,
// even after a SIGKILL that gave the demo no chance to clean up.
//   node child-guard.js <program> [args…]
import { spawn } from 'node:child_process';

const [program, ...args] = process.argv.slice(2);
if (!program) {
  process.stderr.write('child-guard: no program given\n');
  process.exit(2);
}
const child = spawn(program, args, { stdio: 'inherit' });
let stopping = false;
const stop = (sig: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  child.kill(sig);
  setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGTERM'));
if (process.channel) {
  process.channel.unref();
  process.on('disconnect', () => stop('SIGTERM'));
}
child.on('error', (e) => {
  process.stderr.write(`child-guard: ${program}: ${e.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  if (signal)
    process.exit(stopping && signal === 'SIGTERM' ? 0 : 128 + (signalNumber(signal) ?? 0));
  process.exit(code ?? 1);
});

function signalNumber(sig: NodeJS.Signals): number | undefined {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[sig];
}
