// A real OpenID Provider for Samskab's tests: oidc-provider (OpenID-certified) on a free loopback port.
//
//   node server.mjs '{"clients": [{"client_id": "...", "client_secret": "...", "redirect_uris": [...],
//                                  "post_logout_redirect_uris": [...]}]}'
//
// It prints "READY <issuer>" when it listens. Logging in uses oidc-provider's development interactions:
// any login name is accepted and becomes the subject (`sub`); consent is given at once. Tests steer it
// through two loopback-only endpoints beside the provider's own:
//   POST /__test/accounts/<sub>  {claims}   the claims of that subject (name, email, groups, ...)
//   POST /__test/tamper          {"mode"}   rewrite the next ID tokens: wrong_nonce, wrong_audience,
//                                           wrong_issuer, expired, unknown_key, alg_none, hs256, or null
// The rewritten tokens are what a broken or hostile provider would send; everything else is the
// provider's own behaviour (discovery, JWKS, PKCE, code exchange, signing, end-session).
import http from 'node:http';
import { randomBytes } from 'node:crypto';

import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const settings = JSON.parse(process.argv[2] || '{"clients": []}');
const KID = 'samskab-test-key';
const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: KID, alg: 'RS256', use: 'sig' };
const accounts = new Map();
let tamper = null;

const server = http.createServer();
await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
const issuer = `http://127.0.0.1:${server.address().port}`;
const secrets = new Map(settings.clients.map((c) => [c.client_id, c.client_secret]));

const provider = new Provider(issuer, {
  clients: settings.clients.map((client) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...client,
  })),
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(16).toString('hex')] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name'],
    email: ['email', 'email_verified'],
    groups: ['groups', 'roles'],
  },
  // Claims go into the ID token itself, as MitID brokers and Entra ID put them.
  conformIdTokenClaims: false,
  async findAccount(ctx, sub) {
    return { accountId: sub, async claims() { return { sub, ...(accounts.get(sub) || {}) }; } };
  },
  // First-party clients: consent is implied, as in a municipality's own set-up.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid profile email groups');
    await grant.save();
    return grant;
  },
});

async function sign(payload, key = privateKey, kid = KID) {
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(key);
}

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function rewrite(idToken, mode) {
  const claims = decodeJwt(idToken);
  const now = Math.floor(Date.now() / 1000);
  switch (mode) {
    case 'wrong_nonce': return sign({ ...claims, nonce: 'not-the-nonce-that-was-sent' });
    case 'wrong_audience': return sign({ ...claims, aud: 'another-client', azp: claims.aud });
    case 'wrong_issuer': return sign({ ...claims, iss: 'http://127.0.0.1:9/not-the-issuer' });
    case 'expired': return sign({ ...claims, iat: now - 7200, exp: now - 3600 });
    case 'unknown_key': {
      const other = await generateKeyPair('RS256');
      return sign(claims, other.privateKey, 'a-key-nobody-published');
    }
    case 'alg_none': return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    case 'hs256': {
      const secret = new TextEncoder().encode(secrets.get(claims.aud) || 'secret');
      return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret);
    }
    default: throw new Error(`unknown tamper mode ${mode}`);
  }
}

provider.use(async (ctx, next) => {
  await next();
  if (tamper && ctx.oidc?.route === 'token' && ctx.status === 200 && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: await rewrite(ctx.body.id_token, tamper) };
  }
});

function readJson(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => { try { resolve(body ? JSON.parse(body) : {}); } catch (error) { reject(error); } });
  });
}

const handle = provider.callback();
server.on('request', async (req, res) => {
  if (!req.url.startsWith('/__test/')) return handle(req, res);
  try {
    const body = await readJson(req);
    if (req.method === 'POST' && req.url.startsWith('/__test/accounts/')) {
      accounts.set(decodeURIComponent(req.url.slice('/__test/accounts/'.length)), body);
    } else if (req.method === 'POST' && req.url === '/__test/tamper') {
      tamper = body.mode || null;
    } else {
      res.writeHead(404).end();
      return undefined;
    }
    res.writeHead(204).end();
  } catch (error) {
    res.writeHead(400).end(String(error));
  }
  return undefined;
});

process.on('SIGTERM', () => { server.close(); process.exit(0); });
process.stdout.write(`READY ${issuer}\n`);
