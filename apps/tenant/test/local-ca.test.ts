import { AsnConvert } from '@peculiar/asn1-schema';
import { id_ce_nameConstraints, NameConstraints } from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localTls } from '../src/crypto/local-ca.ts';

/**
 * The local CA behind --https (crypto/local-ca.ts): limited to this machine's names, so its key,
 * if it ever leaked, could not mint a certificate a trusting machine accepts for another
 * domain; and keys others can read are refused rather than used.
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'local-ca-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ca = () => new x509.X509Certificate(readFileSync(join(dir, 'ca.pem'), 'utf8'));
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** What a client trusting only the CA says of a server presenting `cert`, reached as `servername`. */
async function handshake(cert: string, key: string, servername: string): Promise<string> {
  const server = createServer({ cert, key }, (socket) => socket.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const socket = connect({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      servername,
      ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    });
    return await new Promise((resolve) => {
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve('trusted');
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(`${err.code}: ${err.message}`));
    });
  } finally {
    server.close();
  }
}

describe('the local CA', () => {
  it('carries a critical NameConstraints extension permitting localhost, 127.0.0.0/8 and ::1 only', async () => {
    const tls = await localTls(dir);
    expect(tls.warning).toBeUndefined();
    const extension = ca().getExtension(id_ce_nameConstraints);
    expect(extension, 'NameConstraints extension').not.toBeNull();
    expect(extension!.critical).toBe(true);
    const constraints = AsnConvert.parse(extension!.value, NameConstraints);
    expect(constraints.excludedSubtrees).toBeUndefined();
    expect(constraints.permittedSubtrees!.map((subtree) => subtree.base)).toEqual([
      expect.objectContaining({ dNSName: 'localhost' }),
      expect.objectContaining({ iPAddress: '127.0.0.0/8' }),
      expect.objectContaining({ iPAddress: '::1/128' }),
    ]);
  });

  it('a certificate its key signs for another domain is refused by a client that trusts the CA; localhost is trusted', async () => {
    const tls = await localTls(dir);
    expect(await handshake(tls.cert, tls.key, 'localhost')).toBe('trusted');
    // As if ca-key.pem had leaked: mint a certificate for another domain with it.
    const caKey = await webcrypto.subtle.importKey(
      'pkcs8',
      x509.PemConverter.decodeFirst(readFileSync(join(dir, 'ca-key.pem'), 'utf8')),
      ECDSA,
      false,
      ['sign'],
    );
    const keys = (await webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const forged = await x509.X509CertificateGenerator.create({
      subject: 'CN=bank.example',
      issuer: ca().subject,
      notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() + 86_400_000),
      publicKey: keys.publicKey,
      signingKey: caKey,
      signingAlgorithm: ECDSA,
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'bank.example' }])],
    });
    const forgedKey = x509.PemConverter.encode(
      await webcrypto.subtle.exportKey('pkcs8', keys.privateKey),
      'PRIVATE KEY',
    );
    expect(await handshake(forged.toString('pem'), forgedKey, 'bank.example')).toMatch(/permitted subtree violation/);
  });

  it.each(['ca-key.pem', 'localhost-key.pem'])(
    'refuses to start when %s is readable by group or others',
    async (file) => {
      await localTls(dir);
      expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
      chmodSync(join(dir, file), 0o644);
      await expect(localTls(dir)).rejects.toThrow(new RegExp(`${file.replace('.', '\\.')}.*(group|others).*chmod 600`));
      chmodSync(join(dir, file), 0o600);
      await expect(localTls(dir)).resolves.toMatchObject({ caPath: join(dir, 'ca.pem') });
    },
  );

  it('keeps a CA made before the constraint (the operator trusts it) and says how to make a new one', async () => {
    const keys = (await webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const old = await x509.X509CertificateGenerator.createSelfSigned({
      name: 'CN=older local CA',
      notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() + 365 * 86_400_000),
      keys,
      signingAlgorithm: ECDSA,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
      ],
    });
    writeFileSync(join(dir, 'ca.pem'), old.toString('pem'));
    writeFileSync(
      join(dir, 'ca-key.pem'),
      x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY'),
      { mode: 0o600 },
    );
    const tls = await localTls(dir);
    expect(ca().subject).toBe('CN=older local CA');
    expect(tls.warning).toMatch(/older CA without name constraints.*delete .*ca\.pem and .*ca-key\.pem/);
  });
});
