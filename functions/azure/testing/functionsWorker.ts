import { randomUUID } from "node:crypto";
import Module from "node:module";

/**
 * A stand-in for the Azure Functions Node.js worker, the process the Functions host starts to run
 * an app (the control plane, which cannot run here). The worker gives the app a built-in module,
 * `@azure/functions-core`, by intercepting `require`; `@azure/functions` (the v4 programming
 * model) calls it to set its programming model and to register each function that `app.timer`,
 * `app.http` and the like declare while the entry module loads. This stand-in serves that module
 * in the same way, records what is registered, and invokes a registered function the way the
 * worker does for the host's invocation request: the programming model's invocation model turns
 * the host's typed data into the handler's arguments, calls the registered callback, and turns
 * its result into the response.
 *
 * The shapes follow `@azure/functions-core`'s declarations (types-core in the
 * azure-functions-nodejs-library repository), reduced to what is used here.
 */

export type RpcLogLevel =
  | "trace"
  | "debug"
  | "information"
  | "warning"
  | "error"
  | "critical"
  | "none";
type RpcLogCategory = "user" | "system" | "customMetric";

export interface RpcBindingInfo {
  type?: string | null;
  direction?: "in" | "out" | "inout" | null;
  /** Binding settings beside type and direction: schedule, route, methods, connection... */
  [setting: string]: unknown;
}

/** What `registerFunction` receives for each function. */
export interface FunctionMetadata {
  name: string;
  functionId?: string;
  bindings: Record<string, RpcBindingInfo>;
  retryOptions?: unknown;
}

/** The host's encoding of a binding's value. */
export interface RpcTypedData {
  string?: string;
  json?: string;
  bytes?: Uint8Array;
  int?: number;
  double?: number;
  http?: RpcHttpData;
}

/** An HTTP request as the host sends it to an HTTP trigger, or the response it gets back. */
export interface RpcHttpData {
  method?: string;
  url?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  body?: RpcTypedData;
  statusCode?: string;
}

type FunctionCallback = (...args: unknown[]) => unknown;

interface CoreInvocationContext {
  invocationId: string;
  request: {
    invocationId: string;
    functionId: string;
    inputData: { name: string; data: RpcTypedData }[];
    triggerMetadata: Record<string, RpcTypedData>;
  };
  metadata: FunctionMetadata;
  state?: "preInvocationHooks" | "postInvocationHooks" | "invocation";
  log(level: RpcLogLevel, category: RpcLogCategory, message: string): void;
}

interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
  getResponse(
    context: unknown,
    result: unknown,
  ): Promise<{
    returnValue?: RpcTypedData | null;
    outputData?: { name?: string | null; data?: RpcTypedData | null }[] | null;
  }>;
}

interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(
    coreContext: CoreInvocationContext,
  ): InvocationModel | Promise<InvocationModel>;
}

export interface InvocationLog {
  level: RpcLogLevel;
  category: RpcLogCategory;
  message: string;
}

export interface InvocationResult {
  status: "success" | "failure";
  /** The function's return value as the host receives it. */
  returnValue?: RpcTypedData | null;
  outputData?: { name?: string | null; data?: RpcTypedData | null }[] | null;
  /** The error's message, when the function failed. */
  error?: string;
  logs: InvocationLog[];
}

export interface FunctionsWorker {
  /** The programming model the app set (`@azure/functions` sets its own on its first registration). */
  readonly programmingModel: { name: string; version: string } | undefined;
  /** Every function registered, in order, as the worker would index them for the host. */
  readonly functions: readonly FunctionMetadata[];
  /** Logs written outside an invocation, through the module's `log`. */
  readonly logs: readonly InvocationLog[];
  /** Invokes a registered function with its trigger's value, as an invocation request would. */
  invoke(
    name: string,
    trigger: RpcTypedData,
    triggerMetadata?: Record<string, RpcTypedData>,
  ): Promise<InvocationResult>;
  /** Gives back the original `require`. */
  uninstall(): void;
}

