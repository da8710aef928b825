/**
 * A real OpenID Connect provider for the tests (oidc-provider, ESM only, so it runs in its own
 * process; test/servers/oidc.ts starts it). HTTPS on 127.0.0.1 with the given certificate, a
 * public client for the task pane (authorization code + PKCE), JWT access tokens for the CloseDesk
 * API carrying the user's roles, and a login page that checks the user's password.
 *
 * Input: one JSON argument { key, cert, clientId, redirectUris, audience, scope, accessTokenTtl, users }.
 * Output: one JSON line on stdout when listening { issuer }, then one JSON line per token grant
 * { event: 'grant', grantType } so tests can see a silent renewal happen.
 */
import { randomBytes, generateKeyPairSync } from 'node:crypto';
import https from 'node:https';
import Provider, { errors } from 'oidc-provider';

const options = JSON.parse(process.argv[2]);
const users = options.users; // { alice: { password, name, roles: [...] }, … }

const page = (title, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:24em}label{display:block;margin:.6em 0}input{display:block;width:100%}</style></head>
<body><h1>${title}</h1>${body}</body></html>`;
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function readForm(req) {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (d) => {
      text += d;
      if (text.length > 10_000) req.destroy();
    });
    req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(text))));
    req.on('error', reject);
  });
}

const server = https.createServer({ key: options.key, cert: options.cert });
server.listen(0, '127.0.0.1', () => {
  const issuer = `https://127.0.0.1:${server.address().port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-idp-1', alg: 'RS256', use: 'sig' };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        token_endpoint_auth_method: 'none',
        application_type: 'web',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: options.redirectUris,
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email'] },
    async findAccount(_ctx, id) {
      const u = users[id];
      if (!u) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, preferred_username: id, name: u.name, email: `${id}@example.com` }) };
    },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => options.audience,
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx, resource) {
          if (resource !== options.audience) throw new errors.InvalidTarget();
          return { scope: options.scope, audience: options.audience, accessTokenFormat: 'jwt', accessTokenTTL: options.accessTokenTtl, jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    // What CloseDesk reads from an access token: the user's name and roles.
    async extraTokenClaims(_ctx, token) {
      const u = token.accountId ? users[token.accountId] : undefined;
      return u ? { preferred_username: token.accountId, name: u.name, roles: u.roles } : undefined;
    },
    clientBasedCORS: (_ctx, origin, client) => client.redirectUris.some((u) => new URL(u).origin === origin),
    // The pane renews on every call while access tokens are short-lived; keep one refresh token so parallel renewals agree.
    rotateRefreshToken: () => false,
    ttl: { AccessToken: options.accessTokenTtl, IdToken: 3600, RefreshToken: 86400, Session: 86400, Interaction: 600, Grant: 86400 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', `<p>${escape(out.error)}: ${escape(out.error_description ?? '')}</p>`);
    },
  });
  provider.proxy = false;
  provider.on('grant.success', (ctx) => process.stdout.write(JSON.stringify({ event: 'grant', grantType: ctx.oidc.params.grant_type }) + '\n'));
  provider.on('server_error', (_ctx, err) => process.stderr.write(`oidc-provider error: ${err.stack}\n`));

  const callback = provider.callback();
  server.on('request', async (req, res) => {
    // Like Entra ID and most providers, grant offline_access to a sign-in that says prompt=login: the
    // OIDC rule (offline_access only with prompt=consent) is met by adding consent, which is granted below.
    if (req.url.startsWith('/auth?')) {
      const u = new URL(req.url, issuer);
      const prompt = u.searchParams.get('prompt');
      if (prompt && !prompt.split(' ').includes('consent')) {
        u.searchParams.set('prompt', `${prompt} consent`);
        req.url = `${u.pathname}${u.search}`;
      }
    }
    const m = /^\/interaction\/([\w-]+)(\/login)?$/.exec(req.url.split('?')[0]);
    if (!m) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      const { prompt, params, session, grantId } = details;
      if (prompt.name === 'login') {
        let error = '';
        if (req.method === 'POST' && m[2]) {
          const form = await readForm(req);
          const u = users[form.username];
          if (u && u.password === form.password) {
            return provider.interactionFinished(req, res, { login: { accountId: form.username } }, { mergeWithLastSubmission: false });
          }
          error = '<p role="alert">The user name or password is not right.</p>';
        }
        res.setHeader('content-type', 'text/html; charset=utf-8');
        return res.end(
          page(
            'Sign in to the test identity provider',
            `${error}<form method="post" action="/interaction/${m[1]}/login" autocomplete="off">
              <label>Username <input name="username" autofocus></label>
              <label>Password <input name="password" type="password"></label>
              <button type="submit">Sign in</button></form>`,
          ),
        );
      }
      // consent: CloseDesk is first-party here, so what it asks for is granted.
      const grant = grantId ? await provider.Grant.find(grantId) : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      const missing = prompt.details;
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
      return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
    } catch (err) {
      res.statusCode = 400;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(page('Sign-in error', `<p>${escape(err.message)}</p>`));
    }
  });
  process.stdout.write(JSON.stringify({ issuer }) + '\n');
});

for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
