// Writing CSV (RFC 4180): fields holding a comma, quote or line break are quoted, quotes doubled. Text a
// spreadsheet program would run as a formula (starting = + - @, a tab or a carriage return) gets an
// apostrophe in front, so a published supplier name can never become a formula on someone's machine.

/** Text a spreadsheet would run as a formula gets an apostrophe in front. */
export function guardFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line of text cells (null and undefined empty; numbers as written), guarded and quoted, ending CRLF. */
export function csvLine(values: unknown[]): string {
  return values.map((v) => (v === null || v === undefined ? '' : typeof v === 'number' ? String(v) : csvField(guardFormula(String(v))))).join(',') + '\r\n';
}
