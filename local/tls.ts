import { generateKeyPair, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import forge from "node-forge";

/** A per-run certificate authority and a leaf certificate for 127.0.0.1/localhost, signed by it. */
export interface LocalTls {
  caPem: string;     // trust this (https.Agent `ca`, core-rest-pipeline `tlsOptions.ca`, NODE_EXTRA_CA_CERTS file)
  caPath: string;    // where caPem was written
  certPem: string;   // the server's leaf certificate
  keyPem: string;    // the server's private key
}

const generateRsa = promisify(generateKeyPair);

/**
 * Names a JSON file of TLS material already minted for this run (the test run's global setup sets it): every server of
 * the run then shares one CA instead of minting its own, which costs two RSA keys each time.
 */
export const RUN_TLS_ENV = "M365_AUDIT_LAKE_RUN_TLS";

// RSA keys come from node's native generator (off the event loop, in parallel): node-forge's pure-JS keygen takes
// seconds on a small machine.
async function rsaKeyPair(): Promise<{ publicKey: forge.pki.PublicKey; privateKey: forge.pki.PrivateKey; privatePem: string }> {
  const { publicKey, privateKey } = await generateRsa("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return { publicKey: forge.pki.publicKeyFromPem(publicKey), privateKey: forge.pki.privateKeyFromPem(privateKey), privatePem: privateKey };
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f; // a positive serial number, as X.509 requires
  return bytes.toString("hex");
}

function validity(cert: forge.pki.Certificate, days: number): void {
  const notBefore = new Date(Date.now() - 60 * 60 * 1000); // tolerate a slightly skewed clock
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + days * 24 * 60 * 60 * 1000);
}

/** The run's CA and 127.0.0.1/localhost server certificate (minted unless RUN_TLS_ENV names one); writes the CA PEM to `caPath`. */
export async function createLocalTls(caPath: string): Promise<LocalTls> {
  const runTls = process.env[RUN_TLS_ENV];
  if (!runTls) return mintLocalTls(caPath);
  const { caPem, certPem, keyPem } = JSON.parse(readFileSync(runTls, "utf8")) as Omit<LocalTls, "caPath">;
  mkdirSync(dirname(caPath), { recursive: true });
  writeFileSync(caPath, caPem);
  return { caPem, caPath, certPem, keyPem };
}

/** Mints a fresh CA and a 127.0.0.1/localhost server certificate; writes the CA PEM to `caPath`. */
export async function mintLocalTls(caPath: string): Promise<LocalTls> {
  const [caKeys, leafKeys] = await Promise.all([rsaKeyPair(), rsaKeyPair()]);
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = serial();
  validity(ca, 30);
  const caSubject = [
    { name: "commonName", value: "m365-audit-lake local CA" },
    { name: "organizationName", value: "m365-audit-lake emulated cloud" },
  ];
  ca.setSubject(caSubject);
  ca.setIssuer(caSubject);
  ca.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  ca.sign(caKeys.privateKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());

  const leaf = forge.pki.createCertificate();
  leaf.publicKey = leafKeys.publicKey;
  leaf.serialNumber = serial();
  validity(leaf, 30);
  leaf.setSubject([{ name: "commonName", value: "127.0.0.1" }]);
  leaf.setIssuer(caSubject);
  leaf.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    // Node checks the subjectAltName, not the common name.
    { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }, { type: 2, value: "localhost" }] },
    { name: "authorityKeyIdentifier", keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  leaf.sign(caKeys.privateKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());

  const caPem = forge.pki.certificateToPem(ca);
  mkdirSync(dirname(caPath), { recursive: true });
  writeFileSync(caPath, caPem);
  return { caPem, caPath, certPem: forge.pki.certificateToPem(leaf), keyPem: leafKeys.privatePem };
}
