// One moto server per jest worker. moto is one Python process, so one emulator uses at most one
// core: with one per worker the integration run uses every core the workers have. Each test file
// still creates its own uniquely named queues, table and bucket, and an emulator's account is
// shared only by the files its worker runs one after another. An emulator that is already running
// (AWS_ENDPOINT_URL set) is used by every worker as it is.
import { startMoto } from '../../infra/moto.mjs';

export default async function globalSetup(globalConfig) {
  if (process.env.AWS_ENDPOINT_URL) return;
  const count = Math.max(1, globalConfig.maxWorkers);
  const emulators = await Promise.all(Array.from({ length: count }, () => startMoto()));
  globalThis.__emulators__ = emulators;
  // Read by test/support/worker-emulator.mjs in each worker; workers inherit this process's env.
  process.env.TEST_EMULATORS = emulators.map((moto) => moto.endpoint).join(',');
}
