// Test-only OpenID Provider for PromptedCode's tests, built on `oidc-provider`
// (v9, OpenID-certified). Never use it outside tests: it accepts any password.
//
//   OIDC_PORT=4444 OIDC_CLIENTS='[{"client_id":"pc","client_secret":"s3cret",
//     "redirect_uris":["http://127.0.0.1:3000/auth/callback"],
//     "post_logout_redirect_uris":["http://127.0.0.1:3000/"]}]' node end2end/oidc-provider.mjs
//
// Env: OIDC_PORT (required; listens on 127.0.0.1, issuer http://127.0.0.1:PORT, no trailing slash),
//      OIDC_CLIENTS (JSON array; token_endpoint_auth_method defaults to client_secret_basic,
//      "client_secret_post" may be given per client), OIDC_MALLORY_EMAIL (default mallory@idp.test).
//
// Endpoints: /.well-known/openid-configuration, /auth, /token, /jwks, /me, /session/end.
// Sign-in without JavaScript (keep cookies; they are set with Path=/interaction/<uid>,
// /auth/<uid> and / for `_session`, so use a real cookie jar):
//   1. GET /auth?client_id&redirect_uri&response_type=code&scope=openid email profile&state&nonce
//      &code_challenge&code_challenge_method=S256  -> 303 Location: /interaction/<uid>
//   2. GET /interaction/<uid> -> 200 HTML login page:
//        <form autocomplete="off" action="http://127.0.0.1:PORT/interaction/<uid>" method="post">
//          <input type="hidden" name="prompt" value="login"/>
//          <input required type="text" name="login"> <input required type="password" name="password">
//          <button type="submit" class="login login-submit">Sign-in</button></form>
//   3. POST /interaction/<uid> (application/x-www-form-urlencoded) prompt=login&login=alice&password=x
//        -> 303 Location: http://127.0.0.1:PORT/auth/<uid>
//   4. GET /auth/<uid> -> 303 Location: <redirect_uri>?code=...&state=...&iss=http%3A%2F%2F127.0.0.1%3APORT
//      (consent is granted automatically, see loadExistingGrant). With a live `_session` cookie
//      step 1 redirects straight to the redirect_uri (SSO).
// Logout: GET /session/end?id_token_hint=<id_token>|client_id=..&post_logout_redirect_uri=..&state=..
//   -> 200 page with <form id="op.logoutForm" method="post" action=".../session/end/confirm">
//   <input type="hidden" name="xsrf" ...></form> and <button form="op.logoutForm" name="logout"
//   value="yes">; POST xsrf=..&logout=yes -> 303 <post_logout_redirect_uri>?state=..
//   (without id_token_hint or client_id the post_logout_redirect_uri is ignored).
//
// Test controls (same port): POST /__test/tamper {claims} - next id_token from /token gets those
// claims replaced (null deletes one; "exp_offset_secs": N sets exp=now+N; "bad_signature": true
// breaks the signature) and is re-signed with the same key/kid. POST /__test/error-next
// {"error","error_description"} - next GET /auth redirects to redirect_uri with the error, state
// and iss. GET /__test/health -> "ok". Both POST controls are one-shot.
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
if (!port) throw new Error('OIDC_PORT is required');
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OIDC_CLIENTS || '[]').map((c) => ({
  token_endpoint_auth_method: 'client_secret_basic',
  ...c,
  grant_types: ['authorization_code'],
  response_types: ['code'],
}));

// ---- accounts: any login name works; the password is ignored --------------------------------
const accounts = {
  alice: { email: 'alice@idp.test', email_verified: true, name: 'Alice Idp' },
  mallory: {
    email: process.env.OIDC_MALLORY_EMAIL || 'mallory@idp.test', email_verified: false, name: 'Mallory Idp',
  },
};
const claimsFor = (id) => ({ sub: id, ...(accounts[id] ?? { email: `${id}@idp.test`, email_verified: true, name: id }) });

