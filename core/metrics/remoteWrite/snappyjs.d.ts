// snappyjs ships no types; this is the part of its API the remote-write client uses.
declare module "snappyjs" {
  /** Snappy block format (not the framed stream format), as Prometheus remote write expects. */
  export function compress<T extends Uint8Array | ArrayBuffer>(uncompressed: T): T;
  export function uncompress<T extends Uint8Array | ArrayBuffer>(
    compressed: T,
    maxLength?: number,
  ): T;
}
