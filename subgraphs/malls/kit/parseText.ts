/** Reading prices and model codes out of mall page text, shared by every site description. */

/** GraphQL `Int` is 32-bit: a larger "price" is junk, not an offer. */
const MAX_PRICE = 2_147_483_647;

/**
 * Reads a won price: `1,290,000원`, `₩1,290,000`, `￦ 1,290,000`,
 * `KRW 1,290,000`, `1,290,000 원` or a bare `1290000`. Null when there is no
 * positive price (`가격문의`, `품절`, empty).
 */
export function parseWonPrice(text: string): number | null {
  const normalised = text.replace(/\s+/g, ' ').trim();
  const marked =
    /(?:₩|￦|\bKRW)\s*(\d{1,3}(?:,\d{3})+|\d+)/i.exec(normalised)?.[1] ??
    /(\d{1,3}(?:,\d{3})+|\d+)\s*원/.exec(normalised)?.[1] ??
    /^(\d{1,3}(?:,\d{3})+|\d+)$/.exec(normalised)?.[1];
  if (marked === undefined) return null;
  const value = Number(marked.replace(/,/g, ''));
  return Number.isSafeInteger(value) && value > 0 && value <= MAX_PRICE ? value : null;
}

/**
 * A model code: upper-case letters, digits, `-` and `/`, with at least one
 * letter and one digit (`MQD010BKH/A`, `SM-S300XKH/A`, `16Z9500BKH/A`).
 */
const MODEL_CODE = /^(?=[A-Z0-9/-]*[A-Z])(?=[A-Z0-9/-]*\d)[A-Z0-9][A-Z0-9/-]{2,39}$/;

/** The whole text as a model code (a `data-model` attribute, a spec cell), or null. */
export function modelCode(text: string): string | null {
  const candidate = text.replace(/\s+/g, '').toUpperCase();
  return MODEL_CODE.test(candidate) ? candidate : null;
}

/**
 * The model code a title carries in parentheses or brackets:
 * `[Apple] 에어팟 Pro 2 (MQD011FKH/A)` or `AirPods 정품 [MQD011FKH/A]`.
 * Groups that are not codes (`[Apple]`, `(에어팟 Pro 2)`) are passed over;
 * when several are codes the last wins, as sellers append the code.
 */
export function modelInParentheses(title: string): string | null {
  let found: string | null = null;
  for (const match of title.matchAll(/[([]([^()[\]]{1,60})[)\]]/g)) {
    const inner = match[1] ?? '';
    // Lower-case words are prose (`(정품)`, `(gift)`), never a code.
    if (/[a-z가-힣]/.test(inner)) continue;
    found = modelCode(inner) ?? found;
  }
  return found;
}
