import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for the Amazon MSK control plane on loopback, for tests: GetBootstrapBrokers in the
 * service's wire protocol (restJson1: `GET /v1/clusters/{ClusterArn}/bootstrap-brokers`, JSON
 * with lowerCamel names, errors with `x-amzn-ErrorType`), so the real `@aws-sdk/client-kafka`
 * client talks to it with only its endpoint changed (AWS_ENDPOINT_URL_KAFKA). Signatures are not
 * checked. The data plane is a real Kafka, such as the mock cluster, whose brokers a test puts
 * in a cluster's strings.
 */
export interface FakeMskControlPlane {
  readonly endpoint: string;
  /** Cluster ARNs asked for, in order. */
  readonly requests: string[];
  /** Adds a cluster (region eu-west-1) with these broker strings; returns its ARN. */
  addCluster(name: string, strings: MskBrokerStrings): string;
  stop(): Promise<void>;
}

/** The strings GetBootstrapBrokers answers, by their API names (comma-separated host:port). */
export interface MskBrokerStrings {
  BootstrapBrokerString?: string;
  BootstrapBrokerStringTls?: string;
  BootstrapBrokerStringSaslScram?: string;
  BootstrapBrokerStringSaslIam?: string;
}

export async function startFakeMskControlPlane(): Promise<FakeMskControlPlane> {
  const clusters = new Map<string, MskBrokerStrings>();
  const requests: string[] = [];
  let clusterCount = 0;
  const server = createServer((request, response) => {
    const match = /^\/v1\/clusters\/([^/]+)\/bootstrap-brokers$/.exec(request.url ?? "");
    const arn = match ? decodeURIComponent(match[1] ?? "") : "";
    if (request.method !== "GET" || !match) {
      response.writeHead(404, { "x-amzn-errortype": "NotFoundException" });
      return response.end(JSON.stringify({ message: `no route ${request.url}` }));
    }
    requests.push(arn);
    const strings = clusters.get(arn);
    if (!strings) {
      response.writeHead(404, {
        "content-type": "application/json",
        "x-amzn-errortype": "NotFoundException",
      });
      return response.end(
        JSON.stringify({ message: `The requested resource ${arn} could not be found.` }),
      );
    }
    const body: Record<string, string> = {};
    for (const [name, value] of Object.entries(strings))
      body[`${name.charAt(0).toLowerCase()}${name.slice(1)}`] = value;
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    addCluster(name, strings) {
      const arn = `arn:aws:kafka:eu-west-1:123456789012:cluster/${name}/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0-${++clusterCount}`;
      clusters.set(arn, strings);
      return arn;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
