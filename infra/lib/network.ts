import { RemovalPolicy } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import type { InfraConfig } from "../config.js";

/**
 * The VPC everything runs in: private subnets for the Lambdas, tasks and brokers; egress through
 * NAT (the Teams webhook and SMTP servers are on the internet, so a NAT is needed anyway, and one
 * costs less than the five or six interface endpoints it replaces in every zone); free gateway
 * endpoints for S3 (images' layers, the model) and DynamoDB (the state table) so that traffic
 * never pays NAT data charges. An existing VPC is imported from its attributes: synth looks
 * nothing up.
 */
export class Network extends Construct {
  readonly vpc: ec2.IVpc;
  readonly privateSubnets: ec2.SubnetSelection;
  /** The VPC's IPv4 range, for rules that admit "anything inside". */
  readonly cidr: string;

  constructor(scope: Construct, id: string, config: InfraConfig) {
    super(scope, id);
    const settings = config.vpc;
    if (settings.vpcId !== undefined) {
      this.vpc = ec2.Vpc.fromVpcAttributes(this, "Vpc", {
        vpcId: settings.vpcId,
        availabilityZones: settings.availabilityZones,
        privateSubnetIds: settings.privateSubnetIds,
        privateSubnetRouteTableIds: settings.privateSubnetRouteTableIds,
        vpcCidrBlock: settings.vpcCidr as string,
      });
      this.cidr = settings.vpcCidr as string;
    } else {
      const vpc = new ec2.Vpc(this, "Vpc", {
        ipAddresses: ec2.IpAddresses.cidr(settings.cidr),
        maxAzs: settings.maxAzs,
        natGateways: settings.natGateways,
        subnetConfiguration: [
          { name: "public", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
          {
            name: "private",
            subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS,
            cidrMask: 20,
          },
        ],
        restrictDefaultSecurityGroup: true,
      });
      const flowLogs = new logs.LogGroup(this, "FlowLogs", {
        retention: config.logRetentionDays,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      vpc.addFlowLog("FlowLog", {
        destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
        trafficType: ec2.FlowLogTrafficType.REJECT,
      });
      this.vpc = vpc;
      this.cidr = settings.cidr;
    }
    this.privateSubnets = { subnets: this.vpc.privateSubnets };
    if (settings.gatewayEndpoints) {
      this.vpc.addGatewayEndpoint("S3", {
        service: ec2.GatewayVpcEndpointAwsService.S3,
        subnets: [this.privateSubnets],
      });
      this.vpc.addGatewayEndpoint("DynamoDb", {
        service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
        subnets: [this.privateSubnets],
      });
    }
  }
}
