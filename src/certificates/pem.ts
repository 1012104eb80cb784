import * as asn1js from 'asn1js';

/**
 * The one way certificates and CSRs from outside are read. Lenient readers (OpenSSL's, Node's)
 * take the first block of whatever they are given, so a second certificate, a private key pasted
 * along, or trailing text would pass unseen and reach AWS, the task record or the caller. Here a
 * PEM must be exactly what it claims:
 *
 * - exactly one `-----BEGIN <label>-----` … `-----END <label>-----` block of an expected label,
 *   with nothing but white space before, after, or between the lines of its base64;
 * - no RFC 1421 headers, and base64 that re-encodes to the same text (so no stray padding or
 *   non-zero padding bits: the bytes are the only reading of the text);
 * - DER that is one complete ASN.1 SEQUENCE, with no byte after it.
 *
 * Returns why not as a phrase ("holds 2 PEM blocks"), for the caller's own error.
 */
export function readPem(
  text: string,
  labels: readonly string[],
): { der: Buffer; label: string } | { problem: string } {
  const blocks = [...text.matchAll(/-----BEGIN ([^-\r\n]*)-----([\s\S]*?)-----END ([^-\r\n]*)-----/g)];
  const first = blocks[0];
  if (first === undefined)
    return { problem: `is not PEM encoded (no -----BEGIN ${labels[0] ?? ''}----- line)` };
  if (blocks.length > 1) return { problem: `holds ${blocks.length} PEM blocks` };
  const [whole, label = '', body = '', endLabel] = first;
  if (!labels.includes(label))
    return { problem: `is a PEM ${label || '(unlabelled)'} block, not ${labels[0] ?? ''}` };
  if (endLabel !== label) return { problem: `begins as ${label} but ends as ${endLabel ?? ''}` };
  const outside = text.slice(0, first.index) + text.slice(first.index + whole.length);
  if (outside.trim() !== '') return { problem: 'has text before or after its PEM block' };

  const base64 = body.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0 || base64 === '') {
    return { problem: 'has a PEM body that is not base64' };
  }
  const der = Buffer.from(base64, 'base64');
  if (der.toString('base64') !== base64) return { problem: 'has a PEM body whose base64 is not canonical' };
  const { offset, result } = asn1js.fromBER(der);
  if (offset === -1 || !(result instanceof asn1js.Sequence)) {
    return { problem: 'does not hold DER: its bytes are not an ASN.1 structure' };
  }
  if (offset !== der.byteLength) {
    return { problem: `has ${der.byteLength - offset} byte(s) after its DER structure` };
  }
  return { der, label };
}

/** Every block of a PEM bundle (a CA chain from AWS), each read as strictly as `readPem`. */
export function readPemBundle(text: string, label: string): { ders: Buffer[] } | { problem: string } {
  const blocks = text.match(/-----BEGIN [^-\r\n]*-----[\s\S]*?-----END [^-\r\n]*-----/g) ?? [];
  const outside = blocks.reduce((rest, block) => rest.replace(block, ''), text);
  if (blocks.length === 0) return { problem: `is not PEM encoded (no -----BEGIN ${label}----- line)` };
  if (outside.trim() !== '') return { problem: 'has text before, between or after its PEM blocks' };
  const ders: Buffer[] = [];
  for (const block of blocks) {
    const read = readPem(block, [label]);
    if ('problem' in read) return read;
    ders.push(read.der);
  }
  return { ders };
}
