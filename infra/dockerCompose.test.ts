import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { parse } from "yaml";
import { runNode } from "../cli/testing/sentinelCli.js";
import { loadConfig } from "../core/config/load.js";

// docker-compose.local.yml checked without a Docker engine: the compose schema and the project's
// rules (dclint, .dclintrc), everything the file references (build contexts, Dockerfiles, mounted
// files, the handler modules), the command of every service of our image run with --help from a
// tree built as the image builds it (scripts/bundle.mjs), and the environment each of them gets
// validated by the configuration loader, as on a machine with no .env.
const run = promisify(execFile);
const COMPOSE_FILE = "docker-compose.local.yml";
const DCLINT = "node_modules/dclint/bin/dclint.cjs";
/** The image our services run; the GPU one is the same tree on CUDA. */
const OUR_IMAGES = new Set(["sentinel-llm:local", "sentinel-llm:local-cuda"]);

interface Healthcheck {
  test?: string[];
  disable?: boolean;
  start_period?: string;
}
interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  env_file?: { path: string; required: boolean }[];
  volumes?: string[];
  ports?: string[];
  profiles?: string[];
  restart?: string;
  healthcheck?: Healthcheck;
  depends_on?: Record<string, { condition: string }>;
  deploy?: { resources: { reservations: { devices: { driver: string }[] } } };
}
interface ComposeFile {
  name: string;
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

const text = readFileSync(COMPOSE_FILE, "utf8");
const compose = parse(text, { merge: true }) as ComposeFile;
const services = Object.entries(compose.services);
const ours = services.filter(([, s]) => OUR_IMAGES.has(s.image ?? ""));
const isOneShot = (service: Service) => service.restart === "no";

/** Compose's interpolation as on a machine with no .env: `${NAME:-default}` gives the default. */
function withDefaults(value: string): string {
  return value.replace(
    /\$\{[A-Z0-9_]+(?::?-([^}]*))?\}/g,
    (_, fallback?: string) => fallback ?? "",
  );
}

/** Every variable the file interpolates. */
function interpolated(): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1] as string))];
}

async function dclint(file: string) {
  return run(process.execPath, [DCLINT, file, "-c", ".dclintrc", "--color=false"]).then(
    ({ stdout }) => ({ status: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ status: error.code, stdout: error.stdout }),
  );
}

let out: string;

before(async () => {
  // Built into the project, as bundle.test.ts does, so the bundles' externals resolve.
  await mkdir("dist", { recursive: true });
  out = await mkdtemp(join("dist", "compose-test-"));
  await run(process.execPath, ["scripts/bundle.mjs", out]);
});

after(async () => {
  await rm(out, { recursive: true, force: true });
});

