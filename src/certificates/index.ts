/** The pure certificate layer: keys, CSRs, device certificates and checks, no AWS calls. */
export { CertificateError, type CertificateErrorCode } from './errors.js';
export type { KeyDescription, SignatureAlgorithm, Signer, SigningAlgorithm } from './algorithms.js';
export {
  generateDeviceKeyPair,
  readPrivateKey,
  readPublicKey,
  type DeviceKeyAlgorithm,
  type DeviceKeyPair,
} from './keys.js';
export { CertInfo, validateCertInfo, MAX_DAYS_EXPIRY, type DistinguishedName } from './cert-info.js';
export { loadCaSigner, type CaSigner } from './ca-signer.js';
export { issueDeviceCertificate, type IssueRequest } from './issue-certificate.js';
export { createCsr, parseCsr, type ParsedCsr } from './csr.js';
export {
  checkCertificatePem,
  privateKeyMatchesCertificate,
  readCertificate,
  verifyIssuedBy,
  type CheckedCertificate,
  type ReadCertificate,
} from './check-certificate.js';
export { issuerChain } from './issuer-chain.js';
