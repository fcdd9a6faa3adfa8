/**
 * The service a log group belongs to, for lines that do not name one: the function of a Lambda
 * log group, the instance or cluster of RDS, EKS and Container Insights groups, otherwise the
 * group's last path segment (`/ecs/orders-service` → `orders-service`).
 *
 * @example
 * serviceFromLogGroup("/aws/lambda/checkout-api"); // "checkout-api"
 * serviceFromLogGroup("/aws/lambda/us-east-1.edge-auth"); // "edge-auth" (Lambda@Edge replica)
 */
export function serviceFromLogGroup(logGroup: string): string {
  const segments = logGroup.split("/").filter((segment) => segment.length > 0);
  const [first, second, third, fourth] = segments;
  if (first === "aws") {
    if (second === "lambda" && third) return third.replace(/^[a-z]{2}(-[a-z]+)+-\d\./, "");
    if (second === "rds" && (third === "instance" || third === "cluster") && fourth) return fourth;
    if (second === "eks" && third) return third;
    if (second === "ecs" && third === "containerinsights" && fourth) return fourth;
  }
  return segments.at(-1) ?? (logGroup || "unknown");
}
