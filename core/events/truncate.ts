export type Cut = { text: string; cut: false } | { text: string; cut: true; originalBytes: number };

/** Cuts text to at most `maxBytes` of UTF-8 without splitting a character. */
export function cutToBytes(text: string, maxBytes: number): Cut {
  // Each UTF-16 unit is at most 3 UTF-8 bytes, so short strings need no measuring.
  if (text.length * 3 <= maxBytes) return { text, cut: false };
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return { text, cut: false };
  let end = maxBytes;
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return { text: bytes.subarray(0, end).toString("utf8"), cut: true, originalBytes: bytes.length };
}

/** Marks an event whose message is `cut`'s text: `truncated` and `originalBytes` when it was cut. */
export function markCut(event: { truncated?: boolean; originalBytes?: number }, cut: Cut): void {
  if (!cut.cut) return;
  event.truncated = true;
  event.originalBytes = cut.originalBytes;
}
