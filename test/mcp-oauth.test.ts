// An MCP client connecting the way the MCP authorization spec has it, with the MCP SDK's own
// OAuth code: its first call is a 401 naming our protected-resource metadata, from which it
// discovers the authorization server, registers itself (RFC 7591), sends the person to
// authorize (here: the test's signed-in person, who clicks Allow over HTTP), exchanges the code
// with PKCE for a token bound to the MCP server (RFC 8707), and then lists and calls tools.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { createServedTestContext } from './support/real-port.ts';
import type { TestContext } from './support/test-context.ts';
import { consentOverHttp, signUpPerson } from './support/oauth-flow.ts';

const REDIRECT_URI = 'http://127.0.0.1:33418/callback';
let t: TestContext;
let base: string;
let closeServer: () => Promise<void>;

before(async () => {
  ({ t, base, close: closeServer } = await createServedTestContext());
});
after(async () => {
  await closeServer();
});

/** What an MCP client keeps between steps, in memory; the person's browser is replaced by their session. */
class InMemoryProvider implements OAuthClientProvider {
  client?: OAuthClientInformationMixed;
  saved?: OAuthTokens;
  verifier = '';
  authorizationUrl?: URL;

  get redirectUrl() {
    return REDIRECT_URI;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'Test agent',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(client: OAuthClientInformationMixed) {
    this.client = client;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

describe('an MCP client authorizing itself with OAuth', () => {
  it('goes from a 401 through discovery, registration, consent and the token to a tool call', async () => {
    const person = await signUpPerson(t, 'Yan');
    const created = await t.call('POST', '/v1/customers', {
      headers: { cookie: person.cookie },
      body: { name: 'Made before the agent' },
    });
    assert.equal(created.status, 201, created.text);
    const provider = new InMemoryProvider();
    const first = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { authProvider: provider });
    await assert.rejects(new Client({ name: 'agent', version: '1.0.0' }).connect(first), UnauthorizedError);
    assert.match(provider.client!.client_id, /^oac_/, 'the SDK registered itself at our registration_endpoint');
    const url = provider.authorizationUrl!;
    assert.equal(url.origin + url.pathname, `${base}/v1/auth/oauth2/authorize`);
    assert.equal(url.searchParams.get('resource'), `${base}/mcp`, 'the token is asked for the MCP server');
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');

    const callback = await consentOverHttp(base, url, person.cookie);
    assert.equal(callback.origin + callback.pathname, REDIRECT_URI);
    await first.finishAuth(callback.searchParams.get('code')!);
    assert.match(provider.saved!.access_token, /^flo_at_/);

    const client = new Client({ name: 'agent', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { authProvider: provider }));
    try {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      assert.ok(names.includes('customers_list'), names.join(' '));
      const result = await client.callTool({ name: 'customers_list', arguments: {} });
      assert.notEqual(result.isError, true, JSON.stringify(result));
      assert.match(JSON.stringify(result.content), /Made before the agent/, "it reads the person's account");
    } finally {
      await client.close();
    }
  });
});
