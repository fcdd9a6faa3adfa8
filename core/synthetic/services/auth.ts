import { incident, normal, preventive } from "../template.js";
import { podHosts, type ServiceSpec } from "./spec.js";

/** Identity: logins, sessions, tokens, MFA, the IdP federation and the security signals. */
export const auth: ServiceSpec = {
  name: "auth",
  traffic: 9,
  preventiveShare: 0.08,
  incidentShare: 0.02,
  traced: true,
  hosts: podHosts("auth", 3),
  templates: [
    normal(
      "info",
      "login succeeded for {email=email} from {clientIp=clientip} (mfa={pick:totp|webauthn|none})",
      3,
    ),
    normal(
      "info",
      'access token issued for client {clientId=ref:cli:10} scope="{pick:orders:read|orders:write|profile|payments:read}" ttl={int:300:3600}s',
      3,
    ),
    normal("info", "session {hex:32} created for user {userId=int:1000:999999}"),
    normal("info", "session {hex:32} revoked by user {userId=int:1000:999999} (logout)"),
    normal("debug", "refresh grant rotated for session {hex:32}"),
    normal("info", "MFA challenge sent to {email} via {pick:sms|email|push}"),
    normal("info", "MFA challenge verified for user {userId=int:1000:999999}"),
    normal("info", "password changed for user {userId=int:1000:999999}"),
    normal("info", "password reset email sent to {email}"),
    normal("info", "JWKS refreshed: {int:2:4} keys, newest kid={hex:16}"),
    normal(
      "info",
      "OAuth authorization code exchanged for client {clientId=ref:cli:10} in {lat:8:120}ms",
    ),
    normal(
      "info",
      'user {userId=int:1000:999999} granted role "{pick:support|viewer|billing|catalog-editor}" by {email}',
    ),
    normal(
      "info",
      "login rejected for {email=email} from {clientIp=clientip}: invalid credentials",
      2,
    ),
    normal("debug", "validated bearer for subject {int:1000:999999} aud={pick:web|mobile|partner}"),
    normal(
      "info",
      "SAML assertion accepted from IdP {pick:okta|azure-ad|google-workspace} for {email}",
    ),
    normal("info", "signup completed for {email}"),
    normal("info", "email address verified for user {userId=int:1000:999999}"),
    normal("info", "account unlocked for user {userId=int:1000:999999}"),
    normal("debug", "password hash verified in {lat:40:300}ms (argon2id)"),
    normal("info", "API client {clientId=ref:cli:10} created by {email} with {int:1:6} scopes"),
    preventive("warn", "account locked for user {userId=int:1000:999999}", 2),
    preventive(
      "warn",
      "{int:3:9} failed login attempts for {email=email} from {clientIp=clientip} in the last {int:1:10} minutes",
      2,
    ),
    preventive("warn", "signing key {hex:16} expires in {int:2:10} days; rotate soon"),
    preventive(
      "warn",
      "password hash for user {userId=int:1000:999999} uses legacy bcrypt cost {pick:8|9}; rehash scheduled at next login",
    ),
    preventive(
      "warn",
      "login from new country {pick:BR|VN|NG|RO|ID|AR} for user {userId=int:1000:999999}; step-up MFA required",
    ),
    preventive("warn", "IdP {pick:okta|azure-ad} metadata fetch slow: {lat:2000:9000}ms"),
    preventive("warn", "bearer introspection latency {lat:250:2000}ms above 250ms budget"),
    preventive("warn", "deprecated OAuth implicit grant used by client {clientId=ref:cli:10}"),
    preventive("warn", "session store at {pct:80:95} of memory budget"),
    incident(
      "error",
      "credential stuffing detected: {int:500:20000} failed logins from {int:50:3000} addresses in {int:2:10} minutes",
      2,
    ),
    incident(
      "error",
      "signature verification failed for {int:100:9000} bearer credentials in 1m (kid {hex:16} unknown)",
    ),
    incident(
      "error",
      "JWKS refresh failed from {k8shost}: {pick:connection refused|HTTP 503|timeout}",
    ),
    incident(
      "error",
      "login succeeded for disabled user {userId=int:1000:999999} from {clientip}; possible authorization bypass",
    ),
    incident(
      "error",
      "LDAP bind failed to {ipport:636|389}: {pick:server down|timeout|TLS negotiation failure}",
    ),
    incident(
      "error",
      "session store unavailable: {pick:READONLY You can't write against a read only replica|connection refused|NOAUTH required}",
    ),
    incident(
      "warn",
      'privilege escalation blocked: user {userId=int:1000:999999} tried to assign role "admin" via {apipath}',
    ),
    incident(
      "fatal",
      "auth schema migration failed at version {int:100:300}: {pick:duplicate column|lock timeout}",
    ),
  ],
  burst: [
    incident(
      "error",
      "OIDC discovery document from https://{domain}/.well-known/openid-configuration has no jwks_uri",
    ),
    incident(
      "error",
      "clock skew {int:301:900}s between auth and IdP; every assertion rejected as not yet valid",
    ),
    incident(
      "error",
      "webauthn attestation for user {userId=int:1000:999999} rejected: unsupported algorithm -{int:7:260}",
    ),
    incident(
      "fatal",
      "password hasher pool deadlocked: {int:16:64} workers blocked, logins hanging",
    ),
    incident(
      "error",
      "SCIM sync from {pick:okta|azure-ad} deprovisioned {int:200:9000} active users unexpectedly",
    ),
  ],
};
