// The Content-Disposition of a file the API serves. A filename comes from users (an upload, an
// imported mail attachment): a quote or a line break written into the header as is would break it
// (Node refuses the header: a 500) or let a name add headers. RFC 6266: a plain-ASCII fallback in
// `filename`, the exact name percent-encoded in `filename*` (RFC 8187), which browsers prefer.
const ATTR_CHAR_EXTRAS = /['()*]/g;

export function attachmentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const exact = encodeURIComponent(filename).replace(
    ATTR_CHAR_EXTRAS,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${exact}`;
}
