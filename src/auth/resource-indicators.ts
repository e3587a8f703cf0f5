// RFC 8707 resource indicators on authorize and token requests. MCP clients always name the
// resource they want a token for (our /mcp URL, from its RFC 9728 metadata). Our access tokens
// are good for the whole API, so a known resource is accepted and taken off the request before
// Better Auth sees it (which would otherwise want a resource table seeded at start-up); an
// unknown one is `invalid_target`, as the RFC asks.

export type ResourceCheck = { request: Request } | { invalidTarget: string };

export async function acceptResourceIndicators(request: Request, known: readonly string[]): Promise<ResourceCheck> {
  const url = new URL(request.url);
  const named = url.searchParams.getAll('resource');
  url.searchParams.delete('resource');
  let body: BodyInit | null = request.body;
  const isForm = /^application\/x-www-form-urlencoded/i.test(request.headers.get('content-type') ?? '');
  if (request.method === 'POST' && isForm) {
    const form = new URLSearchParams(await request.clone().text());
    named.push(...form.getAll('resource'));
    form.delete('resource');
    body = form.toString();
  }
  const unknown = named.find((resource) => !known.includes(resource));
  if (unknown !== undefined)
    return { invalidTarget: `This server issues tokens for ${known.join(', ')} only, not ${unknown}` };
  if (!named.length) return { request };
  return {
    request: new Request(url, {
      method: request.method,
      headers: request.headers,
      body,
      duplex: 'half',
    } as RequestInit),
  };
}
