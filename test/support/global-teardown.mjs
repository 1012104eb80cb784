export default async function globalTeardown() {
  await globalThis.__moto__?.stop();
}
