/**
 * How deep a page's elements nest, found by one linear scan of its tags before any DOM is built. jsdom and
 * Readability take time super-linear in the depth (1,000 nested <div>s: half a minute of CPU) and recurse
 * once per level (5,000 unclosed <b>s overflow the stack), so a page nested deeper than MAX_NESTING_DEPTH is
 * refused unread.
 *
 * An estimate in the spirit of the HTML parser, not a parser: void elements, and elements whose end tag may be
 * left out (<p>, <li>, <td>…, which the parser closes by itself), do not count; an end tag closes the
 * innermost open element of its name and everything opened inside it; an end tag with nothing to close is
 * ignored; comments and the text of <script>, <style>, <textarea> and <title> are skipped.
 */
export const MAX_NESTING_DEPTH = 400;

const VOID = new Set(
  'area base basefont bgsound br col embed frame hr image img input keygen link meta param source track wbr'.split(' '),
);
const OPTIONAL_END = new Set(
  'p li dt dd option optgroup tr td th thead tbody tfoot colgroup caption rb rt rtc rp html head body'.split(' '),
);
const RAW_TEXT = new Set('script style textarea title xmp iframe noembed noframes'.split(' '));
/** Inside these, `<x/>` closes itself (in HTML proper the slash is ignored and `<div/>` stays open). */
const FOREIGN = new Set(['svg', 'math']);

/**
 * The start of a comment, of another declaration (`<!doctype`, `<![CDATA[`, `<?xml`) or of a tag. The rest
 * of a tag is found with indexOf, not by the pattern: a pattern that had to find the closing `>` too would
 * backtrack quadratically over a long tag that never closes.
 */
const MARKUP = /<(!--|[!?]|\/?[a-z][^\s/<>]*)/g;

/** The open elements, with a count per name so an end tag finds its element without searching the stack. */
class OpenElements {
  private readonly names: string[] = [];
  private readonly counts = new Map<string, number>();

  get depth(): number {
    return this.names.length;
  }

  has(name: string): boolean {
    return (this.counts.get(name) ?? 0) > 0;
  }

  open(name: string): void {
    this.names.push(name);
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  /** Closes the innermost `name` and everything inside it; each element is popped once, so this stays linear. */
  close(name: string): void {
    if (!this.has(name)) return;
    for (let popped = this.names.pop(); popped !== undefined; popped = this.names.pop()) {
      this.counts.set(popped, (this.counts.get(popped) ?? 1) - 1);
      if (popped === name) return;
    }
  }
}

export function nestingDepth(html: string): number {
  const text = html.toLowerCase();
  const markup = new RegExp(MARKUP);
  const elements = new OpenElements();
  let deepest = 0;
  const skipTo = (end: string) => {
    const at = text.indexOf(end, markup.lastIndex);
    markup.lastIndex = at < 0 ? text.length : at;
  };
  for (let match = markup.exec(text); match !== null; match = markup.exec(text)) {
    const token = match[1] ?? '';
    if (token === '!--') {
      skipTo('-->');
      continue;
    }
    const tagEnd = text.indexOf('>', markup.lastIndex);
    // A tag that never closes ends the document, as it does for the parser.
    if (tagEnd < 0) break;
    markup.lastIndex = tagEnd + 1;
    const name = token.replace(/^\//, '');
    if (token === '!' || token === '?' || VOID.has(name) || OPTIONAL_END.has(name)) continue;
    if (token.startsWith('/')) {
      elements.close(name);
    } else if (RAW_TEXT.has(name)) {
      skipTo(`</${name}`);
    } else if (!(text[tagEnd - 1] === '/' && (FOREIGN.has(name) || [...FOREIGN].some((f) => elements.has(f))))) {
      elements.open(name);
      deepest = Math.max(deepest, elements.depth);
    }
  }
  return deepest;
}

/** Why a page may not be parsed, or undefined when it may. */
export function tooDeep(html: string, limit = MAX_NESTING_DEPTH): string | undefined {
  const depth = nestingDepth(html);
  return depth > limit ? `its elements nest ${depth} deep, more than the ${limit} allowed` : undefined;
}
