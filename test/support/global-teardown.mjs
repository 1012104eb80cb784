export default async function globalTeardown() {
  await Promise.all((globalThis.__emulators__ ?? []).map((moto) => moto.stop()));
}
