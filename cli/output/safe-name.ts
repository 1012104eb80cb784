import { createHash } from 'node:crypto';

const SAFE = /^[A-Za-z0-9_:-][A-Za-z0-9_.:-]*$/;
const MAX_BYTES = 200;

/**
 * A thing name as one directory name that cannot leave the folder it is made in: AWS IoT's own
 * characters (letters, digits, `_ - : .`) stay as they are; anything else (`/`, `..`, `%`, spaces,
 * non-ASCII) is percent-encoded, so two different names never share a directory. A name too long
 * for a file system is cut and suffixed with a hash of the whole.
 */
export function safeDirName(thingName: string): string {
  let name = SAFE.test(thingName)
    ? thingName
    : Array.from(new TextEncoder().encode(thingName), (b, i) => {
        const c = String.fromCharCode(b);
        const keep = /[A-Za-z0-9_:-]/.test(c) || (c === '.' && i > 0);
        return keep ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
      }).join('');
  if (name.length > MAX_BYTES) {
    const hash = createHash('sha256').update(thingName).digest('hex').slice(0, 16);
    name = `${name.slice(0, MAX_BYTES - 17)}~${hash}`;
  }
  return name;
}
