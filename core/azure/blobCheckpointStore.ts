import type { ContainerClient } from "@azure/storage-blob";
import {
  CheckpointConflictError,
  type CheckpointStore,
  type StoredCheckpoint,
} from "../ingestion/checkpoint.js";

interface BlobError {
  statusCode?: number;
  code?: string;
  details?: { errorCode?: string };
}

/**
 * Checkpoints as JSON blobs in one Azure Blob Storage container (`<key>.json`), for the Azure
 * Function. The version is the blob's ETag: a save sends If-Match with the ETag it loaded, or
 * If-None-Match: * for a first checkpoint, so of two runs that loaded the same checkpoint only one
 * can advance it; the other gets CheckpointConflictError. The container is created on first save.
 */
export class BlobCheckpointStore<T> implements CheckpointStore<T> {
  readonly #container: ContainerClient;

  constructor(container: ContainerClient) {
    this.#container = container;
  }

  async load(key: string): Promise<StoredCheckpoint<T> | undefined> {
    const blob = this.#container.getBlockBlobClient(blobName(key));
    let text: string;
    let etag: string | undefined;
    try {
      // One GET: the content and the ETag of that same content.
      const response = await blob.download();
      etag = response.etag;
      text = await readText(response.readableStreamBody);
    } catch (error) {
      if ((error as BlobError).statusCode === 404) return undefined;
      throw error;
    }
    let value: T;
    try {
      value = (JSON.parse(text) as { value: T }).value;
    } catch (error) {
      throw new Error(
        `checkpoint blob ${this.#container.containerName}/${blobName(key)} is not valid JSON (${(error as Error).message}); delete it to start over`,
      );
    }
    if (!etag) throw new Error(`checkpoint blob ${blobName(key)} has no ETag`);
    return { value, version: etag };
  }

  async save(key: string, value: T, expectedVersion: string | undefined): Promise<string> {
    try {
      return await this.#upload(key, value, expectedVersion);
    } catch (error) {
      if (errorCode(error) !== "ContainerNotFound") throw error;
      await this.#container.createIfNotExists();
      return this.#upload(key, value, expectedVersion);
    }
  }

  async #upload(key: string, value: T, expectedVersion: string | undefined): Promise<string> {
    const body = `${JSON.stringify({ savedAt: new Date().toISOString(), value })}\n`;
    try {
      const response = await this.#container
        .getBlockBlobClient(blobName(key))
        .upload(body, Buffer.byteLength(body), {
          conditions: expectedVersion ? { ifMatch: expectedVersion } : { ifNoneMatch: "*" },
          blobHTTPHeaders: { blobContentType: "application/json" },
        });
      if (!response.etag) throw new Error(`saving checkpoint ${key} returned no ETag`);
      return response.etag;
    } catch (error) {
      const code = errorCode(error);
      // 412: the ETag moved on (If-Match); 409: a blob appeared first (If-None-Match: *).
      if (code === "ConditionNotMet" || code === "BlobAlreadyExists")
        throw new CheckpointConflictError(key);
      throw error;
    }
  }
}

async function readText(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stream) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

function blobName(key: string): string {
  return `${key}.json`;
}

function errorCode(error: unknown): string | undefined {
  const blobError = error as BlobError;
  return blobError.details?.errorCode ?? blobError.code;
}
