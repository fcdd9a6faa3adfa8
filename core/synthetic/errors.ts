/** Raised when generator options are out of range or unknown; the message names the option. */
export class SyntheticOptionsError extends Error {
  override name = "SyntheticOptionsError";
}
