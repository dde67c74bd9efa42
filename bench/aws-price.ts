// Item 7: what the measured work costs on AWS, from the DynamoDB units of item 1 and published
// on-demand list prices. Lambda duration cannot be measured here (DynamoDB Local is not DynamoDB),
// so it is modelled from the measured round trips; the assumption is printed with the figures.
import { FUNCTIONS } from '#api/routes.ts';
import type { Cost } from '#store/client.ts';
import type { Report } from './support/report.ts';
import { round } from './support/stats.ts';

/**
 * us-east-1 list prices after DynamoDB's on-demand price cut of 1 November 2024, as published on
 * the AWS pricing pages (read through secondary sources from this machine, which cannot reach
 * aws.amazon.com; check the pages before quoting).
 */
export const PRICES = {
  asOf: '2024-11-01 (us-east-1 list prices, not re-verified from this machine)',
  region: 'us-east-1',
  dynamodbPerMillionWru: 0.625,
  dynamodbPerMillionRru: 0.125,
  lambdaPerMillionRequests: 0.2,
  lambdaArmPerGbSecond: 0.0000133334,
  apiGatewayRestPerMillion: 3.5,
} as const;

/** Lambda duration model: per sequential DynamoDB round trip in-region, plus handler CPU time. */
export const DURATION_MODEL = { msPerRoundTrip: 8, msHandler: 4 } as const;

export interface PricedOperation {
  name: string;
  function: 'users' | 'groups';
  cost: Cost;
}

function dollarsPerCall(op: PricedOperation) {
  const memoryGb = FUNCTIONS[op.function].memoryMb / 1024;
  const ms = op.cost.roundTrips * DURATION_MODEL.msPerRoundTrip + DURATION_MODEL.msHandler;
  const dynamodb = (op.cost.rcu * PRICES.dynamodbPerMillionRru + op.cost.wcu * PRICES.dynamodbPerMillionWru) / 1e6;
  const lambda = PRICES.lambdaPerMillionRequests / 1e6 + memoryGb * (ms / 1000) * PRICES.lambdaArmPerGbSecond;
  const gateway = PRICES.apiGatewayRestPerMillion / 1e6;
  return { dynamodb, lambda, gateway, total: dynamodb + lambda + gateway, ms };
}

/** An IdP's steady state (incremental cycles): mostly reads before updates, few creates. */
const STEADY_MIX: Record<string, number> = {
  'get user': 0.3,
  'filter userName': 0.2,
  'PATCH user': 0.15,
  'filter externalId': 0.1,
  'create user': 0.05,
  'deactivate user': 0.05,
  'add one member': 0.05,
  'remove one member': 0.05,
  'filter group displayName (Entra)': 0.03,
  'list page (startIndex=1, count=100)': 0.02,
};

