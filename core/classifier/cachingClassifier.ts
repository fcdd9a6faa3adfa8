import {
  type Classification,
  type ClassifiedEvent,
  LEVELS,
  type LogEvent,
} from "../events/types.js";
import { type PipelineMetrics, pipelineMetrics } from "../metrics/catalog.js";
import { type TemplateKey, TemplateKeyer } from "../templates/templateKeyer.js";
import type { ClassificationCache } from "./classificationCache.js";
import type { ClassifierInput, LabelModel, SuggestionMode, Verdict } from "./types.js";

/** Suggestions queued in the background beyond this are skipped, so a storm cannot pile up work. */
const MAX_PENDING_SUGGESTIONS = 1_000;

/**
 * The classifier every surface uses: template key, then cache, then the model for what is left.
 * Within a batch each classification key goes to the model once; the first message seen for a key
 * is what the model reads. The key is the template plus the level, since the level is part of what
 * the model is shown.
 *
 * Models that generate suggestions separately (the LLM) are asked once per key for
 * preventive_action lines: in the background by default, so labels never wait for them, and the
 * cache entry gains the suggestion when it is ready.
 *
 * Template keys generalise as they learn (core/templates/templateKeyer.ts): a general key takes over
 * the verdict its aliases (the literal keys it replaced) share at the same level, counted as a
 * cache hit, and the keyer is told never to join keys whose cached labels differ.
 *
 * Every surface classifies through here, so this is where the classification metrics are recorded
 * (events by label/service/source, cache hits and misses, model calls, batch latency).
 */
export class CachingClassifier {
  readonly #model: LabelModel;
  readonly #cache: ClassificationCache;
  readonly #keyer: TemplateKeyer;
  readonly #suggestions: SuggestionMode;
  readonly #suggesting = new Map<string, Promise<Verdict>>();
  readonly #metrics: PipelineMetrics;
  #modelCalls = 0;
  #suggestionsSkipped = 0;

  constructor(
    model: LabelModel,
    cache: ClassificationCache,
    options: {
      keyer?: TemplateKeyer;
      suggestions?: SuggestionMode;
      metrics?: PipelineMetrics;
    } = {},
  ) {
    this.#model = model;
    this.#metrics = options.metrics ?? pipelineMetrics;
    this.#cache = cache;
    this.#keyer = options.keyer ?? new TemplateKeyer();
    this.#keyer.setJoinGuard((ids) => this.#labelsAgree(ids));
    this.#suggestions = options.suggestions ?? "background";
  }

  /** The template keyer, whose learned state the surfaces save and restore. */
  get keyer(): TemplateKeyer {
    return this.#keyer;
  }

