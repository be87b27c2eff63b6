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