describe("docker-compose.local.yml", () => {
  it("passes the compose schema and the project's rules (dclint)", async () => {
    const result = await dclint(COMPOSE_FILE);
    assert.equal(result.status, 0, result.stdout);
  });

  it("is refused by the same check when it breaks the schema or publishes a port on every interface", async () => {
    const dir = await mkdtemp(join(out, "broken-"));
    const badSchema = join(dir, "bad-schema.yml");
    await writeFile(
      badSchema,
      text.replace("condition: service_completed_successfully", "condition: service_done"),
    );
    const schema = await dclint(badSchema);
    assert.notEqual(schema.status, 0);
    assert.match(schema.stdout, /invalid-schema/);
    const everywhere = join(dir, "everywhere.yml");
    await writeFile(everywhere, text.replace('"127.0.0.1:3000:3000"', '"3000:3000"'));
    const ports = await dclint(everywhere);
    assert.notEqual(ports.status, 0);
    assert.match(ports.stdout, /no-unbound-port-interfaces/);
  });

  it("has every build context, Dockerfile and mounted file it names", () => {
    for (const [name, service] of services) {
      if (service.build) {
        assert.ok(statSync(service.build.context).isDirectory(), `${name}: build context`);
        const dockerfile = join(service.build.context, service.build.dockerfile);
        assert.ok(existsSync(dockerfile), `${name}: ${dockerfile}`);
        assert.ok(existsSync(`${dockerfile}.dockerignore`), `${name}: ${dockerfile}.dockerignore`);
      }
      for (const volume of service.volumes ?? []) {
        const [source] = volume.split(":") as [string];
        if (source.startsWith(".") || source.startsWith("/"))
          assert.ok(existsSync(source), `${name} mounts ${source}, which does not exist`);
        else assert.ok(source in compose.volumes, `${name}: volume ${source} is not declared`);
      }
      for (const file of service.env_file ?? [])
        assert.deepEqual(file, { path: ".env", required: false }, `${name}: env_file`);
    }
    assert.ok(existsSync(".env.example"));
  });

  it("publishes ports on 127.0.0.1 only, pins every image and names its volumes", () => {
    for (const [name, service] of services) {
      for (const port of service.ports ?? [])
        assert.match(port, /^127\.0\.0\.1:\d+:\d+$/, `${name} publishes ${port}`);
      if (!OUR_IMAGES.has(service.image ?? ""))
        assert.match(service.image ?? "", /:v?\d+\.\d+\.\d+$/, `${name}: image not pinned`);
    }
    assert.deepEqual(
      Object.keys(compose.volumes).sort(),
      [
        "grafana-data",
        "loki-data",
        "mailpit-data",
        "redpanda-data",
        "sentinel-models",
        "sentinel-state",
        "victoriametrics-data",
      ].sort(),
    );
  });

  it("gives every long-running service a restart policy and a health check, and waits on them", () => {
    for (const [name, service] of services) {
      assert.ok(service.restart, `${name}: no restart policy`);
      if (!isOneShot(service))
        assert.ok(
          service.healthcheck?.test && !service.healthcheck.disable,
          `${name}: no health check`,
        );
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        const target = compose.services[dependency];
        assert.ok(target, `${name} depends on ${dependency}, which is not a service`);
        if (condition === "service_healthy")
          assert.ok(
            target.healthcheck?.test && !target.healthcheck.disable,
            `${name} waits for ${dependency}'s missing health check`,
          );
        else
          assert.equal(
            condition === "service_completed_successfully",
            isOneShot(target),
            `${name} waits on ${dependency} with ${condition}`,
          );
      }
    }
    // Every worker of ours starts after the topics exist; the classifiers after the model, too.
    for (const [name, service] of ours) {
      if (name === "topic-init" || name === "model") continue;
      assert.equal(service.depends_on?.["topic-init"]?.condition, "service_completed_successfully");
      const classifies = service.command?.includes("classify") || name === "classifier-api";
      assert.equal(
        service.depends_on?.model?.condition,
        classifies ? "service_completed_successfully" : undefined,
        name,
      );
    }
    assert.equal(compose.services.notifier?.depends_on?.mailpit?.condition, "service_healthy");
  });

  it("ticks the notifier every minute, as its EventBridge rule does in AWS", () => {
    const command = compose.services.notifier?.command ?? [];
    assert.ok(command.includes("--handler=dist/functions/aws/notifier.js"));
    assert.ok(command.includes("--schedule=60"), command.join(" "));
  });

  it("has the profiles of the seed, the CUDA image with GPU passthrough among them", () => {
    const profiles = new Set(services.flatMap(([, s]) => s.profiles ?? []));
    assert.deepEqual([...profiles].sort(), ["api", "aws", "azure", "demo", "gpu", "loki"]);
    const gpu = compose.services["classifier-gpu"];
    assert.equal(gpu?.build?.dockerfile, "classifier-service/Dockerfile.cuda");
    assert.equal(gpu?.deploy?.resources.reservations.devices[0]?.driver, "nvidia");
    assert.deepEqual(gpu?.command, compose.services.classifier?.command);
    const byCommand = (words: string) =>
      services.find(([, s]) => s.command?.join(" ").includes(words))?.[1].profiles;
    assert.deepEqual(byCommand("ingest aws"), ["aws"]);
    assert.deepEqual(byCommand("ingest azure"), ["azure"]);
    assert.deepEqual(byCommand("ingest loki"), ["loki"]);
    assert.deepEqual(byCommand("produce"), ["demo"]);
  });

  it("runs every command of our services with --help from the built tree, with only the flags the CLI has", async () => {
    assert.ok(ours.length >= 10, `only ${ours.length} services of ours`);
    const runs = ours.map(async ([name, service]) => {
      const command = (service.command ?? []).map(withDefaults);
      assert.equal(command[0], "node", name);
      const [, script, ...args] = command as [string, string, ...string[]];
      if (script === "dist/classifier-service.js") {
        const help = await runNode([join(out, "classifier-service.js"), "--help"], {
          env: process.env,
        });
        assert.equal(help.status, 0, `${name}: ${help.stderr}`);
        assert.match(help.stdout, /^usage: node dist\/classifier-service\.js/);
        return;
      }
      assert.equal(script, "bin/sentinel.js", name);
      const help = await runNode([join(out, "sentinel.js"), ...args, "--help"], {
        env: { ...process.env, SENTINEL_ENV_FILE: "" },
      });
      assert.equal(help.status, 0, `${name}: ${help.stderr}`);
      const words = args.filter((a) => !a.startsWith("-") && !a.includes(":")).join(" ");
      assert.match(help.stdout, new RegExp(`^Usage: sentinel ${words} `), name);
      for (const flag of args.filter((a) => a.startsWith("--")))
        assert.match(help.stdout, new RegExp(`${flag.split("=")[0]}\\b`), `${name}: ${flag}`);
      for (const handler of args.filter((a) => a.startsWith("--handler="))) {
        const built = join(out, handler.slice("--handler=dist/".length));
        assert.ok(existsSync(built), `${name}: ${handler} is not built`);
      }
    });
    await Promise.all(runs);
    // `node bin/sentinel.js` is the built CLI (dist/sentinel.js), as the image holds it.
    assert.match(readFileSync("bin/sentinel.js", "utf8"), /"\.\.\/dist\/sentinel\.js"/);
  });

  it("gives each service of ours an environment the configuration accepts, as on a machine with no .env", () => {
    for (const [name, service] of ours) {
      const env = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([k, v]) => [k, withDefaults(String(v))]),
      );
      const warnings: string[] = [];
      assert.doesNotThrow(
        () => loadConfig({ env, envFile: false, warn: (w) => warnings.push(w) }),
        name,
      );
      assert.deepEqual(warnings, [], name);
    }
    // The notifier's e-mail goes to Mailpit by default.
    const notifier = compose.services.notifier?.environment ?? {};
    assert.equal(withDefaults(notifier.SMTP_HOST ?? ""), "mailpit");
    assert.equal(withDefaults(notifier.SMTP_PORT ?? ""), "1025");
  });

  it("reads only variables that .env.example documents", () => {
    const example = readFileSync(".env.example", "utf8");
    const variables = interpolated();
    assert.ok(variables.includes("SENTINEL_MODEL"));
    for (const variable of variables)
      assert.match(
        example,
        new RegExp(`^#? ?${variable}=`, "m"),
        `${variable} not in .env.example`,
      );
  });

  it("mounts the Grafana provisioning where its dashboard provider reads", () => {
    const volumes = compose.services.grafana?.volumes ?? [];
    const provider = parse(
      readFileSync("infra/grafana/provisioning/dashboards/sentinel.yml", "utf8"),
    ) as { providers: { options: { path: string } }[] };
    const dashboardsPath = provider.providers[0]?.options.path;
    assert.ok(
      volumes.some((v) => v === `./infra/grafana/dashboards:${dashboardsPath}:ro`),
      `no volume mounts infra/grafana/dashboards at ${dashboardsPath}`,
    );
    assert.ok(volumes.includes("./infra/grafana/provisioning:/etc/grafana/provisioning:ro"));
  });
});
