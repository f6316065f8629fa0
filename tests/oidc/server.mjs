// An OpenID Connect provider for the tests and for `cds run --oidc`: panva's certified
// oidc-provider, configured as the ministry's single sign-on is expected to behave, with
// development accounts and clients. Never for production: its keys are made at each start, its
// data is in memory, and every account has the same development password.
//
// Environment (api/dev_oidc.py sets it): OIDC_PORT (8001), OIDC_REDIRECT_URIS (the dashboard's
// address, space- or comma-separated), OIDC_RESOURCE (the API's audience, urn:cds:registry),
// OIDC_ACCESS_TOKEN_TTL (seconds, 600), OIDC_SHORT_TOKEN_TTL (seconds, 10: the account
// "province-79-short", to see a session expire).
import { generateKeyPair, exportJWK } from 'jose';
import Provider, { errors } from 'oidc-provider';

const env = (name, fallback) => process.env[name] || fallback;
const list = (value) => value.split(/[\s,]+/).filter(Boolean);
const PORT = Number(env('OIDC_PORT', '8001'));
const ISSUER = `http://127.0.0.1:${PORT}`;
const REDIRECT_URIS = list(env('OIDC_REDIRECT_URIS', 'http://127.0.0.1:8000/dashboard/'));
const RESOURCE = env('OIDC_RESOURCE', 'urn:cds:registry');
// Another API of the ministry: its tokens are valid JWTs of this provider that the registry
// must refuse (audience).
const OTHER_RESOURCE = 'urn:example:another-api';
const TTL = Number(env('OIDC_ACCESS_TOKEN_TTL', '600'));
const SHORT_TTL = Number(env('OIDC_SHORT_TOKEN_TTL', '10'));
const PASSWORD = 'cds-dev';

// People: login name -> the claims the registry reads (api/auth.py).
const ACCOUNTS = {
  national: { name: 'Cục Chuyển đổi số quốc gia', cds_role: 'NATIONAL_COORDINATOR' },
  'province-79': { name: 'Sở KH&CN TP. Hồ Chí Minh', cds_role: 'PROVINCIAL_COORDINATOR', cds_scope: '79' },
  'province-01': { name: 'Sở KH&CN Hà Nội', cds_role: 'PROVINCIAL_COORDINATOR', cds_scope: '01' },
  'province-79-short': {
    name: 'Sở KH&CN TP. Hồ Chí Minh (phiên ngắn)', cds_role: 'PROVINCIAL_COORDINATOR', cds_scope: '79', ttl: SHORT_TTL,
  },
  'no-role': { name: 'Tài khoản chưa được cấp vai trò' },
};
// Machines (client_credentials): client id -> its secret and claims.
const MACHINES = {
  'cds-bi-national': { secret: 'cds-dev-bi-secret', cds_role: 'NATIONAL_COORDINATOR' },
  'cds-portal-79': { secret: 'cds-dev-portal-secret', cds_role: 'PROVINCIAL_COORDINATOR', cds_scope: '79' },
  'cds-no-role': { secret: 'cds-dev-no-role-secret' },
};
const roleClaims = ({ cds_role, cds_scope }) => Object.fromEntries(
  Object.entries({ cds_role, cds_scope }).filter(([, value]) => value !== undefined),
);

async function signingKeys() {
  const keys = [];
  for (const alg of ['RS256', 'ES256']) {
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    keys.push({ ...(await exportJWK(privateKey)), alg, use: 'sig', kid: `${alg.toLowerCase()}-${Date.now()}` });
  }
  return { keys };
}

