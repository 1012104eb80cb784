// A test file talks to its worker's own emulator (test/support/global-setup.mjs), through the same
// AWS_ENDPOINT_URL the service reads. JEST_WORKER_ID counts from 1; in band it is 1.
const emulators = (process.env.TEST_EMULATORS ?? '').split(',').filter(Boolean);
if (emulators.length > 0) {
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  process.env.AWS_ENDPOINT_URL = emulators[(worker - 1) % emulators.length];
}
