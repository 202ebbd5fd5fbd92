import { editDistance } from './distance.ts';

/**
 * The cloud providers' published region lists, with each region's zones and a coarse jurisdiction.
 *
 * Sources (as published in 2025):
 * - AWS: "AWS Regions" table, https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html,
 *   and the AZ names from `aws ec2 describe-availability-zones` (zone letters are the commonly mapped ones;
 *   an account's letter mapping can differ, zone ids such as use1-az1 are stable but not used here).
 * - GCP: "Regions and zones", https://cloud.google.com/compute/docs/regions-zones
 * - Azure: "Azure regions list", https://learn.microsoft.com/azure/reliability/regions-list (zones are "1","2","3"
 *   in regions with availability-zone support).
 *
 * The jurisdiction is the legal area data stored there is subject to, at the granularity the model's data classes use:
 * US, CA, EU, UK, CH, APAC, IN, ... (see docs/decisions/001-model-and-dsl.md).
 */

/** A provider that publishes a region list the model checks against. */
export type Provider = 'aws' | 'gcp' | 'azure';

/** A region code AWS publishes, e.g. 'eu-west-1' (the DSL's `t.region` takes these, so a typo does not compile). */
export type AwsRegionCode = (typeof aws)[number][0];
/** A region code Google Cloud publishes, e.g. 'europe-west1'. */
export type GcpRegionCode = (typeof gcp)[number][0];
/** A region code Azure publishes, e.g. 'westeurope'. */
export type AzureRegionCode = (typeof azure)[number][0];
/** A region code of a provider. */
export type RegionCode<P extends Provider> = { aws: AwsRegionCode; gcp: GcpRegionCode; azure: AzureRegionCode }[P];

/** One published region: its code, its zones, its jurisdiction and where it is. */
export interface ProviderRegion {
  readonly code: string;
  readonly zones: readonly string[];
  readonly jurisdiction: string;
  readonly location: string;
}

type Row = readonly [code: string, zoneSuffixes: string, jurisdiction: string, location: string];

// Zone suffixes as a compact string: AWS zones are `<code><letter>`, GCP `<code>-<letter>`, Azure the digit alone.
const aws = [
  ['us-east-1', 'abcdef', 'US', 'N. Virginia'],
  ['us-east-2', 'abc', 'US', 'Ohio'],
  ['us-west-1', 'abc', 'US', 'N. California'],
  ['us-west-2', 'abcd', 'US', 'Oregon'],
  ['us-gov-east-1', 'abc', 'US', 'GovCloud (US-East)'],
  ['us-gov-west-1', 'abc', 'US', 'GovCloud (US-West)'],
  ['ca-central-1', 'abd', 'CA', 'Canada (Central)'],
  ['ca-west-1', 'abc', 'CA', 'Calgary'],
  ['mx-central-1', 'abc', 'MX', 'Mexico (Central)'],
  ['sa-east-1', 'abc', 'BR', 'Sao Paulo'],
  ['eu-west-1', 'abc', 'EU', 'Ireland'],
  ['eu-west-2', 'abc', 'UK', 'London'],
  ['eu-west-3', 'abc', 'EU', 'Paris'],
  ['eu-central-1', 'abc', 'EU', 'Frankfurt'],
  ['eu-central-2', 'abc', 'CH', 'Zurich'],
  ['eu-north-1', 'abc', 'EU', 'Stockholm'],
  ['eu-south-1', 'abc', 'EU', 'Milan'],
  ['eu-south-2', 'abc', 'EU', 'Spain'],
  ['il-central-1', 'abc', 'IL', 'Tel Aviv'],
  ['me-south-1', 'abc', 'ME', 'Bahrain'],
  ['me-central-1', 'abc', 'ME', 'UAE'],
  ['af-south-1', 'abc', 'ZA', 'Cape Town'],
  ['ap-east-1', 'abc', 'APAC', 'Hong Kong'],
  ['ap-east-2', 'abc', 'APAC', 'Taipei'],
  ['ap-south-1', 'abc', 'IN', 'Mumbai'],
  ['ap-south-2', 'abc', 'IN', 'Hyderabad'],
  ['ap-southeast-1', 'abc', 'APAC', 'Singapore'],
  ['ap-southeast-2', 'abc', 'APAC', 'Sydney'],
  ['ap-southeast-3', 'abc', 'APAC', 'Jakarta'],
  ['ap-southeast-4', 'abc', 'APAC', 'Melbourne'],
  ['ap-southeast-5', 'abc', 'APAC', 'Malaysia'],
  ['ap-southeast-6', 'abc', 'APAC', 'New Zealand'],
  ['ap-southeast-7', 'abc', 'APAC', 'Thailand'],
  ['ap-northeast-1', 'acd', 'APAC', 'Tokyo'],
  ['ap-northeast-2', 'abcd', 'APAC', 'Seoul'],
  ['ap-northeast-3', 'abc', 'APAC', 'Osaka'],
  ['cn-north-1', 'abd', 'CN', 'Beijing'],
  ['cn-northwest-1', 'abc', 'CN', 'Ningxia'],
] as const satisfies readonly Row[];

