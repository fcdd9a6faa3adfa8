import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import type { ClassifierInput, LabelModel, Verdict } from "../classifier/types.js";
import type { Label } from "../events/types.js";
import { ModelLoadError, ModelLoadTimeoutError } from "./errors.js";
import { readGgufHeader } from "./ggufHeader.js";
import { checkModelManifest } from "./modelManifest.js";
import {
  classificationPrompt,
  classifierLineText,
  PROMPT_LABELS,
  type SplitPrompt,
  suggestionPrompt,
} from "./prompt.js";
import { SequencePool } from "./sequencePool.js";

export interface LlmModelOptions {
  /** A local GGUF file. */
  modelPath: string;
  /** A LoRA adapter GGUF applied on top of the model. */
  loraPath?: string;
  /** "auto" uses CUDA, Vulkan or Metal when present; "off" forces the CPU. */
  gpu: "auto" | "off";
  /** CPU threads for evaluation. Set it: llama.cpp's default oversubscribes small machines. */
  threads: number;
  /** Lines evaluated in parallel, each in its own sequence of one context. */
  parallelSequences: number;
  /** A message longer than this many tokens is cut; the label never waits on a huge line. */
  maxMessageTokens: number;
  /** Evaluate the fixed prompt prefix once and keep it (the default), or re-evaluate it per line. */
  reusePrefix?: boolean;
  /** Upper bound on a generated suggestion's length. */
  maxSuggestionTokens?: number;
  /** Name in every classification's `model` field; defaults to the file name. */
  name?: string;
  /** How long loading the model and creating its context may take; default 300 s. */
  loadTimeoutMs?: number;
}

/** SENTINEL_MODEL_LOAD_TIMEOUT_SECONDS's default. */
export const DEFAULT_LOAD_TIMEOUT_MS = 300_000;

export interface LlmStats {
  /** Lines scored. */
  lines: number;
  /** Tokens evaluated for scoring, prefixes included. */
  evaluatedTokens: number;
  /** Lines whose message was cut to the token budget. */
  cutLines: number;
  suggestions: number;
}

interface LabelTokens {
  label: Label;
  tokens: Token[];
}

/**
 * The fine-tuned LLM as a label model: it reads the next-token probabilities of the three labels'
 * first tokens after the prompt, in one evaluation, instead of generating text. The answer can
 * only ever be one of the three labels, whatever the log line says.
 *
 * @example
 * const model = await LlmModel.load({ modelPath, gpu: "off", threads: 2, parallelSequences: 4, maxMessageTokens: 256 });
 * const [verdict] = await model.classify([{ message: "disk at 97% on /var" }]);
 * await model.dispose();
 */
export class LlmModel implements LabelModel {
  readonly name: string;
  readonly #llama: Llama;
  readonly #model: LlamaModel;
  readonly #context: LlamaContext;
  readonly #pool: SequencePool;
  readonly #suggestionSequence: LlamaContextSequence;
  readonly #options: Required<Omit<LlmModelOptions, "loraPath" | "name" | "loadTimeoutMs">>;
  readonly #prefixTokens: Token[];
  readonly #tailTokens: Token[];
  readonly #labels: LabelTokens[];
  /** Whether the labels' first tokens are all different, so one next-token read decides. */
  readonly #firstTokensDistinct: boolean;
  #suggestionChain: Promise<unknown> = Promise.resolve();
  #closing = false;
  readonly stats: LlmStats = { lines: 0, evaluatedTokens: 0, cutLines: 0, suggestions: 0 };

