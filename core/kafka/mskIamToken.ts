/**
 * OAUTHBEARER tokens for Amazon MSK with IAM access control: a SigV4-presigned
 * `kafka-cluster:Connect` URL, base64url-encoded, as AWS's reference signers
 * (aws-msk-iam-sasl-signer-js and the Java/Python ones) make it. Signed here with the SDK's own
 * SigV4 signer so a Lambda bundle does not carry the reference signer's STS client and its whole
 * credential-provider set. A token lasts about 15 minutes, and KafkaJS asks for one whenever it
 * (re)authenticates a connection, so the provider hands out a cached token while it has over a
 * minute left and signs a fresh one otherwise.
 */
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { SignatureV4 } from "@smithy/signature-v4";

export interface SignedToken {
  token: string;
  /** Epoch milliseconds. */
  expiryTime: number;
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export type CredentialsProvider = () => Promise<AwsCredentials>;
export type TokenSigner = (region: string) => Promise<SignedToken>;

const TOKEN_LIFETIME_S = 900;
const REFRESH_MARGIN_MS = 60_000;
const USER_AGENT = "sentinel-llm";

/** SHA-256 (or its HMAC, given a key) in the shape the SigV4 signer asks for. */
type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

class Sha256 {
  readonly #key: string | Uint8Array | undefined;
  #hash: Hash | Hmac;
  constructor(key?: SourceData) {
    this.#key = key === undefined ? undefined : bytes(key);
    this.#hash = this.#fresh();
  }
  #fresh(): Hash | Hmac {
    return this.#key === undefined ? createHash("sha256") : createHmac("sha256", this.#key);
  }
  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
  reset(): void {
    this.#hash = this.#fresh();
  }
}

/** Signs an MSK IAM token for `region` with `credentials`, valid from `now`. */
export async function signMskIamToken(
  region: string,
  credentials: AwsCredentials,
  now: Date = new Date(),
): Promise<SignedToken> {
  if (!credentials.accessKeyId || !credentials.secretAccessKey)
    throw new Error("no AWS credentials to sign an MSK IAM token with");
  const hostname = `kafka.${region}.amazonaws.com`;
  const lifetimeS = credentials.expiration
    ? Math.max(
        1,
        Math.min(
          TOKEN_LIFETIME_S,
          Math.floor((credentials.expiration.getTime() - now.getTime()) / 1000),
        ),
      )
    : TOKEN_LIFETIME_S;
  const signer = new SignatureV4({
    service: "kafka-cluster",
    region,
    credentials,
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.presign(
    {
      method: "GET",
      protocol: "https:",
      hostname,
      path: "/",
      headers: { host: hostname },
      query: { Action: "kafka-cluster:Connect" },
    },
    { expiresIn: lifetimeS, signingDate: now },
  );
  const query: Record<string, string> = { "User-Agent": USER_AGENT };
  for (const [name, value] of Object.entries(signed.query ?? {}))
    if (typeof value === "string") query[name] = value;
  // Laid out as the reference signers lay it out: parameters sorted, RFC 3986 escaping.
  const search = Object.keys(query)
    .sort()
    .map((name) => `${escapeUri(name)}=${escapeUri(query[name] ?? "")}`)
    .join("&");
  const url = `https://${hostname}/?${search}`;
  return {
    token: Buffer.from(url, "utf8").toString("base64url"),
    expiryTime: signingTime(now).getTime() + lifetimeS * 1000,
  };
}

function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** SigV4 signs at whole seconds. */
function signingTime(now: Date): Date {
  return new Date(Math.floor(now.getTime() / 1000) * 1000);
}

/** A signer with the AWS SDK's default credential chain (environment, profile, SSO, ECS, IMDS). */
export function defaultTokenSigner(
  credentials: CredentialsProvider = defaultProvider(),
): TokenSigner {
  return async (region) => signMskIamToken(region, await credentials());
}

/** A KafkaJS `oauthBearerProvider` for MSK IAM in `region`. */
export function mskIamTokenProvider(
  region: string,
  options: { sign?: TokenSigner; now?: () => number } = {},
): () => Promise<{ value: string }> {
  const sign = options.sign ?? defaultTokenSigner();
  const now = options.now ?? Date.now;
  let current: SignedToken | undefined;
  let signing: Promise<SignedToken> | undefined;
  return async () => {
    if (!current || current.expiryTime - now() < REFRESH_MARGIN_MS) {
      signing ??= sign(region).finally(() => {
        signing = undefined;
      });
      current = await signing;
    }
    return { value: current.token };
  };
}
