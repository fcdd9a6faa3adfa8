import * as z from "zod";
import { arnOf } from "../config/arn.js";
import {
  type CrossFieldRule,
  commaList,
  email,
  positiveInt,
  requiredWhen,
} from "../config/fields.js";
import type { Config } from "../config/schema.js";

/** E-mail's variables (core/email): SMTP or Amazon SES, sender and default recipients. */
export const emailVariables = {
  SMTP_HOST: z.string().min(1).optional(),
  SMTP_PORT: positiveInt(65_535).default(587),
  SMTP_USERNAME: z.string().min(1).optional(),
  SMTP_PASSWORD: z.string().min(1).optional(),
  /**
   * A Secrets Manager secret holding `{"username": "...", "password": "..."}`, read at start in
   * place of SMTP_USERNAME and SMTP_PASSWORD (core/secrets), so the password is in no environment.
   */
  SMTP_CREDENTIALS_SECRET_ARN: arnOf("secretsmanager", "secret:").optional(),
  EMAIL_FROM: email.optional(),
  EMAIL_RECIPIENTS: commaList(email).default([]),
  /** smtp (SMTP_HOST) or ses (Amazon SES v2 in AWS_REGION, credentials from the SDK's chain). */
  EMAIL_TRANSPORT: z.enum(["smtp", "ses"], { error: "expected smtp or ses" }).default("smtp"),
  /** tls: implicit TLS; starttls: STARTTLS required; none: plain. Unset: tls on 465, else starttls. */
  SMTP_SECURE: z
    .enum(["tls", "starttls", "none"], { error: "expected tls, starttls or none" })
    .optional(),
  SMTP_TIMEOUT_SECONDS: positiveInt(600).default(30),
  EMAIL_SES_CONFIGURATION_SET: z.string().min(1).optional(),
};

type EmailConfig = Pick<
  Config,
  | "SMTP_HOST"
  | "SMTP_USERNAME"
  | "SMTP_PASSWORD"
  | "SMTP_CREDENTIALS_SECRET_ARN"
  | "EMAIL_FROM"
  | "EMAIL_RECIPIENTS"
  | "EMAIL_TRANSPORT"
  | "AWS_REGION"
>;

export const emailRules: readonly CrossFieldRule<EmailConfig>[] = [
  {
    // Without a sender and recipients the e-mail channel is never made, silently.
    name: "email-smtp-sender",
    check: (config) => [
      ...requiredWhen(
        config,
        "EMAIL_RECIPIENTS",
        config.SMTP_HOST !== undefined,
        "SMTP_HOST is set",
      ),
      ...requiredWhen(config, "EMAIL_FROM", config.SMTP_HOST !== undefined, "SMTP_HOST is set"),
    ],
  },
  {
    name: "email-ses",
    check: (config) => {
      const ses = config.EMAIL_TRANSPORT === "ses";
      // With SMTP_HOST set too, email-smtp-sender has named the sender and recipients already.
      const sender = ses && config.SMTP_HOST === undefined;
      return [
        ...requiredWhen(config, "EMAIL_RECIPIENTS", sender, "EMAIL_TRANSPORT is ses"),
        ...requiredWhen(config, "EMAIL_FROM", sender, "EMAIL_TRANSPORT is ses"),
        ...requiredWhen(config, "AWS_REGION", ses, "EMAIL_TRANSPORT is ses"),
      ];
    },
  },
  {
    name: "email-smtp-auth",
    check: (config) => [
      // With the secret, its username and password are the credentials: email-smtp-secret says so.
      ...requiredWhen(
        config,
        "SMTP_PASSWORD",
        config.SMTP_USERNAME !== undefined && config.SMTP_CREDENTIALS_SECRET_ARN === undefined,
        "SMTP_USERNAME is set",
      ),
      ...requiredWhen(
        config,
        "SMTP_USERNAME",
        config.SMTP_PASSWORD !== undefined && config.SMTP_CREDENTIALS_SECRET_ARN === undefined,
        "SMTP_PASSWORD is set",
      ),
    ],
  },
  {
    // One source for the SMTP credentials: the secret, or the two variables.
    name: "email-smtp-secret",
    check: (config) =>
      config.SMTP_CREDENTIALS_SECRET_ARN === undefined
        ? []
        : (["SMTP_USERNAME", "SMTP_PASSWORD"] as const)
            .filter((variable) => config[variable] !== undefined)
            .map((variable) => ({
              variable,
              message:
                "not with SMTP_CREDENTIALS_SECRET_ARN, whose secret holds the SMTP username and password: set one or the other",
            })),
  },
];
