import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";

/** The only credentials the stand-in accepts: obviously fake, for the loopback server. */
export const SMTP_TEST_CREDENTIALS = { user: "sentinel-test", pass: "not-a-real-password" };

export interface TestSmtp {
  port: number;
  /** Every message accepted, parsed, in the order it was received. */
  messages: ParsedMail[];
  /** The AUTH method of each login attempt. */
  authMethods: string[];
  connections: number;
  close(): Promise<void>;
}

export interface TestSmtpOptions {
  /** Default PLAIN and LOGIN. */
  authMethods?: string[];
  /** Answers RCPT TO with this error code when it returns one. */
  rejectRcpt?: () => number | undefined;
}

/**
 * An SMTP server on loopback for tests (smtp-server, no TLS): it requires a login with
 * SMTP_TEST_CREDENTIALS and keeps each message it accepts, parsed by mailparser, before it answers
 * the DATA command, so a message is in `messages` by the time the client's send resolves.
 * `close()` ends the sessions still open (a channel's connection pool) after 100 ms.
 */
export async function startSmtp(options: TestSmtpOptions = {}): Promise<TestSmtp> {
  const state: Omit<TestSmtp, "port" | "close"> = { messages: [], authMethods: [], connections: 0 };
  const { user, pass } = SMTP_TEST_CREDENTIALS;
  const config: SMTPServerOptions = {
    logger: false,
    // close() ends sessions a client's pool keeps open after this long, not after 30 s.
    closeTimeout: 100,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authMethods: options.authMethods ?? ["PLAIN", "LOGIN"],
    onConnect(_session, callback) {
      state.connections++;
      callback();
    },
    onAuth(auth, _session, callback) {
      state.authMethods.push(auth.method);
      if (auth.username === user && auth.password === pass) callback(null, { user });
      else callback(Object.assign(new Error("Authentication failed"), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, callback) {
      const code = options.rejectRcpt?.();
      if (code) callback(Object.assign(new Error(`rejected with ${code}`), { responseCode: code }));
      else callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          state.messages.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  };
  const server = new SMTPServer(config);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return Object.assign(state, {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** The settings that send e-mail through `smtp` as the test login, from and to example.com. */
export function smtpEnv(
  smtp: TestSmtp,
  recipients = ["oncall@example.com"],
): Record<string, string> {
  return {
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: String(smtp.port),
    SMTP_SECURE: "none",
    SMTP_USERNAME: SMTP_TEST_CREDENTIALS.user,
    SMTP_PASSWORD: SMTP_TEST_CREDENTIALS.pass,
    EMAIL_FROM: "sentinel@example.com",
    EMAIL_RECIPIENTS: recipients.join(","),
  };
}
