/** One CSV record and the 1-based line of the file it starts on. */
export interface CsvRow {
  line: number;
  fields: string[];
}

export class CsvError extends Error {
  override name = "CsvError";
}

/**
 * Parses RFC 4180 CSV: fields separated by `,`, quoted with `"` (a quote doubled inside), quoted
 * fields may hold commas and line breaks; rows end with LF or CRLF. A leading byte-order mark is
 * ignored.
 */
export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let rowLine = 1;
  let quoted = false;
  let fieldStarted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRow = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === "")) rows.push({ line: rowLine, fields });
    fields = [];
    field = "";
    fieldStarted = false;
  };
  for (; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (c === "\n") line++;
        field += c;
      }
      continue;
    }
    if (c === '"') {
      if (fieldStarted) throw new CsvError(`line ${line}: a quote inside an unquoted field`);
      quoted = true;
      fieldStarted = true;
    } else if (c === ",") {
      fields.push(field);
      field = "";
      fieldStarted = false;
    } else if (c === "\n" || (c === "\r" && text[i + 1] === "\n")) {
      if (c === "\r") i++;
      endRow();
      line++;
      rowLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) throw new CsvError(`line ${rowLine}: a quoted field is never closed`);
  endRow();
  return rows;
}