// ---- signing key, generated per run ---------------------------------------------------------
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = randomUUID();
const privateJwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [privateJwk] },
  findAccount: (_ctx, id) => ({ accountId: id, claims: async () => claimsFor(id) }),
  scopes: ['openid', 'email', 'profile'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  conformIdTokenClaims: false, // put scope claims (email, name) into the ID token too
  pkce: { required: () => true }, // S256 is the only method v9 supports
  cookies: { keys: [randomUUID()] },
  features: {
    devInteractions: { enabled: true }, // built-in login form (the default, stated explicitly)
    rpInitiatedLogout: { enabled: true },
  },
  // Skip the consent screen: grant whatever openid scopes/claims the client asked for.
  async loadExistingGrant(ctx) {
    const { oidc } = ctx;
    const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
    const grant = (grantId && await oidc.provider.Grant.find(grantId))
      || new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
    grant.addOIDCScope(String(oidc.params.scope ?? 'openid'));
    grant.addOIDCClaims(['sub', 'email', 'email_verified', 'name']);
    await grant.save();
    return grant;
  },
});
provider.on('server_error', (_ctx, err) => console.error('oidc-provider server_error', err));

// ---- test controls --------------------------------------------------------------------------
let tamper = null; // claims to rewrite in the next id_token
let errorNext = null; // error to answer the next authorization request with

const b64u = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
function resign(idToken, changes) {
  const [h, p] = idToken.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const payload = JSON.parse(Buffer.from(p, 'base64url'));
  const { exp_offset_secs: offset, bad_signature: badSig, ...claims } = changes;
  if (offset !== undefined) {
    const now = Math.floor(Date.now() / 1000);
    payload.exp = now + offset;
    payload.iat = Math.min(payload.iat, payload.exp - 600); // keep iat before exp
  }
  for (const [k, v] of Object.entries(claims)) {
    if (v === null) delete payload[k]; else payload[k] = v;
  }
  const input = `${b64u(header)}.${b64u(payload)}`;
  const sig = sign('sha256', Buffer.from(input), privateKey); // RS256 = RSASSA-PKCS1-v1_5 + SHA-256
  if (badSig) sig[0] ^= 0xff;
  return `${input}.${sig.toString('base64url')}`;
}

async function readJson(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return raw ? JSON.parse(raw) : {};
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/health' && ctx.method === 'GET') {
    ctx.body = 'ok';
    return;
  }
  if (ctx.path === '/__test/tamper' && ctx.method === 'POST') {
    tamper = await readJson(ctx.req);
    ctx.body = { armed: tamper };
    return;
  }
  if (ctx.path === '/__test/error-next' && ctx.method === 'POST') {
    errorNext = { error: 'access_denied', ...await readJson(ctx.req) };
    ctx.body = { armed: errorNext };
    return;
  }
  if (ctx.path === '/auth' && ctx.method === 'GET' && errorNext) {
    const { client_id: clientId, redirect_uri: redirectUri, state } = ctx.query;
    const client = clientId && await provider.Client.find(String(clientId));
    // Only for a known client and registered redirect_uri; otherwise the provider's own checks run.
    if (client && redirectUri && client.redirectUriAllowed(String(redirectUri))) {
      const url = new URL(String(redirectUri));
      for (const [k, v] of Object.entries({ ...errorNext, state, iss: issuer })) {
        if (v !== undefined) url.searchParams.set(k, String(v));
      }
      errorNext = null;
      ctx.status = 303;
      ctx.redirect(url.href);
      return;
    }
  }
  await next();
  // The built-in pages @import Google Fonts; drop that so browsers in tests never reach out.
  if (typeof ctx.body === 'string' && ctx.body.includes('@import url(https://fonts.googleapis.com')) {
    ctx.body = ctx.body.replace(/@import url\(https:\/\/fonts\.googleapis\.com[^)]*\);?/g, '');
  }
  if (ctx.path === '/token' && ctx.method === 'POST' && tamper && ctx.status === 200 && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: resign(ctx.body.id_token, tamper) };
    tamper = null;
  }
});

// ---- start / stop ---------------------------------------------------------------------------
const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