const gcp = [
  ['us-central1', 'abcf', 'US', 'Iowa'],
  ['us-east1', 'bcd', 'US', 'South Carolina'],
  ['us-east4', 'abc', 'US', 'N. Virginia'],
  ['us-east5', 'abc', 'US', 'Columbus'],
  ['us-south1', 'abc', 'US', 'Dallas'],
  ['us-west1', 'abc', 'US', 'Oregon'],
  ['us-west2', 'abc', 'US', 'Los Angeles'],
  ['us-west3', 'abc', 'US', 'Salt Lake City'],
  ['us-west4', 'abc', 'US', 'Las Vegas'],
  ['northamerica-northeast1', 'abc', 'CA', 'Montreal'],
  ['northamerica-northeast2', 'abc', 'CA', 'Toronto'],
  ['northamerica-south1', 'abc', 'MX', 'Queretaro'],
  ['southamerica-east1', 'abc', 'BR', 'Sao Paulo'],
  ['southamerica-west1', 'abc', 'CL', 'Santiago'],
  ['europe-west1', 'bcd', 'EU', 'Belgium'],
  ['europe-west2', 'abc', 'UK', 'London'],
  ['europe-west3', 'abc', 'EU', 'Frankfurt'],
  ['europe-west4', 'abc', 'EU', 'Netherlands'],
  ['europe-west6', 'abc', 'CH', 'Zurich'],
  ['europe-west8', 'abc', 'EU', 'Milan'],
  ['europe-west9', 'abc', 'EU', 'Paris'],
  ['europe-west10', 'abc', 'EU', 'Berlin'],
  ['europe-west12', 'abc', 'EU', 'Turin'],
  ['europe-central2', 'abc', 'EU', 'Warsaw'],
  ['europe-north1', 'abc', 'EU', 'Finland'],
  ['europe-north2', 'abc', 'EU', 'Stockholm'],
  ['europe-southwest1', 'abc', 'EU', 'Madrid'],
  ['me-central1', 'abc', 'ME', 'Doha'],
  ['me-central2', 'abc', 'ME', 'Dammam'],
  ['me-west1', 'abc', 'IL', 'Tel Aviv'],
  ['africa-south1', 'abc', 'ZA', 'Johannesburg'],
  ['asia-east1', 'abc', 'APAC', 'Taiwan'],
  ['asia-east2', 'abc', 'APAC', 'Hong Kong'],
  ['asia-northeast1', 'abc', 'APAC', 'Tokyo'],
  ['asia-northeast2', 'abc', 'APAC', 'Osaka'],
  ['asia-northeast3', 'abc', 'APAC', 'Seoul'],
  ['asia-south1', 'abc', 'IN', 'Mumbai'],
  ['asia-south2', 'abc', 'IN', 'Delhi'],
  ['asia-southeast1', 'abc', 'APAC', 'Singapore'],
  ['asia-southeast2', 'abc', 'APAC', 'Jakarta'],
  ['australia-southeast1', 'abc', 'APAC', 'Sydney'],
  ['australia-southeast2', 'abc', 'APAC', 'Melbourne'],
] as const satisfies readonly Row[];

