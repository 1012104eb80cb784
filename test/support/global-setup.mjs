// One moto server for the whole integration run; every test file creates its own uniquely named
// queues, table and bucket in it, so files run in parallel. An emulator that is already running
// (AWS_ENDPOINT_URL set) is used as it is.
import { startMoto } from '../../infra/moto.mjs';

export default async function globalSetup() {
  if (process.env.AWS_ENDPOINT_URL) return;
  const moto = await startMoto();
  process.env.AWS_ENDPOINT_URL = moto.endpoint;
  globalThis.__moto__ = moto;
}
