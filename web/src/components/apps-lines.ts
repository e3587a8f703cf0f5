// Lists typed one item a line (redirect URIs, origins, emails): text in, trimmed items out.
export function linesOf(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean),
    ),
  ];
}

export function toLines(items: readonly string[]): string {
  return items.join('\n');
}
