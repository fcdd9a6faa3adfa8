import type { LlamaContextSequence } from "node-llama-cpp";

/**
 * Lends a context's sequences to one task at a time each; tasks beyond the number of sequences
 * wait their turn. Tasks running on different sequences are batched together by node-llama-cpp.
 */
export class SequencePool {
  readonly #free: LlamaContextSequence[];
  readonly #waiting: ((sequence: LlamaContextSequence) => void)[] = [];

  constructor(sequences: LlamaContextSequence[]) {
    this.#free = [...sequences];
  }

  async use<T>(task: (sequence: LlamaContextSequence) => Promise<T>): Promise<T> {
    const sequence =
      this.#free.pop() ??
      (await new Promise<LlamaContextSequence>((resolve) => this.#waiting.push(resolve)));
    try {
      return await task(sequence);
    } finally {
      const next = this.#waiting.shift();
      if (next) next(sequence);
      else this.#free.push(sequence);
    }
  }
}
