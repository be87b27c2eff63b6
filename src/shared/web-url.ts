/**
 * The one check for "a link a browser (and Discord) will open": an absolute http(s) URL with a host, read by
 * the WHATWG URL parser rather than a pattern, so "htp:/x", "https://" or "https://exa mple.org" never pass.
 */
export function webUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value.trim());
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '') return url.href;
  } catch {
    // not a URL
  }
  return undefined;
}
