import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { maskSensitive } from "./mask.js";

// Every secret below is an obvious fake (AWS's documented example key, "NotARealPassword").

describe("maskSensitive", () => {
  it("masks AWS access key ids but keeps their prefix", () => {
    assert.equal(
      maskSensitive("key AKIAIOSFODNN7EXAMPLE and ASIAIOSFODNN7EXAMPLE"),
      "key AKIA**** and ASIA****",
    );
  });

  it("masks AWS secret access keys after known keys, in env, ini and JSON forms", () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    assert.equal(maskSensitive(`AWS_SECRET_ACCESS_KEY=${secret}`), "AWS_SECRET_ACCESS_KEY=****");
    assert.equal(
      maskSensitive(`aws_secret_access_key = ${secret}`),
      "aws_secret_access_key = ****",
    );
    assert.equal(
      maskSensitive(`{"SecretAccessKey":"${secret}","AccessKeyId":"AKIAIOSFODNN7EXAMPLE"}`),
      '{"SecretAccessKey":"****","AccessKeyId":"AKIA****"}',
    );
    assert.equal(maskSensitive("AWS_SESSION_TOKEN=FwoGZXIvYXdzEFAKE"), "AWS_SESSION_TOKEN=****");
  });

  it("masks bearer and basic credentials, with or without an Authorization header", () => {
    assert.equal(
      maskSensitive("Authorization: Bearer fake-token-0123456789 next"),
      "Authorization: Bearer **** next",
    );
    assert.equal(
      maskSensitive("curl -H 'Authorization: Basic dXNlcjpOb3RBUmVhbA==' https://api.example.com"),
      "curl -H 'Authorization: Basic ****' https://api.example.com",
    );
    assert.equal(
      maskSensitive('{"authorization":"raw-fake-token-42"}'),
      '{"authorization":"****"}',
    );
    assert.equal(maskSensitive("sent Bearer abc123def456 upstream"), "sent Bearer **** upstream");
  });

  it("leaves prose about tokens alone", () => {
    const prose = "request rejected: missing Bearer token; Basic authentication disabled";
    assert.equal(maskSensitive(prose), prose);
    const counters = "max_tokens=256 total_tokens: 5 token_count=3";
    assert.equal(maskSensitive(counters), counters);
  });

  it("masks JWTs", () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYWtlLXVzZXIifQ.ZmFrZS1zaWduYXR1cmUtbm90LXJlYWw";
    assert.equal(maskSensitive(`session ${jwt} expired`), "session [jwt] expired");
  });

  it("masks passwords in URLs and keeps the user and host", () => {
    assert.equal(
      maskSensitive("postgres://checkout:NotARealPassword@db.internal:5432/payments failed"),
      "postgres://checkout:****@db.internal:5432/payments failed",
    );
    assert.equal(
      maskSensitive("redis://:NotARealPassword@cache:6379/0"),
      "redis://:****@cache:6379/0",
    );
    assert.equal(
      maskSensitive("mongodb+srv://app:Fake%40Pass@cluster0.example.net/db"),
      "mongodb+srv://app:****@cluster0.example.net/db",
    );
    const noCredentials = "GET https://api.example.com:8443/v1/orders?page=2";
    assert.equal(maskSensitive(noCredentials), noCredentials);
  });

  it("masks connection strings (SQL Server, Azure Storage, Service Bus)", () => {
    assert.equal(
      maskSensitive("Server=tcp:db.example.net;User Id=sa;Password=NotARealPassword!;Encrypt=true"),
      "Server=tcp:db.example.net;User Id=sa;Password=****;Encrypt=true",
    );
    assert.equal(
      maskSensitive(
        "DefaultEndpointsProtocol=https;AccountName=fake;AccountKey=ZmFrZWtleQ+/==;EndpointSuffix=core.windows.net",
      ),
      "DefaultEndpointsProtocol=https;AccountName=fake;AccountKey=****;EndpointSuffix=core.windows.net",
    );
    assert.equal(
      maskSensitive(
        "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=ZmFrZQ==",
      ),
      "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=****",
    );
  });

  it("masks password, secret, token and api key pairs in their common spellings", () => {
    assert.equal(
      maskSensitive("login failed password=hunter2 user=bob"),
      "login failed password=**** user=bob",
    );
    assert.equal(maskSensitive("DB_PASSWORD: NotARealPassword"), "DB_PASSWORD: ****");
    assert.equal(maskSensitive("client_secret='fake secret value'"), "client_secret='****'");
    assert.equal(
      maskSensitive('{"api_key": "fake-api-key-1", "n": 1}'),
      '{"api_key": "****", "n": 1}',
    );
    assert.equal(
      maskSensitive('msg="{\\"apiKey\\":\\"fake-key\\"}"'),
      'msg="{\\"apiKey\\":\\"****\\"}"',
    );
    assert.equal(
      maskSensitive("https://x.blob.core.windows.net/c/b?sv=2022-11-02&sig=ZmFrZQ%3D%3D&se=2026"),
      "https://x.blob.core.windows.net/c/b?sv=2022-11-02&sig=****&se=2026",
    );
    assert.equal(maskSensitive("refresh_token=fake.refresh&x=1"), "refresh_token=****&x=1");
  });

  it("masks private key blocks", () => {
    const pem =
      "-----BEGIN RSA PRIVATE KEY-----\nTk9UIEEgUkVBTCBLRVk=\n-----END RSA PRIVATE KEY-----";
    assert.equal(maskSensitive(`loaded ${pem} ok`), "loaded [RSA private key] ok");
  });

  it("masks e-mail addresses and IPs only when asked", () => {
    const line = "user jane.doe@example.com from 192.0.2.10 and 2001:db8::1 at 10:02:11";
    assert.equal(maskSensitive(line), line);
    assert.equal(
      maskSensitive(line, { maskEmails: true }),
      "user [email] from 192.0.2.10 and 2001:db8::1 at 10:02:11",
    );
    assert.equal(
      maskSensitive(line, { maskIps: true }),
      "user jane.doe@example.com from [ip] and [ip] at 10:02:11",
    );
  });

  it("does not take times, versions with more parts or C++ scopes for IPs", () => {
    const text = "at 10:02:11.123 version 1.2.3.4.5 std::vector fe80::1ff:fe23:4567:890a";
    assert.equal(
      maskSensitive(text, { maskIps: true }),
      "at 10:02:11.123 version 1.2.3.4.5 std::vector [ip]",
    );
  });

  it("masks the password in a URL before looking for e-mail addresses", () => {
    assert.equal(
      maskSensitive("smtp://alerts:NotARealPassword@mail.example.com:587", { maskEmails: true }),
      "smtp://alerts:****@mail.example.com:587",
    );
  });

  it("is idempotent", () => {
    const text =
      'password=x token: "y" AKIAIOSFODNN7EXAMPLE postgres://u:p@h/db Bearer abc123def a@b.io 10.0.0.1';
    const once = maskSensitive(text, { maskEmails: true, maskIps: true });
    assert.equal(maskSensitive(once, { maskEmails: true, maskIps: true }), once);
    assert.doesNotMatch(once, /AKIAIOSFODNN7EXAMPLE|abc123def|a@b\.io|10\.0\.0\.1|:p@/);
  });
});
