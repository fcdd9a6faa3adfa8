import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { parse } from "yaml";
import { configSchema } from "../core/config/schema.js";

const run = promisify(execFile);

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  profiles?: string[];
}

const compose = parse(readFileSync("docker-compose.local.yml", "utf8"), { merge: true }) as {
  services: Record<string, Service>;
};
const sentinelServices = Object.entries(compose.services).filter(
  ([, service]) => service.image === "sentinel-llm:local",
);

/** `sentinel <words…> --help`, through tsx so the test needs no build. */
async function helpOf(words: string[]): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", "cli/main.ts", ...words, "--help"],
    { env: { ...process.env, SENTINEL_LOG_LEVEL: "silent" } },
  );
  return stdout;
}

describe("docker-compose.local.yml", () => {
  it("runs sentinel commands and options that exist", async () => {
    const cliServices = sentinelServices.filter(([, s]) => s.command?.[1] === "bin/sentinel.js");
    assert.ok(cliServices.length >= 4);
    for (const [name, service] of cliServices) {
      const args = (service.command ?? []).slice(2);
      const words = args.filter((arg) => !arg.startsWith("-"));
      const options = args.filter((arg) => arg.startsWith("--")).map((arg) => arg.split("=")[0]);
      const help = await helpOf(words);
      for (const option of options)
        assert.match(
          help,
          new RegExp(`${option}\\b`),
          `${name}: sentinel ${words.join(" ")} has no ${option}`,
        );
    }
  });

  it("hands lambda-runner handler bundles that the build makes", () => {
    for (const [name, service] of sentinelServices) {
      const handler = service.command?.find((arg) => arg.startsWith("--handler="));
      if (!handler) continue;
      const bundle = handler.slice("--handler=".length);
      const match = /^dist\/functions\/aws\/(\w+)\.js$/.exec(bundle);
      assert.ok(match, `${name}: ${bundle} is not a Lambda bundle path`);
      const source = readFileSync(`functions/aws/${match[1]}.ts`, "utf8");
      assert.match(
        source,
        /^export (async function|function|const) handler\b/m,
        `${name}: no handler export`,
      );
    }
  });

  it("sets only configuration variables SentinelLLM knows", () => {
    const known = new Set(Object.keys(configSchema.shape));
    for (const [name, service] of sentinelServices) {
      for (const variable of Object.keys(service.environment ?? {}))
        assert.ok(known.has(variable), `${name}: ${variable} is not a configuration variable`);
    }
  });

  it("mounts the Grafana provisioning where its dashboard provider reads", () => {
    const volumes = compose.services.grafana?.volumes ?? [];
    const provider = parse(
      readFileSync("infra/grafana/provisioning/dashboards/sentinel.yml", "utf8"),
    ) as { providers: { options: { path: string } }[] };
    const dashboardsPath = provider.providers[0]?.options.path;
    for (const volume of volumes) {
      const [host] = volume.split(":");
      assert.ok(existsSync(host as string), `${volume}: ${host} does not exist`);
    }
    assert.ok(
      volumes.some((v) => v === `./infra/grafana/dashboards:${dashboardsPath}:ro`),
      `no volume mounts infra/grafana/dashboards at ${dashboardsPath}`,
    );
    assert.ok(volumes.includes("./infra/grafana/provisioning:/etc/grafana/provisioning:ro"));
  });
});
