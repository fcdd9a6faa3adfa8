import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

const SCRIPT = new URL("./verify-install.mjs", import.meta.url).pathname;

type Entry = { version: string; integrity?: string; optional?: boolean; dev?: boolean };

function lock(root: Record<string, string>, packages: Record<string, Entry>) {
  return {
    name: "app",
    lockfileVersion: 3,
    packages: { "": { name: "app", dependencies: root }, ...packages },
  };
}

/** Lays out a project with a committed lock and what npm recorded as installed, runs the check. */
function verify(options: {
  dependencies: Record<string, string>;
  committed: ReturnType<typeof lock>;
  installed: Record<string, Entry>;
}) {
  const dir = mkdtempSync(join(tmpdir(), "verify-install-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ dependencies: options.dependencies }));
  writeFileSync(join(dir, "committed-lock.json"), JSON.stringify(options.committed));
  mkdirSync(join(dir, "node_modules"));
  writeFileSync(
    join(dir, "node_modules", ".package-lock.json"),
    JSON.stringify({ lockfileVersion: 3, packages: options.installed }),
  );
  const result = spawnSync(process.execPath, [SCRIPT, "committed-lock.json"], {
    cwd: dir,
    encoding: "utf8",
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

const zod = { version: "4.6.7", integrity: "sha512-zod" };
const biomeLinux = { version: "2.6.8", integrity: "sha512-linux", optional: true, dev: true };
const biomeDarwin = { version: "2.6.8", integrity: "sha512-darwin", optional: true, dev: true };

describe("verify-install", () => {
  it("passes when the installed tree is the locked one, whatever other platforms the lock lists", () => {
    const result = verify({
      dependencies: { zod: "4.6.7" },
      committed: lock(
        { zod: "4.6.7" },
        {
          "node_modules/zod": zod,
          "node_modules/@biomejs/cli-linux-x64": biomeLinux,
          "node_modules/@biomejs/cli-darwin-arm64": biomeDarwin,
        },
      ),
      installed: { "node_modules/zod": zod, "node_modules/@biomejs/cli-linux-x64": biomeLinux },
    });
    assert.equal(result.status, 0, result.output);
    assert.match(result.output, /2 packages installed at their locked versions/);
    assert.match(result.output, /1 optional packages for other platforms not installed/);
  });

  it("fails when a package was installed at another version than the lock's", () => {
    const result = verify({
      dependencies: { zod: "4.6.7" },
      committed: lock({ zod: "4.6.7" }, { "node_modules/zod": zod }),
      installed: { "node_modules/zod": { version: "4.7.0", integrity: "sha512-other" } },
    });
    assert.equal(result.status, 1);
    assert.match(result.output, /node_modules\/zod: installed 4\.7\.0, locked 4\.6\.7/);
  });

  it("fails when something was installed that the lock does not record", () => {
    const result = verify({
      dependencies: { zod: "4.6.7" },
      committed: lock({ zod: "4.6.7" }, { "node_modules/zod": zod }),
      installed: {
        "node_modules/zod": zod,
        "node_modules/@biomejs/cli-linux-x64": biomeLinux,
      },
    });
    assert.equal(result.status, 1);
    assert.match(result.output, /cli-linux-x64@2\.6\.8 is installed but not in the lock/);
  });

  it("fails when the same version arrived with another integrity", () => {
    const result = verify({
      dependencies: { zod: "4.6.7" },
      committed: lock({ zod: "4.6.7" }, { "node_modules/zod": zod }),
      installed: { "node_modules/zod": { version: "4.6.7", integrity: "sha512-tampered" } },
    });
    assert.equal(result.status, 1);
    assert.match(result.output, /integrity differs/);
  });

  it("fails when package.json and the lock disagree on a direct dependency", () => {
    const result = verify({
      dependencies: { zod: "4.7.0" },
      committed: lock({ zod: "4.6.7" }, { "node_modules/zod": zod }),
      installed: { "node_modules/zod": zod },
    });
    assert.equal(result.status, 1);
    assert.match(result.output, /dependencies\.zod: package\.json says 4\.7\.0, the lock 4\.6\.7/);
  });

  it("fails when a locked package that is not optional was not installed", () => {
    const result = verify({
      dependencies: { zod: "4.6.7" },
      committed: lock(
        { zod: "4.6.7" },
        { "node_modules/zod": zod, "node_modules/tslib": { version: "2.8.1" } },
      ),
      installed: { "node_modules/zod": zod },
    });
    assert.equal(result.status, 1);
    assert.match(result.output, /tslib@2\.8\.1 is locked but was not installed/);
  });
});
