/**
 * Where an ingestion source resumes from. Each source defines its own position type (CloudWatch:
 * last timestamp plus the event ids seen at it; Loki: a nanosecond timestamp plus the entries at
 * it; Azure: the end of the last complete window). Stores compare versions, so two overlapping
 * runs cannot both advance the same checkpoint: the second save fails with CheckpointConflictError.
 *
 * Implementations: a local file (the CLI), DynamoDB (AWS Lambda), Azure Blob Storage with ETags.
 */
export interface StoredCheckpoint<T> {
  value: T;
  /** Opaque: a file revision, a DynamoDB version number, a blob ETag. */
  version: string;
}

export interface CheckpointStore<T> {
  /** The checkpoint, or undefined when the source has never been read. */
  load(key: string): Promise<StoredCheckpoint<T> | undefined>;
  /**
   * Saves `value` if the stored version is still `expectedVersion` (undefined: there must be no
   * checkpoint yet); returns the new version. Throws CheckpointConflictError otherwise.
   */
  save(key: string, value: T, expectedVersion: string | undefined): Promise<string>;
}

export class CheckpointConflictError extends Error {
  override name = "CheckpointConflictError";
  constructor(key: string) {
    super(`checkpoint ${key} was advanced by another run; this run stops without saving`);
  }
}
