import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Certificate {
  cert: string;
  key: string;
}

let cached: Promise<Certificate> | undefined;

/**
 * A throwaway certificate for 127.0.0.1, made by the openssl command for this process only.
 * Azure SDK clients send bearer tokens over HTTPS only, so a local stand-in of an Azure API
 * must speak TLS; clients trust it through an https.Agent with this certificate as `ca`.
 */
export function selfSignedCertificate(): Promise<Certificate> {
  cached ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), "sentinel-cert-"));
    try {
      const keyPath = join(dir, "key.pem");
      const certPath = join(dir, "cert.pem");
      await run("openssl", [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-keyout",
        keyPath,
        "-out",
        certPath,
      ]).catch((error: Error) => {
        throw new Error(
          `could not make a test certificate with openssl (Debian: apt-get install openssl): ${error.message}`,
        );
      });
      return { cert: await readFile(certPath, "utf8"), key: await readFile(keyPath, "utf8") };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  return cached;
}