/** What runFunctionsApp.ts prints: the worker's view of the app after the invocations asked for. */
export interface FunctionsAppReport {
  programmingModel: { name: string; version: string } | undefined;
  functions: readonly FunctionMetadata[];
  invocations: InvocationResult[];
}

class Disposable {
  static from(...likes: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => {
      for (const like of likes) like.dispose();
    });
  }
  #dispose: (() => unknown) | undefined;
  constructor(dispose: () => unknown) {
    this.#dispose = dispose;
  }
  dispose(): void {
    this.#dispose?.();
    this.#dispose = undefined;
  }
}

/**
 * Serves `@azure/functions-core` to every `require` in this process from now on. Install it before
 * the app's entry module is imported: `@azure/functions` looks for the module once, at its first
 * registration, and stays in its test mode (registering nothing) when it is absent.
 */
export function installFunctionsWorker(): FunctionsWorker {
  const registered = new Map<string, { metadata: FunctionMetadata; callback: FunctionCallback }>();
  const logs: InvocationLog[] = [];
  let programmingModel: ProgrammingModel | undefined;
  const core = {
    version: "stand-in",
    hostVersion: "stand-in",
    Disposable,
    registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
      const id = metadata.functionId ?? metadata.name;
      if (registered.has(id)) throw new Error(`a function with id "${id}" is already registered`);
      registered.set(id, { metadata, callback });
      return new Disposable(() => registered.delete(id));
    },
    registerHook(): Disposable {
      return new Disposable(() => undefined);
    },
    setProgrammingModel(model: ProgrammingModel): void {
      programmingModel = model;
    },
    getProgrammingModel(): ProgrammingModel | undefined {
      return programmingModel;
    },
    log(level: RpcLogLevel, category: RpcLogCategory, message: string): void {
      logs.push({ level, category, message });
    },
  };

  const prototype = (Module as unknown as { prototype: { require: (id: string) => unknown } })
    .prototype;
  const original = prototype.require;
  prototype.require = new Proxy(original, {
    apply(target, thisArg, args: [string]) {
      return args[0] === "@azure/functions-core" ? core : Reflect.apply(target, thisArg, args);
    },
  });

  return {
    get programmingModel() {
      return programmingModel && { name: programmingModel.name, version: programmingModel.version };
    },
    get functions() {
      return [...registered.values()].map((f) => f.metadata);
    },
    logs,
    async invoke(name, trigger, triggerMetadata = {}) {
      const entry = [...registered.values()].find((f) => f.metadata.name === name);
      if (!entry) throw new Error(`no function "${name}" is registered`);
      if (!programmingModel) throw new Error("no programming model was set");
      const bindingName = Object.entries(entry.metadata.bindings).find(([, binding]) =>
        /trigger$/i.test(binding.type ?? ""),
      )?.[0];
      if (!bindingName) throw new Error(`function "${name}" has no trigger binding`);
      const invocationId = randomUUID();
      const invocationLogs: InvocationLog[] = [];
      const coreContext: CoreInvocationContext = {
        invocationId,
        request: {
          invocationId,
          functionId: entry.metadata.functionId ?? name,
          inputData: [{ name: bindingName, data: trigger }],
          triggerMetadata,
        },
        metadata: entry.metadata,
        log: (level, category, message) => invocationLogs.push({ level, category, message }),
      };
      try {
        const model = await programmingModel.getInvocationModel(coreContext);
        const { context, inputs } = await model.getArguments();
        coreContext.state = "invocation";
        const result = await model.invokeFunction(context, inputs, entry.callback);
        coreContext.state = undefined;
        const response = await model.getResponse(context, result);
        return {
          status: "success",
          returnValue: response.returnValue,
          outputData: response.outputData,
          logs: invocationLogs,
        };
      } catch (error) {
        return { status: "failure", error: (error as Error).message, logs: invocationLogs };
      }
    },
    uninstall() {
      prototype.require = original;
    },
  };
}
