/**
 * Parses HTML exactly as cheerio does (parse5 building a domhandler tree) but
 * counts what the parser builds while it builds it, and stops once a page
 * goes past the budget. A guard that scans the raw text cannot be trusted: a
 * `<` inside an attribute (`<div a="<">`) hides a tag from it, while the
 * parser still nests it, at a cost quadratic in the depth of its open-element
 * stack (every start tag checks the stack's scope).
 */
import { parse } from 'parse5';
import { adapter } from 'parse5-htmlparser2-tree-adapter';

export type ParsedDocument = ReturnType<typeof adapter.createDocument>;

export interface ParseBudget {
  /** Elements the parser may create, implied ones (`html`, `tbody`) included. */
  maxElements: number;
  /** Depth of the parser's stack of open elements. */
  maxDepth: number;
}

/**
 * Real search pages have a few thousand elements and nest below 100;
 * Chromium's parser caps its tree at 512 deep.
 */
export const PARSE_BUDGET: ParseBudget = { maxElements: 100_000, maxDepth: 512 };

/** The page would cost more to read than any search page should; it is refused, not read. */
export class PageTooComplexError extends Error {
  readonly code = 'PAGE_TOO_COMPLEX';

  constructor(message: string) {
    super(message);
    this.name = 'PageTooComplexError';
  }
}

/** The document cheerio's `load(html)` would build, or PageTooComplexError once over budget. */
export function parseHtmlWithBudget(html: string, budget: ParseBudget = PARSE_BUDGET): ParsedDocument {
  let elements = 0;
  let depth = 0;
  const counting: typeof adapter = {
    ...adapter,
    createElement(tagName, namespace, attrs) {
      if (++elements > budget.maxElements) {
        throw new PageTooComplexError(`the search page has more than ${budget.maxElements} elements, which no search page has; it was not read`);
      }
      return adapter.createElement(tagName, namespace, attrs);
    },
    // The parser's own stack of open elements: every push and pop is reported here.
    onItemPush() {
      if (++depth > budget.maxDepth) {
        throw new PageTooComplexError(`the search page nests elements more than ${budget.maxDepth} deep, which no search page does; it was not read`);
      }
    },
    onItemPop() {
      depth--;
    },
  };
  // cheerio's parse5 options: scripting on, so <noscript> is raw text as in browsers.
  return parse(html, { treeAdapter: counting, scriptingEnabled: true });
}