const azure = [
  ['eastus', '123', 'US', 'Virginia'],
  ['eastus2', '123', 'US', 'Virginia'],
  ['centralus', '123', 'US', 'Iowa'],
  ['northcentralus', '', 'US', 'Illinois'],
  ['southcentralus', '123', 'US', 'Texas'],
  ['westcentralus', '', 'US', 'Wyoming'],
  ['westus', '', 'US', 'California'],
  ['westus2', '123', 'US', 'Washington'],
  ['westus3', '123', 'US', 'Arizona'],
  ['canadacentral', '123', 'CA', 'Toronto'],
  ['canadaeast', '', 'CA', 'Quebec'],
  ['mexicocentral', '123', 'MX', 'Queretaro'],
  ['brazilsouth', '123', 'BR', 'Sao Paulo'],
  ['northeurope', '123', 'EU', 'Ireland'],
  ['westeurope', '123', 'EU', 'Netherlands'],
  ['francecentral', '123', 'EU', 'Paris'],
  ['germanywestcentral', '123', 'EU', 'Frankfurt'],
  ['italynorth', '123', 'EU', 'Milan'],
  ['polandcentral', '123', 'EU', 'Warsaw'],
  ['spaincentral', '123', 'EU', 'Madrid'],
  ['swedencentral', '123', 'EU', 'Gavle'],
  ['norwayeast', '123', 'NO', 'Oslo'],
  ['switzerlandnorth', '123', 'CH', 'Zurich'],
  ['uksouth', '123', 'UK', 'London'],
  ['ukwest', '', 'UK', 'Cardiff'],
  ['uaenorth', '123', 'ME', 'Dubai'],
  ['qatarcentral', '123', 'ME', 'Doha'],
  ['israelcentral', '123', 'IL', 'Israel'],
  ['southafricanorth', '123', 'ZA', 'Johannesburg'],
  ['centralindia', '123', 'IN', 'Pune'],
  ['southindia', '', 'IN', 'Chennai'],
  ['eastasia', '123', 'APAC', 'Hong Kong'],
  ['southeastasia', '123', 'APAC', 'Singapore'],
  ['japaneast', '123', 'APAC', 'Tokyo'],
  ['japanwest', '', 'APAC', 'Osaka'],
  ['koreacentral', '123', 'APAC', 'Seoul'],
  ['australiaeast', '123', 'APAC', 'New South Wales'],
  ['australiasoutheast', '', 'APAC', 'Victoria'],
  ['newzealandnorth', '123', 'APAC', 'Auckland'],
] as const satisfies readonly Row[];

function expand(
  rows: readonly Row[],
  zone: (code: string, suffix: string) => string,
): ReadonlyMap<string, ProviderRegion> {
  return new Map(
    rows.map(([code, suffixes, jurisdiction, location]) => [
      code,
      { code, jurisdiction, location, zones: [...suffixes].map((s) => zone(code, s)) },
    ]),
  );
}

const regionsByProvider: Readonly<Record<Provider, ReadonlyMap<string, ProviderRegion>>> = {
  aws: expand(aws, (code, s) => `${code}${s}`),
  gcp: expand(gcp, (code, s) => `${code}-${s}`),
  azure: expand(azure, (_code, s) => s),
};

/** Every region code a provider publishes, e.g. `providerRegionCodes('aws')` includes 'eu-west-1'. */
export function providerRegionCodes(provider: Provider): string[] {
  return [...regionsByProvider[provider].keys()];
}

/** The published region with this code, or undefined when the provider has no such region. */
export function findProviderRegion(provider: Provider, code: string): ProviderRegion | undefined {
  return regionsByProvider[provider].get(code);
}

/** The published code closest to `code` by edit distance, for hints: `nearestRegionCode('aws', 'us-est-1')` is 'us-east-1'. */
export function nearestRegionCode(provider: Provider, code: string): string {
  let best = '';
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of regionsByProvider[provider].keys()) {
    const distance = editDistance(code.toLowerCase(), candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
