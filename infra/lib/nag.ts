import { type Acknowledgment, Validations } from "aws-cdk-lib";
// cdk-nag is CommonJS whose exports Node cannot list for an ES module's named imports.
import cdkNag from "cdk-nag";
import type { IConstruct } from "constructs";

/** cdk-nag's AWS Solutions pack, run as a validation plugin at synth (infra/bin/app.ts). */
export const { AwsSolutionsChecks } = cdkNag;

/**
 * Acknowledges cdk-nag findings on a construct and everything under it, each with its reason.
 * A finding is named as cdk-nag reports it: `AwsSolutions-L1`, or with its detail,
 * `AwsSolutions-IAM5[Resource::*]`.
 */
export function acknowledge(scope: IConstruct, rules: readonly Acknowledgment[]): void {
  Validations.of(scope).acknowledge(...rules);
}
