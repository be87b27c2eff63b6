/**
 * Bytes of an article file → text. Most files are UTF-8; files saved by older Windows tools are often
 * Windows-1252 (Latin-1) and Notepad's "Unicode" is UTF-16. Decoding those as UTF-8 would quote "caf�", so:
 * a byte-order mark decides first; then UTF-16 without one is recognised by its zero bytes; valid UTF-8 is
 * UTF-8; anything else is given to chardet (a maintained statistical detector) and decoded with iconv-lite
 * (Node's own TextDecoder decodes "windows-1252" as Latin-1, turning curly quotes into control characters). A file that still does not decode cleanly is refused with a message saying how to convert it:
 * U+FFFD is never quoted.
 */
import chardet from 'chardet';
import iconv from 'iconv-lite';

export type Decoded = { text: string; encoding: string } | { problem: string };

const CONVERT_HINT = 'convert it to UTF-8 (for example `iconv -f WINDOWS-1252 -t UTF-8 in.txt > out.txt`)';

/** Share of the bytes at even (or odd) offsets that are zero: ASCII text in UTF-16 has one zero per character. */
function zeroShare(bytes: Uint8Array, parity: 0 | 1): number {
  let zeros = 0;
  let count = 0;
  for (let i = parity; i < bytes.length; i += 2) {
    count++;
    if (bytes[i] === 0) zeros++;
  }
  return count === 0 ? 0 : zeros / count;
}

function decodeAs(bytes: Uint8Array, encoding: string): string | undefined {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

export function decodeArticle(bytes: Uint8Array): Decoded {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    const text = decodeAs(bytes.subarray(3), 'utf-8');
    return text === undefined ? { problem: `marked UTF-8 but not valid UTF-8; ${CONVERT_HINT}` } : { text, encoding: 'UTF-8' };
  }
  for (const [mark, encoding] of [
    [[0xff, 0xfe], 'utf-16le'],
    [[0xfe, 0xff], 'utf-16be'],
  ] as const) {
    if (bytes[0] === mark[0] && bytes[1] === mark[1]) {
      const text = decodeAs(bytes.subarray(2), encoding);
      return text === undefined ? { problem: `not valid ${encoding.toUpperCase()}; ${CONVERT_HINT}` } : { text, encoding: encoding.toUpperCase() };
    }
  }
  if (bytes.includes(0)) {
    const odd = zeroShare(bytes, 1);
    const even = zeroShare(bytes, 0);
    const encoding = odd > 0.3 && even < 0.05 ? 'utf-16le' : even > 0.3 && odd < 0.05 ? 'utf-16be' : undefined;
    const text = encoding ? decodeAs(bytes, encoding) : undefined;
    if (encoding && text !== undefined) return { text, encoding: encoding.toUpperCase() };
    return { problem: 'binary content (NUL bytes), not text' };
  }
  const utf8 = decodeAs(bytes, 'utf-8');
  if (utf8 !== undefined) return { text: utf8, encoding: 'UTF-8' };
  const detected = chardet.detect(bytes);
  // Files "in Latin-1" are nearly always Windows-1252, its superset with curly quotes and dashes in 0x80–0x9F
  // (browsers decode them so too).
  const guess = detected === 'ISO-8859-1' ? 'windows-1252' : detected;
  const text = guess && guess !== 'UTF-8' && iconv.encodingExists(guess) ? iconv.decode(Buffer.from(bytes), guess) : undefined;
  if (text !== undefined && !text.includes('\uFFFD')) return { text, encoding: guess ?? '' };
  return { problem: `not UTF-8, and its encoding could not be recognised; ${CONVERT_HINT}` };
}

/**
 * Encoding labels as browsers read them (the WHATWG Encoding Standard): "Latin-1" and ASCII mean
 * Windows-1252, its superset.
 */
function encodingForLabel(label: string): string | undefined {
  const name = label.trim().replace(/^["']|["']$/g, '').toLowerCase();
  if (/^(iso-?8859-1|latin-?1|l1|(us-)?ascii|cp1252|windows-1252|x-cp1252)$/.test(name)) return 'windows-1252';
  if (name === 'utf8' || name === 'utf-8' || name === 'unicode-1-1-utf-8') return 'utf-8';
  return iconv.encodingExists(name) ? name : undefined;
}

/**
 * The charset a web document states: the Content-Type header's, else (for HTML) a `<meta charset>` or
 * `<meta http-equiv="Content-Type" content="…; charset=…">` near its start, else an XML declaration's.
 */
export function declaredCharset(bytes: Uint8Array, contentType: string): string | undefined {
  const header = contentType.match(/;\s*charset\s*=\s*"?([^";\s]+)/i)?.[1];
  if (header) return header;
  // The start read as Latin-1: every byte a character, so ASCII markup is found whatever the encoding.
  const head = Buffer.from(bytes.subarray(0, 4096)).toString('latin1');
  const meta = head.match(/<meta\s[^>]*?charset\s*=\s*["']?\s*([-\w:.]+)/i)?.[1];
  // A page that could say "UTF-16" in ASCII bytes is not UTF-16: browsers read such a <meta> as UTF-8.
  if (meta) return /^utf-16/i.test(meta) ? 'utf-8' : meta;
  return head.match(/^\s*<\?xml[^>]*?encoding\s*=\s*["']([-\w:.]+)/i)?.[1];
}

/**
 * Bytes of a web page (or feed) → text, in the charset it declares. A byte-order mark wins, as in browsers;
 * a page stating none, or stating UTF-8 in bytes that are not, is read as a file would be (decodeArticle).
 */
export function decodeWebPage(bytes: Uint8Array, contentType: string): Decoded {
  const hasBom = (bytes[0] === 0xef && bytes[1] === 0xbb) || (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  const label = declaredCharset(bytes, contentType);
  const encoding = label === undefined || hasBom ? undefined : encodingForLabel(label);
  if (encoding === 'utf-8') {
    const text = decodeAs(bytes, 'utf-8');
    if (text !== undefined) return { text, encoding: 'UTF-8' };
  } else if (encoding !== undefined) {
    return { text: iconv.decode(Buffer.from(bytes), encoding), encoding };
  }
  return decodeArticle(bytes);
}
