// The plain server-rendered page the few HTML answers of the API use (the OAuth sign-in and
// consent pages, the unsubscribe page): they must work with scripts off. Every value is escaped.

export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** A page titled `title` around `body` (HTML the caller has escaped). */
export function page(title: string, body: string): string {
  return (
    `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>${escapeHtml(title)} · Fieldline</title>
  <style>
    body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }
    main { max-width: 28rem; margin: 3rem auto; padding: 2rem; background: #fff; border-radius: 8px; ` +
    `box-shadow: 0 1px 3px #0002; }
    h1 { font-size: 1.3rem; margin-top: 0; }
    label { display: block; margin: 1rem 0 .25rem; font-weight: 600; }
    input[type=email], input[type=password] { width: 100%; box-sizing: border-box; padding: .6rem; font: inherit; ` +
    `border: 1px solid #aab; border-radius: 4px; }
    button { font: inherit; padding: .6rem 1.2rem; border-radius: 4px; border: 1px solid #1f4fd1; ` +
    `background: #1f4fd1; color: #fff; cursor: pointer; }
    button.secondary { background: #fff; color: #1f4fd1; }
    button:focus-visible, input:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
    .actions { display: flex; gap: .75rem; margin-top: 1.5rem; }
    .error { color: #a4161a; background: #fde8e8; padding: .5rem .75rem; border-radius: 4px; }
    .warning { color: #6b4e00; background: #fff4d6; padding: .5rem .75rem; border-radius: 4px; }
    ul { padding-left: 1.2rem; }
  </style>
</head>
<body><main>${body}</main></body>
</html>`
  );
}

/** A page that says one thing. */
export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}
