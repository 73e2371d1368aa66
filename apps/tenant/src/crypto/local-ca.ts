import { AsnConvert } from '@peculiar/asn1-schema';
import {
  GeneralName,
  GeneralSubtree,
  GeneralSubtrees,
  id_ce_nameConstraints,
  NameConstraints,
} from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { createHash, webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A certificate authority of this machine's own, made once in the tenant's data folder, and
 * the `localhost` certificate it signs: for the SDKs that insist on `https://{domain}` (the
 * `auth0` SDK's ManagementClient and AuthenticationClient build `https://` + domain). Trusting
 * the CA once (NODE_EXTRA_CA_CERTS, or a browser's certificate store) trusts the tenant's
 * certificate however often it is renewed. Keys are ECDSA P-256, written 0600, and refused
 * when found readable by others. The CA is name-constrained (RFC 5280 4.2.1.10) to this
 * machine's names, so even its key, leaked, cannot mint a certificate a trusting machine
 * accepts for another domain.
 */
export interface LocalTls {
  /** PEM of the localhost certificate followed by the CA's: what the server presents. */
  cert: string;
  key: string;
  /** Where the CA's certificate is: the file to trust. */
  caPath: string;
  /** base64 SHA-256 of the localhost certificate's public key, for Chromium's --ignore-certificate-errors-spki-list. */
  spkiSha256: string;
  /** Said once in the banner: the CA was made before it was name-constrained, and how to replace it. */
  warning?: string;
}

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;
/** Browsers refuse a server certificate valid for longer than 398 days; renewed 30 days before it ends. */
const LEAF_DAYS = 397;
const RENEW_BEFORE_DAYS = 30;
const CA_YEARS = 10;
/** Every name a client on this machine may use for the tenant. */
const LOCAL_NAMES: x509.JsonGeneralNames = [
  { type: 'dns', value: 'localhost' },
  { type: 'ip', value: '127.0.0.1' },
  { type: 'ip', value: '::1' },
];

/**
 * NameConstraints, critical: certificates under the CA may name only these (@peculiar/x509
 * 1.14 has no class for the extension; its ASN.1 module does).
 */
const LOCAL_ONLY = new x509.Extension(
  id_ce_nameConstraints,
  true,
  AsnConvert.serialize(
    new NameConstraints({
      permittedSubtrees: new GeneralSubtrees([
        new GeneralSubtree({ base: new GeneralName({ dNSName: 'localhost' }) }),
        new GeneralSubtree({ base: new GeneralName({ iPAddress: '127.0.0.0/8' }) }),
        new GeneralSubtree({ base: new GeneralName({ iPAddress: '::1/128' }) }),
      ]),
    }),
  ),
);

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export async function localTls(dataDir: string, now = new Date()): Promise<LocalTls> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const paths = {
    ca: join(dataDir, 'ca.pem'),
    caKey: join(dataDir, 'ca-key.pem'),
    cert: join(dataDir, 'localhost.pem'),
    key: join(dataDir, 'localhost-key.pem'),
  };
  // mkdirSync's mode does not tighten a folder that exists: each key is checked as it is found.
  for (const key of [paths.caKey, paths.key]) if (existsSync(key)) refuseIfShared(key);
  const ca =
    existsSync(paths.ca) && existsSync(paths.caKey)
      ? await readCa(paths.ca, paths.caKey)
      : await createCa(paths.ca, paths.caKey, now);
  let leaf =
    existsSync(paths.cert) && existsSync(paths.key)
      ? new x509.X509Certificate(readFileSync(paths.cert, 'utf8'))
      : undefined;
  const stale =
    !leaf ||
    leaf.notAfter.getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY ||
    !(await leaf.verify({ publicKey: ca.cert.publicKey, signatureOnly: true }));
  if (stale) leaf = await createLeaf(ca, paths.cert, paths.key, now);
  const spki = Buffer.from(leaf!.publicKey.rawData);
  return {
    cert: `${leaf!.toString('pem')}\n${ca.cert.toString('pem')}\n`,
    key: readFileSync(paths.key, 'utf8'),
    caPath: paths.ca,
    spkiSha256: createHash('sha256').update(spki).digest('base64'),
    // Not regenerated: a new CA would silently break the trust the operator set up for this one.
    ...(ca.cert.getExtension(id_ce_nameConstraints)
      ? {}
      : {
          warning:
            `${paths.ca} is an older CA without name constraints (it could sign for any domain): to make a new one ` +
            `limited to localhost, delete ${paths.ca} and ${paths.caKey}, restart, and trust the new ca.pem`,
        }),
  };
}

/** A key file anyone but its owner may read or write is refused: it may already be another's. */
function refuseIfShared(path: string): void {
  if (process.platform === 'win32') return;
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    throw new Error(
      `${path} is open to group or others (mode ${mode.toString(8).padStart(4, '0')}); a private key must be the owner's alone: ` +
        `chmod 600 ${path} (or delete it, and for ca-key.pem ca.pem too, to make new ones)`,
    );
  }
}

interface Ca {
  cert: x509.X509Certificate;
  key: webcrypto.CryptoKey;
}

async function readCa(certPath: string, keyPath: string): Promise<Ca> {
  const cert = new x509.X509Certificate(readFileSync(certPath, 'utf8'));
  const key = await webcrypto.subtle.importKey(
    'pkcs8',
    x509.PemConverter.decodeFirst(readFileSync(keyPath, 'utf8')),
    ECDSA,
    false,
    ['sign'],
  );
  return { cert, key };
}

async function createCa(certPath: string, keyPath: string, now: Date): Promise<Ca> {
  const keys = (await webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=Refresh Token Console local CA (this machine only)',
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + CA_YEARS * 365 * DAY),
    keys,
    signingAlgorithm: ECDSA,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      LOCAL_ONLY,
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  writePrivate(keyPath, pem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'));
  writeFileSync(certPath, cert.toString('pem'), { mode: 0o644 });
  return { cert, key: keys.privateKey };
}

async function createLeaf(ca: Ca, certPath: string, keyPath: string, now: Date): Promise<x509.X509Certificate> {
  const keys = (await webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    subject: 'CN=localhost',
    issuer: ca.cert.subject,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + LEAF_DAYS * DAY),
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: ECDSA,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(LOCAL_NAMES),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
    ],
  });
  writePrivate(keyPath, pem(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'));
  writeFileSync(certPath, cert.toString('pem'), { mode: 0o644 });
  return cert;
}

const pem = (der: ArrayBuffer, label: string) => x509.PemConverter.encode(der, label);

/** A new 0600 file renamed over the old, so a key never sits in a file others can read, even briefly. */
function writePrivate(path: string, text: string) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}
