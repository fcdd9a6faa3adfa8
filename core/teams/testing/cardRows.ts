import type { AdaptiveCardMessage, CardElement } from "../adaptiveCard.js";

/** The template column of each row of a posted Adaptive Card's template table, in order. */
export function adaptiveCardTemplateRows(body: string): string[] {
  const card = (JSON.parse(body) as AdaptiveCardMessage).attachments[0].content;
  return card.body
    .filter((e) => e.type === "Container" && (e.items as CardElement[])[0]?.type === "ColumnSet")
    .map((row) => {
      const columns = ((row.items as CardElement[])[0] as CardElement).columns as CardElement[];
      const block = ((columns[0] as CardElement).items as CardElement[])[0] as CardElement;
      return (block.inlines as { text: string }[])[1]?.text ?? "";
    });
}