  /** Whether the cached labels of these templates agree at every level (none cached agrees). */
  #labelsAgree(templateIds: readonly string[]): boolean {
    for (const level of ["", ...LEVELS]) {
      let label: string | undefined;
      for (const id of templateIds) {
        const verdict = this.#cache.peek(`${id}:${level}`);
        if (verdict === undefined) continue;
        if (label !== undefined && verdict.label !== label) return false;
        label = verdict.label;
      }
    }
    return true;
  }

  /**
   * A key may have generalised in this batch, before any of the keys it joined was classified;
   * now that they are, a general key whose aliases got different labels is taken back, so later
   * lines keep their own key and label.
   */
  #undoDisagreeingGeneralisations(keys: readonly TemplateKey[]): void {
    const checked = new Set<TemplateKey>();
    for (const key of keys) {
      if (checked.has(key)) continue;
      checked.add(key);
      const aliases = this.#keyer.aliasIdsOf(key);
      if (aliases.length > 0 && !this.#labelsAgree([key.templateId, ...aliases])) {
        this.#keyer.undoGeneralisation(key);
      }
    }
  }

  /** The verdict a general key's aliases share at this event's level, if they share one. */
  #aliasVerdict(key: TemplateKey, event: LogEvent): Verdict | undefined {
    let shared: Verdict | undefined;
    for (const id of this.#keyer.aliasIdsOf(key)) {
      const verdict = this.#cache.peek(classificationKey(id, event));
      if (verdict === undefined) continue;
      if (shared !== undefined && verdict.label !== shared.label) return undefined;
      shared ??= verdict;
    }
    return shared;
  }

  get model(): LabelModel {
    return this.#model;
  }

  /** Background suggestions not made because too many were already waiting. */
  get suggestionsSkipped(): number {
    return this.#suggestionsSkipped;
  }

  /** Waits for the suggestions being generated in the background. */
  async drainSuggestions(): Promise<void> {
    while (this.#suggesting.size > 0) await Promise.allSettled([...this.#suggesting.values()]);
  }

  get modelName(): string {
    return this.#model.name;
  }

  /** Lines the model has been asked to classify (cache misses after in-batch dedup). */
  get modelCalls(): number {
    return this.#modelCalls;
  }

  get cacheStats() {
    return this.#cache.stats();
  }

  #suggestionFor(
    key: string,
    input: ClassifierInput,
    verdict: Verdict,
  ): Promise<Verdict> | undefined {
    const suggest = this.#model.suggest?.bind(this.#model);
    if (!suggest || this.#suggestions === "off") return undefined;
    if (verdict.label !== "preventive_action" || verdict.suggestion !== undefined) return undefined;
    const running = this.#suggesting.get(key);
    if (running) return running;
    if (this.#suggestions === "background" && this.#suggesting.size >= MAX_PENDING_SUGGESTIONS) {
      this.#suggestionsSkipped++;
      return undefined;
    }
    const made = suggest(input)
      .then((suggestion) => {
        const withSuggestion = { ...verdict, suggestion };
        this.#cache.set(key, withSuggestion);
        return withSuggestion;
      })
      // A failed suggestion leaves the label as it was; the next miss for this key tries again.
      .catch(() => verdict)
      .finally(() => this.#suggesting.delete(key));
    this.#suggesting.set(key, made);
    return made;
  }

  async classify(events: readonly LogEvent[]): Promise<ClassifiedEvent[]> {
    const started = performance.now();
    const generalisedBefore = this.#keyer.generalisations;
    const keys = events.map((event) => this.#keyer.keyOf(event.message));
    const generalised = this.#keyer.generalisations !== generalisedBefore;
    const verdicts: (Verdict | undefined)[] = new Array(events.length);
    const cached: boolean[] = new Array(events.length).fill(true);
    const waiting = new Map<string, number[]>();
    const inputs: ClassifierInput[] = [];
    let hits = 0;

    events.forEach((event, index) => {
      const templateKey = keys[index] as TemplateKey;
      const key = classificationKey(templateKey.templateId, event);
      let hit = this.#cache.get(key);
      if (hit === undefined) {
        hit = this.#aliasVerdict(templateKey, event);
        if (hit !== undefined) this.#cache.set(key, hit);
      }
      if (hit !== undefined) {
        verdicts[index] = hit;
        hits++;
        return;
      }
      const sameKey = waiting.get(key);
      if (sameKey) {
        sameKey.push(index);
        return;
      }
      waiting.set(key, [index]);
      cached[index] = false;
      inputs.push(classifierInputOf(event));
    });

    const model = this.#model.name;
    this.#metrics.cacheHits.inc(hits);
    this.#metrics.cacheMisses.inc(events.length - hits);
    if (inputs.length > 0) {
      this.#modelCalls += inputs.length;
      this.#metrics.llmCalls.inc({ model }, inputs.length);
      const fresh = await this.#model.classify(inputs);
      if (fresh.length !== inputs.length) {
        throw new Error(
          `model ${this.#model.name} returned ${fresh.length} verdicts for ${inputs.length} lines`,
        );
      }
      let next = 0;
      const suggested: Promise<void>[] = [];
      for (const [key, indexes] of waiting) {
        const input = inputs[next] as ClassifierInput;
        const verdict = fresh[next++] as Verdict;
        this.#cache.set(key, verdict);
        for (const index of indexes) verdicts[index] = verdict;
        const suggestion = this.#suggestionFor(key, input, verdict);
        if (suggestion && this.#suggestions === "wait") {
          suggested.push(
            suggestion.then((withSuggestion) => {
              for (const index of indexes) verdicts[index] = withSuggestion;
            }),
          );
        }
      }
      await Promise.all(suggested);
      if (generalised) this.#undoDisagreeingGeneralisations(keys);
    }

    const classifiedAt = new Date().toISOString();
    const counts = new Map<string, { labels: ClassifiedLabels; count: number }>();
    const classified = events.map((event, index) => {
      const verdict = verdicts[index] as Verdict;
      const key = keys[index] as { templateId: string; template: string };
      const classification: Classification = {
        label: verdict.label,
        confidence: verdict.confidence,
        templateId: key.templateId,
        template: key.template,
        model,
        cached: cached[index] as boolean,
        classifiedAt,
      };
      if (verdict.suggestion !== undefined) classification.suggestion = verdict.suggestion;
      countClassified(counts, verdict.label, event);
      // Object.assign, not spread: V8's spread of these event objects is several times slower.
      return Object.assign({}, event, { classification });
    });
    for (const { labels, count } of counts.values())
      this.#metrics.eventsClassified.inc(labels, count);
    this.#metrics.classifierLatency.observe({ model }, (performance.now() - started) / 1000);
    return classified;
  }
}

type ClassifiedLabels = { label: string; service: string; source: string };

/** Counts per label, service and source within a batch, so the counter is touched once per combination. */
function countClassified(
  counts: Map<string, { labels: ClassifiedLabels; count: number }>,
  label: string,
  event: LogEvent,
): void {
  const key = `${label}\u0000${event.service}\u0000${event.source.provider}`;
  const entry = counts.get(key);
  if (entry) entry.count++;
  else
    counts.set(key, {
      labels: { label, service: event.service, source: event.source.provider },
      count: 1,
    });
}

/** What the model reads for an event; fine-tuning renders its training text from the same. */
export function classifierInputOf(event: Pick<LogEvent, "message" | "level">): ClassifierInput {
  return event.level ? { message: event.message, level: event.level } : { message: event.message };
}

function classificationKey(templateId: string, event: LogEvent): string {
  return `${templateId}:${event.level ?? ""}`;
}