// Pages in plain HTML with system fonts (the defaults load a web font from outside).
const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>${escape(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
label{display:block;font-weight:600;margin-top:.8rem}input{width:100%;padding:.5rem;font:inherit;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1rem;font:inherit;background:#0b5cad;color:#fff;border:0;border-radius:4px}
.error{color:#b00020;font-weight:600}.hint{color:#4a5360;font-size:.9rem}</style></head>
<body><p class="hint">Môi trường phát triển · Development identity provider</p>${body}</body></html>`;

function loginPage(uid, error = '', login = '') {
  const accounts = Object.keys(ACCOUNTS).map((id) => `<code>${escape(id)}</code>`).join(', ');
  return page('Đăng nhập · Sign in', `<h1>Đăng nhập <span lang="en">/ Sign in</span></h1>
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
<label for="login">Tên đăng nhập <span lang="en">/ Login</span></label>
<input id="login" name="login" required autofocus autocomplete="username" value="${escape(login)}">
<label for="password">Mật khẩu <span lang="en">/ Password</span></label>
<input id="password" name="password" type="password" required autocomplete="current-password">
<button type="submit">Đăng nhập <span lang="en">/ Sign in</span></button></form>
<p><a href="/interaction/${escape(uid)}/abort">Huỷ / Cancel</a></p>
<p class="hint">Tài khoản / Accounts: ${accounts}</p>`);
}

async function formBody(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return new URLSearchParams(text);
}

const provider = new Provider(ISSUER, {
  jwks: await signingKeys(),
  cookies: { keys: [crypto.randomUUID(), crypto.randomUUID()] },
  clients: [
    {
      client_id: 'cds-dashboard',
      client_name: 'Mạng lưới chuyển đổi số',
      token_endpoint_auth_method: 'none', // public: a page cannot keep a secret; PKCE instead
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: REDIRECT_URIS,
      post_logout_redirect_uris: REDIRECT_URIS,
    },
    ...Object.entries(MACHINES).map(([id, machine]) => ({
      client_id: id,
      client_secret: machine.secret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    })),
  ],
  responseTypes: ['code'],
  pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' }, // S256 only in v9
  async findAccount(_ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, name: account.name }) };
  },
  claims: { openid: ['sub'], profile: ['name'] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => RESOURCE,
      useGrantedResource: async () => true,
      async getResourceServerInfo(_ctx, resource) {
        if (resource !== RESOURCE && resource !== OTHER_RESOURCE) throw new errors.InvalidTarget();
        return { scope: 'registry', accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
      },
    },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('Đăng xuất · Sign out', `<h1>Đăng xuất? <span lang="en">/ Sign out?</span></h1>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Đăng xuất <span lang="en">/ Sign out</span></button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Đã đăng xuất · Signed out', '<h1>Đã đăng xuất <span lang="en">/ Signed out</span></h1>');
      },
    },
  },
  // Role and scope travel in the access token, for people and for machines alike.
  async extraTokenClaims(_ctx, token) {
    const who = token.kind === 'ClientCredentials' ? MACHINES[token.clientId] : ACCOUNTS[token.accountId];
    return who ? roleClaims(who) : undefined;
  },
  ttl: {
    AccessToken: (_ctx, token) => ACCOUNTS[token.accountId]?.ttl ?? TTL,
    ClientCredentials: () => TTL,
    IdToken: () => 3600,
    Grant: () => 8 * 3600,
    Interaction: () => 3600,
    Session: () => 8 * 3600,
  },
  // The dashboard is the registry's own page: nothing to consent to, its grant is made here.
  async loadExistingGrant(ctx) {
    const { client, session, params } = ctx.oidc;
    const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
    grant.addOIDCScope(params.scope || 'openid');
    grant.addResourceScope(params.resource || RESOURCE, 'registry');
    await grant.save();
    return grant;
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  clientBasedCORS: (_ctx, origin, client) => client.redirectUris.some((uri) => new URL(uri).origin === origin),
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Lỗi · Error', `<h1>Lỗi <span lang="en">/ Error</span></h1><pre>${escape(JSON.stringify(out, null, 2))}</pre>`);
  },
});

// The login form: the provider sends the browser here when it has nobody signed in.
provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([\w-]+)(\/login|\/abort)?$/.exec(ctx.path);
  if (!match) return next();
  ctx.set('Cache-Control', 'no-store');
  const [, uid, action] = match;
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.uid !== uid) ctx.throw(400, 'interaction mismatch');
  if (action === '/abort') {
    return provider.interactionFinished(ctx.req, ctx.res, { error: 'access_denied', error_description: 'cancelled' });
  }
  if (action === '/login' && ctx.method === 'POST') {
    const body = await formBody(ctx.req);
    const login = (body.get('login') || '').trim();
    if (ACCOUNTS[login] && body.get('password') === PASSWORD) {
      return provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
    }
    ctx.type = 'html';
    ctx.body = loginPage(uid, 'Sai tên đăng nhập hoặc mật khẩu. / Wrong login or password.', login);
    return undefined;
  }
  ctx.type = 'html';
  ctx.body = loginPage(uid);
  return undefined;
});

const server = provider.listen(PORT, '127.0.0.1', () => {
  console.log(JSON.stringify({ ready: true, issuer: ISSUER, resource: RESOURCE, redirectUris: REDIRECT_URIS }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