  private constructor(
    llama: Llama,
    model: LlamaModel,
    context: LlamaContext,
    options: LlmModelOptions,
  ) {
    this.#llama = llama;
    this.#model = model;
    this.#context = context;
    this.#options = {
      modelPath: options.modelPath,
      gpu: options.gpu,
      threads: options.threads,
      parallelSequences: options.parallelSequences,
      maxMessageTokens: options.maxMessageTokens,
      reusePrefix: options.reusePrefix ?? true,
      maxSuggestionTokens: options.maxSuggestionTokens ?? 96,
    };
    this.name = options.name ?? modelNameOf(options.modelPath);
    const sample = classificationPrompt("");
    this.#prefixTokens = model.tokenize(sample.prefix, true);
    this.#tailTokens = model.tokenize(sample.tail, true);
    this.#labels = PROMPT_LABELS.map((label) => ({
      label: label as Label,
      tokens: model.tokenize(label, false),
    }));
    const firstTokens = new Set(this.#labels.map((l) => l.tokens[0]));
    this.#firstTokensDistinct = firstTokens.size === this.#labels.length;
    const sequences: LlamaContextSequence[] = [];
    for (let i = 0; i < this.#options.parallelSequences; i++) sequences.push(context.getSequence());
    this.#pool = new SequencePool(sequences);
    this.#suggestionSequence = context.getSequence();
  }

  /**
   * Loads the model and prepares one context with a sequence per parallel line plus one for
   * suggestions. The model and LoRA files are checked first (readGgufHeader), so llama.cpp never
   * sees one that is not a whole GGUF, and so are their manifests (checkModelManifest), so a file
   * trained on another prompt is refused; loading is abandoned after `loadTimeoutMs`. Every failure
   * is a ModelLoadError naming the file.
   */
  static async load(options: LlmModelOptions): Promise<LlmModel> {
    await readGgufHeader(options.modelPath);
    checkModelManifest(options.modelPath, "model");
    if (options.loraPath) {
      await readGgufHeader(options.loraPath);
      checkModelManifest(options.loraPath, "LoRA adapter");
    }
    const timeoutMs = options.loadTimeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS;
    const timeout = new AbortController();
    const timedOut = new Promise<never>((_, reject) => {
      timeout.signal.addEventListener("abort", () => reject(timeout.signal.reason), { once: true });
    });
    const timer = setTimeout(
      () => timeout.abort(new ModelLoadTimeoutError(options.modelPath, timeoutMs)),
      timeoutMs,
    );
    const loading = LlmModel.#loadUnbounded(options, timeout.signal);
    try {
      // The signal stops node-llama-cpp where it checks it; the race also covers where it does not.
      return await Promise.race([loading, timedOut]);
    } catch (error) {
      if (timeout.signal.aborted) {
        // Whatever is still loading is freed once it settles.
        loading.then((model) => model.dispose()).catch(() => undefined);
        throw timeout.signal.reason;
      }
      if (error instanceof ModelLoadError) throw error;
      throw new ModelLoadError(
        `cannot load ${options.modelPath}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  static async #loadUnbounded(options: LlmModelOptions, signal: AbortSignal): Promise<LlmModel> {
    const { getLlama } = await import("node-llama-cpp");
    const llama = await getLlama({ gpu: options.gpu === "off" ? false : "auto", build: "never" });
    try {
      const model = await llama.loadModel({ modelPath: options.modelPath, loadSignal: signal });
      const perSequence = contextSizeFor(model, options.maxMessageTokens);
      const context = await model.createContext({
        sequences: options.parallelSequences + 1,
        contextSize: perSequence,
        threads: options.threads,
        createSignal: signal,
        ...(options.loraPath && { lora: { adapters: [{ filePath: options.loraPath }] } }),
      });
      return new LlmModel(llama, model, context, options);
    } catch (error) {
      await llama.dispose();
      throw error;
    }
  }

  /** The GPU llama.cpp uses, or false on the CPU. */
  get gpu(): string | false {
    return this.#llama.gpu;
  }

  get reusesPrefix(): boolean {
    return this.#options.reusePrefix;
  }

  async classify(inputs: readonly ClassifierInput[]): Promise<Verdict[]> {
    return Promise.all(
      inputs.map((input) => this.#pool.use((sequence) => this.#score(sequence, input))),
    );
  }

  /** The message's tokens, cut to the budget, never parsed for control tokens. */
  #messageTokens(prompt: SplitPrompt): Token[] {
    const budget = this.#options.maxMessageTokens;
    // Cheap pre-cut so a 1 MB line is not tokenised whole: tokens are rarely under 2 characters.
    const text =
      prompt.message.length > budget * 8
        ? `${prompt.message.slice(0, budget * 8)}\n`
        : prompt.message;
    const tokens = this.#model.tokenize(text, false);
    if (tokens.length <= budget) return tokens;
    this.stats.cutLines++;
    return [...tokens.slice(0, budget - 1), ...this.#model.tokenize("\n", false)];
  }

  async #score(sequence: LlamaContextSequence, input: ClassifierInput): Promise<Verdict> {
    const lineTokens = [
      ...this.#messageTokens(classificationPrompt(classifierLineText(input))),
      ...this.#tailTokens,
    ];
    const prefixLength = this.#prefixTokens.length;
    const prefixReady =
      this.#options.reusePrefix &&
      sequence.nextTokenIndex === prefixLength &&
      sequence.compareContextTokens(this.#prefixTokens).firstDifferentIndex === prefixLength;
    if (!prefixReady) await sequence.clearHistory();
    const toEvaluate = prefixReady ? lineTokens : [...this.#prefixTokens, ...lineTokens];
    this.stats.lines++;
    this.stats.evaluatedTokens += toEvaluate.length;
    try {
      const probabilities = this.#firstTokensDistinct
        ? await this.#firstTokenProbabilities(sequence, toEvaluate)
        : await this.#sequenceProbabilities(sequence, toEvaluate);
      return verdictOf(this.#labels, probabilities);
    } finally {
      if (this.#options.reusePrefix) {
        await sequence.eraseContextTokenRanges([
          { start: prefixLength, end: sequence.nextTokenIndex },
        ]);
      } else {
        await sequence.clearHistory();
      }
    }
  }

  /** One evaluation; the logits of the labels' first tokens, softmaxed over the three. */
  async #firstTokenProbabilities(
    sequence: LlamaContextSequence,
    tokens: Token[],
  ): Promise<number[]> {
    const firstTokens = this.#labels.map((l) => l.tokens[0] as Token);
    const last = tokens.length - 1;
    const output = await sequence.controlledEvaluate([
      ...tokens.slice(0, last),
      [tokens[last] as Token, { generateNext: { logits: { filter: { tokens: firstTokens } } } }],
    ]);
    const logits = output[last]?.next.logits;
    if (!logits) throw new Error("llama.cpp returned no logits for the label tokens");
    return softmax(firstTokens.map((token) => logits.get(token) ?? Number.NEGATIVE_INFINITY));
  }

  /**
   * For tokenisers where two labels start with the same token: the probability of each label's
   * whole token sequence, by teacher forcing, then normalised over the three.
   */
  async #sequenceProbabilities(sequence: LlamaContextSequence, tokens: Token[]): Promise<number[]> {
    const last = tokens.length - 1;
    const base = await sequence.controlledEvaluate([
      ...tokens.slice(0, last),
      [tokens[last] as Token, { generateNext: { probabilities: true } }],
    ]);
    const afterPrompt = sequence.nextTokenIndex;
    const firstDistribution = base[last]?.next.probabilities ?? new Map<Token, number>();
    const logProbabilities: number[] = [];
    for (const { tokens: labelTokens } of this.#labels) {
      let logProbability = Math.log(firstDistribution.get(labelTokens[0] as Token) ?? 1e-12);
      if (labelTokens.length > 1) {
        const forced = await sequence.controlledEvaluate(
          labelTokens
            .slice(0, -1)
            .map((token) => [token, { generateNext: { probabilities: true } }]),
        );
        labelTokens.slice(1).forEach((token, i) => {
          logProbability += Math.log(forced[i]?.next.probabilities?.get(token) ?? 1e-12);
        });
        this.stats.evaluatedTokens += labelTokens.length - 1;
        await sequence.eraseContextTokenRanges([
          { start: afterPrompt, end: sequence.nextTokenIndex },
        ]);
      }
      logProbabilities.push(logProbability);
    }
    return softmax(logProbabilities);
  }

  /**
   * A short fix for a preventive_action line: greedy, bounded, on its own sequence so scoring
   * never waits for it. Calls are served one at a time.
   */
  suggest(input: ClassifierInput): Promise<string> {
    const run = this.#suggestionChain.then(() => this.#generateSuggestion(input));
    this.#suggestionChain = run.catch(() => undefined);
    return run;
  }

  async #generateSuggestion(input: ClassifierInput): Promise<string> {
    if (this.#closing) throw new Error("the model is being disposed");
    const sequence = this.#suggestionSequence;
    await sequence.clearHistory();
    const prompt = suggestionPrompt(classifierLineText(input));
    const tokens = [
      ...this.#model.tokenize(prompt.prefix, true),
      ...this.#messageTokens(prompt),
      ...this.#model.tokenize(prompt.tail, true),
    ];
    const generated: Token[] = [];
    for await (const token of sequence.evaluate(tokens, { temperature: 0 })) {
      if (this.#model.isEogToken(token)) break;
      generated.push(token);
      if (generated.length >= this.#options.maxSuggestionTokens) break;
    }
    await sequence.clearHistory();
    this.stats.suggestions++;
    return this.#model.detokenize(generated).trim();
  }

  /** Waits for the suggestion being generated, drops those queued, then frees the model. */
  async dispose(): Promise<void> {
    this.#closing = true;
    await this.#suggestionChain;
    await this.#context.dispose();
    await this.#model.dispose();
    await this.#llama.dispose();
  }
}

function softmax(values: number[]): number[] {
  const max = Math.max(...values);
  const exps = values.map((v) => (Number.isFinite(v) ? Math.exp(v - max) : 0));
  const sum = exps.reduce((a, b) => a + b, 0);
  return sum > 0 ? exps.map((e) => e / sum) : values.map(() => 1 / values.length);
}

function verdictOf(labels: LabelTokens[], probabilities: number[]): Verdict {
  let best = 0;
  for (let i = 1; i < probabilities.length; i++) {
    if ((probabilities[i] as number) > (probabilities[best] as number)) best = i;
  }
  return { label: (labels[best] as LabelTokens).label, confidence: probabilities[best] as number };
}

/** Room for the prompt, the longest message, the tail and a generated suggestion. */
function contextSizeFor(model: LlamaModel, maxMessageTokens: number): number {
  const sample = classificationPrompt("");
  const fixed =
    model.tokenize(sample.prefix, true).length + model.tokenize(sample.tail, true).length;
  const needed = fixed + maxMessageTokens + 256;
  return Math.ceil(needed / 256) * 256;
}

function modelNameOf(path: string): string {
  const file = path.split(/[\\/]/).pop() ?? path;
  return file.replace(/\.gguf$/i, "");
}
