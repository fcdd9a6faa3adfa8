// Rebuilds the template evaluation corpus from the LogHub 2k samples, in a folder holding per system
// SYSTEM_2k.log, SYSTEM_2k.log_structured.csv (LogHub) and SYSTEM_2k.log_structured_corrected.csv
// (the corrected templates of Khan et al., as published with logparser):
//   node --import tsx scripts/bench/templateCorpus/build.ts DIR
// Each system becomes SYSTEM.jsonl.gz: one {raw, message, template, corrected} per line, in log order.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { CORPUS_DIR, CORPUS_SYSTEMS } from "./corpus.js";

/** RFC 4180 rows: quoted fields may hold commas, doubled quotes and newlines. */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}

const root = process.argv[2];
if (!root) throw new Error("usage: build.ts LOGHUB_DIR");
for (const system of CORPUS_SYSTEMS) {
  const raw = readFileSync(join(root, system, `${system}_2k.log`), "utf8").split(/\r?\n/);
  const [header, ...rows] = csvRows(
    readFileSync(join(root, system, `${system}_2k.log_structured.csv`), "utf8"),
  );
  const [correctedHeader, ...correctedRows] = csvRows(
    readFileSync(join(root, system, `${system}_2k.log_structured_corrected.csv`), "utf8"),
  );
  const correctedColumn = correctedHeader?.indexOf("EventTemplate") ?? -1;
  const content = header?.indexOf("Content") ?? -1;
  const template = header?.indexOf("EventTemplate") ?? -1;
  const lineId = header?.indexOf("LineId") ?? -1;
  const out = rows
    .filter((row) => row.length === header?.length)
    .map((row, i) =>
      JSON.stringify({
        raw: (raw[Number(row[lineId]) - 1] ?? "").trimEnd(),
        message: row[content],
        template: row[template],
        corrected: correctedRows[i]?.[correctedColumn] ?? row[template],
      }),
    );
  writeFileSync(
    join(CORPUS_DIR, `${system}.jsonl.gz`),
    gzipSync(`${out.join("\n")}\n`, { level: 9 }),
  );
  console.log(`${system}: ${out.length} lines`);
}
