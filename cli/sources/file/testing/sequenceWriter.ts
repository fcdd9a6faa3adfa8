/**
 * A log writer for follow tests, run as a child process with IPC: appends sequence-numbered lines
 * to a file at a steady rate, in writes that end mid-line (as a buffered writer's do), and rotates
 * the file under itself when told, the two ways logrotate does:
 * - `{ op: "rotate", to }`: renames the file, keeps writing to the old descriptor for a moment,
 *   finishes its line there, then reopens the path (a new file) and goes on;
 * - `{ op: "copytruncate", to }`: copies the file, then truncates it (nothing is written between).
 * `{ op: "stop" }` finishes the line, closes, and answers with the last sequence number written.
 * Every message is answered once done: `{ done: op, last }`.
 *
 * Usage: node --import tsx sequenceWriter.ts FILE LINES_PER_SECOND
 */
import { closeSync, copyFileSync, openSync, renameSync, truncateSync, writeSync } from "node:fs";

type Command = { op: "rotate"; to: string } | { op: "copytruncate"; to: string } | { op: "stop" };

const [path, rateText] = process.argv.slice(2) as [string, string];
const rate = Number(rateText);
const TICK_MS = 5;
/** How long writes go on to the renamed file before the writer reopens the path. */
const REOPEN_AFTER_MS = 60;

let fd = openSync(path, "a");
let next = 0;
let pending = "";
const started = Date.now();
let cut = 1;

function sequenceLine(sequence: number): string {
  return `INFO seq=${String(sequence).padStart(7, "0")} user=u${sequence % 97} action=poll ok`;
}

/** Writes the lines due by now, holding back a piece of the last one for the next write. */
function writeDue(): void {
  const due = Math.floor(((Date.now() - started) * rate) / 1000);
  let text = pending;
  for (; next < due; next++) text += `${sequenceLine(next)}\n`;
  if (text.length === 0) return;
  cut = (cut * 7 + 3) % 31;
  const keep = Math.min(text.length - 1, cut);
  writeSync(fd, text.slice(0, text.length - keep));
  pending = text.slice(text.length - keep);
}

/** Writes the rest of the line in progress, so the descriptor ends on a newline. */
function finishLine(): void {
  const newline = pending.indexOf("\n");
  if (newline === -1) return;
  writeSync(fd, pending.slice(0, newline + 1));
  pending = pending.slice(newline + 1);
}

const timer = setInterval(writeDue, TICK_MS);

process.on("message", (command: Command) => {
  if (command.op === "copytruncate") {
    writeDue();
    copyFileSync(path, command.to);
    truncateSync(path, 0);
    process.send?.({ done: command.op, last: next - 1 });
  } else if (command.op === "rotate") {
    writeDue();
    renameSync(path, command.to);
    setTimeout(() => {
      writeDue();
      finishLine();
      closeSync(fd);
      fd = openSync(path, "a");
      process.send?.({ done: command.op, last: next - 1 });
    }, REOPEN_AFTER_MS);
  } else {
    clearInterval(timer);
    writeDue();
    writeSync(fd, pending);
    pending = "";
    closeSync(fd);
    process.send?.({ done: command.op, last: next - 1 }, () => process.exit(0));
  }
});
