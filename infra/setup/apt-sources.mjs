// Finds the machine's own Debian archive entry, so the private apt configuration uses the same mirror
// and keyring as the system (the repository never names a mirror host).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SetupError } from './util.mjs';

/** Fields of /etc/os-release, e.g. { ID: 'debian', VERSION_CODENAME: 'bookworm' }. */
export function osRelease() {
  const fields = {};
  if (!existsSync('/etc/os-release')) return fields;
  for (const line of readFileSync('/etc/os-release', 'utf8').split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) fields[match[1]] = match[2].replace(/^(["'])(.*)\1$/, '$2');
  }
  return fields;
}

/**
 * deb822 stanzas as maps of lower-cased field name to raw value. Continuation lines keep their
 * leading space, so a multi-line value (an inline Signed-By key) can be written back verbatim.
 */
function parseDeb822(text) {
  const stanzas = [];
  let current = {};
  let last;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (Object.keys(current).length > 0) stanzas.push(current);
      current = {};
      last = undefined;
    } else if (line.startsWith('#')) {
      continue;
    } else if (/^[ \t]/.test(line) && last !== undefined) {
      current[last] += `\n${line}`;
    } else {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      last = line.slice(0, colon).trim().toLowerCase();
      current[last] = line.slice(colon + 1).trim();
    }
  }
  if (Object.keys(current).length > 0) stanzas.push(current);
  return stanzas;
}

const words = (value) => (value ?? '').split(/\s+/).filter((w) => w !== '');

function fromDeb822File(path, codename) {
  for (const stanza of parseDeb822(readFileSync(path, 'utf8'))) {
    if ((stanza.enabled ?? 'yes').toLowerCase() === 'no') continue;
    if (!words(stanza.types).includes('deb')) continue;
    if (!words(stanza.suites).includes(codename) || !words(stanza.components).includes('main')) continue;
    const uris = words(stanza.uris);
    if (uris.length === 0) continue;
    return { uris, signedBy: stanza['signed-by'], origin: path };
  }
  return undefined;
}

/** One-line format: `deb [signed-by=/usr/share/keyrings/x.gpg arch=amd64] URI SUITE COMPONENT...`. */
function fromOneLineFile(path, codename) {
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const match = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s+(.+)$/.exec(line);
    if (!match) continue;
    const [, options = '', uri, suite, components] = match;
    if (suite !== codename || !words(components).includes('main')) continue;
    const signedBy = words(options)
      .map((option) => /^signed-by=(.+)$/i.exec(option)?.[1])
      .find((value) => value !== undefined);
    return { uris: [uri], signedBy, origin: path };
  }
  return undefined;
}

function filesIn(dir, extension) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(extension))
    .sort()
    .map((name) => join(dir, name));
}

/** The first `deb` entry for `codename` with component main under `aptEtc`, or undefined. */
export function findDebianEntry(codename, aptEtc = '/etc/apt') {
  const parts = join(aptEtc, 'sources.list.d');
  const list = join(aptEtc, 'sources.list');
  const candidates = [
    ...filesIn(parts, '.sources').map((path) => () => fromDeb822File(path, codename)),
    () => (existsSync(list) ? fromOneLineFile(list, codename) : undefined),
    ...filesIn(parts, '.list').map((path) => () => fromOneLineFile(path, codename)),
  ];
  for (const candidate of candidates) {
    const found = candidate();
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The machine's Debian entry for its own release: { codename, uris, signedBy?, origin }.
 * Throws a SetupError saying why when this is not a Debian machine or no entry matches.
 */
export function debianSource() {
  const os = osRelease();
  if (os.ID !== 'debian') throw new SetupError(`this is not Debian (ID=${os.ID ?? 'unknown'})`);
  const codename = os.VERSION_CODENAME;
  if (codename === undefined || codename === '')
    throw new SetupError('/etc/os-release has no VERSION_CODENAME');
  const found = findDebianEntry(codename);
  if (found === undefined) {
    throw new SetupError(
      `no apt source for '${codename} main' in /etc/apt/sources.list or /etc/apt/sources.list.d/`,
    );
  }
  return { codename, ...found };
}
