/**
 * OAUTHBEARER tokens for Amazon MSK with IAM access control. A token lasts about 15 minutes, and
 * KafkaJS asks for one whenever it (re)authenticates a connection, so the provider hands out a
 * cached token while it has over a minute left and signs a fresh one otherwise.
 */

export interface SignedToken {
  token: string;
  /** Epoch milliseconds. */
  expiryTime: number;
}

export type TokenSigner = (region: string) => Promise<SignedToken>;

const REFRESH_MARGIN_MS = 60_000;

async function signWithDefaultCredentials(region: string): Promise<SignedToken> {
  const { generateAuthToken } = await import("aws-msk-iam-sasl-signer-js");
  return generateAuthToken({ region });
}

/** A KafkaJS `oauthBearerProvider` for MSK IAM in `region`. */
export function mskIamTokenProvider(
  region: string,
  options: { sign?: TokenSigner; now?: () => number } = {},
): () => Promise<{ value: string }> {
  const sign = options.sign ?? signWithDefaultCredentials;
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
    // The signer's result has the token in `token`; KafkaJS wants it as `value`.
    return { value: current.token };
  };
}
