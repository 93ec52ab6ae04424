// The emulator under benchmark, in its own process so that the load generator does not share
// its event loop (on a 2-core machine: one core each) and its CPU time can be read on its own.
import { startSim, type SimOptions } from '../../sim/index.ts';

type Message = { type: 'stats' } | { type: 'stop' };

const send = (m: object) => process.send!(m);
const options = JSON.parse(process.env.SIM_BENCH_OPTIONS ?? '{}') as SimOptions;
const sim = await startSim(options);
send({ type: 'ready', url: sim.url });
process.on('message', (m: Message) => {
  if (m.type === 'stats') {
    const cpu = process.cpuUsage();
    send({
      type: 'stats',
      cpuMs: (cpu.user + cpu.system) / 1000,
      heapUsed: process.memoryUsage().heapUsed,
      rv: sim.store.resourceVersion,
    });
  } else if (m.type === 'stop') {
    void sim.stop().then(() => {
      send({ type: 'stopped' });
      process.disconnect();
    });
  }
});
// Never outlive the benchmark that started us.
process.on('disconnect', () => process.exit(0));