export function runAwsPrice(report: Report, ops: PricedOperation[], authorizer: Cost | undefined): void {
  const by = new Map(ops.map((o) => [o.name, o]));
  const priced = ops.map((o) => ({ op: o, $: dollarsPerCall(o) }));
  report.table('price', {
    title: `7a. $ per million calls of each operation on AWS (${PRICES.region}, prices as of ${PRICES.asOf})`,
    columns: [
      'operation',
      'RCU',
      'WCU',
      'modelled Lambda ms',
      'DynamoDB $/M',
      'Lambda $/M',
      'API Gateway $/M',
      'total $/M',
    ],
    rows: priced.map(({ op, $ }) => [
      op.name,
      round(op.cost.rcu, 1),
      round(op.cost.wcu, 1),
      $.ms,
      round($.dynamodb * 1e6, 2),
      round($.lambda * 1e6, 2),
      round($.gateway * 1e6, 2),
      round($.total * 1e6, 2),
    ]),
    notes: [
      `Prices: DynamoDB on-demand $${PRICES.dynamodbPerMillionWru}/M WRU, $${PRICES.dynamodbPerMillionRru}/M RRU; Lambda arm64 $${PRICES.lambdaPerMillionRequests}/M requests + $${PRICES.lambdaArmPerGbSecond}/GB-s; API Gateway REST $${PRICES.apiGatewayRestPerMillion}/M (first 333 M a month). Free tiers, storage ($0.25/GB-month), data transfer and CloudWatch logs are left out.`,
      `Lambda duration is modelled, not measured: ${DURATION_MODEL.msPerRoundTrip} ms per sequential DynamoDB round trip + ${DURATION_MODEL.msHandler} ms handler time, at the memory the stack gives each function (users/groups ${FUNCTIONS.users.memoryMb} MB).`,
      "RCU/WCU are those of item 1: DynamoDB Local's ConsumedCapacity (index writes included), with TransactWriteItems recomputed by DynamoDB's rules (bench/support/capacity-model.ts).",
      authorizer
        ? `The authorizer (one call per token per ${60} s cache period, so < 0.1% of requests for an IdP at a few requests per second) costs ${authorizer.requests} DynamoDB requests, ${round(authorizer.rcu, 1)} RCU, ${round(authorizer.wcu, 1)} WCU per cache miss; left out of the totals.`
        : 'The authorizer (cached 60 s per token) is left out of the totals.',
    ],
  });

  // Steady-state mix.
  let mixTotal = 0;
  let mixMissing: string[] = [];
  const mixParts = { dynamodb: 0, lambda: 0, gateway: 0 };
  for (const [name, share] of Object.entries(STEADY_MIX)) {
    const op = by.get(name);
    if (!op || !Number.isFinite(op.cost.rcu)) {
      mixMissing.push(name);
      continue;
    }
    const $ = dollarsPerCall(op);
    mixTotal += share * $.total;
    mixParts.dynamodb += share * $.dynamodb;
    mixParts.lambda += share * $.lambda;
    mixParts.gateway += share * $.gateway;
  }

  // Initial provisioning of 100,000 users in 1,000 groups, Okta-style: a pre-check and a create per
  // user and group, then one PATCH per membership (every user in one group).
  const plan: [string, number][] = [
    ['filter userName (no match)', 100_000],
    ['create user', 100_000],
    ['filter group displayName (Entra)', 1_000],
    ['create group', 1_000],
    ['add one member', 100_000],
  ];
  let provisionTotal = 0;
  const provisionParts = { dynamodb: 0, lambda: 0, gateway: 0 };
  let requests = 0;
  for (const [name, count] of plan) {
    const op = by.get(name);
    if (!op || !Number.isFinite(op.cost.rcu)) {
      mixMissing = [...mixMissing, name];
      continue;
    }
    const $ = dollarsPerCall(op);
    provisionTotal += count * $.total;
    provisionParts.dynamodb += count * $.dynamodb;
    provisionParts.lambda += count * $.lambda;
    provisionParts.gateway += count * $.gateway;
    requests += count;
  }
  report.table('price', {
    title: '7b. What it costs on AWS',
    columns: ['workload', 'SCIM requests', 'DynamoDB $', 'Lambda $', 'API Gateway $', 'total $'],
    rows: [
      [
        '1 million SCIM requests, steady IdP mix',
        1_000_000,
        round(mixParts.dynamodb * 1e6, 2),
        round(mixParts.lambda * 1e6, 2),
        round(mixParts.gateway * 1e6, 2),
        round(mixTotal * 1e6, 2),
      ],
      [
        'provision 100,000 users in 1,000 groups',
        requests,
        round(provisionParts.dynamodb, 2),
        round(provisionParts.lambda, 2),
        round(provisionParts.gateway, 2),
        round(provisionTotal, 2),
      ],
    ],
    notes: [
      `Steady mix: ${Object.entries(STEADY_MIX)
        .map(([k, v]) => `${Math.round(v * 100)}% ${k}`)
        .join(', ')}.`,
      `Provisioning: ${plan.map(([k, v]) => `${v.toLocaleString('en-US')} × ${k}`).join(', ')} (Okta pushes one membership per PATCH).`,
      ...(mixMissing.length
        ? [`Not priced (operation failed in item 1): ${[...new Set(mixMissing)].join(', ')}.`]
        : []),
    ],
  });
  report.data.price = {
    prices: PRICES,
    durationModel: DURATION_MODEL,
    perOperation: priced.map(({ op, $ }) => ({ name: op.name, ...$ })),
    steadyMix: { mix: STEADY_MIX, perMillion: mixTotal * 1e6 },
    provisioning: { plan, requests, dollars: provisionTotal },
    authorizer,
  };
}
