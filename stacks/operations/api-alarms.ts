/**
 * The HTTP API's server errors, into the alerts topic. A 5xx means a caller's request failed on our side — an
 * integration (Lambda) error, timeout or throttle — and an ingestion client may not retry (a GA beacon never
 * does), so any 5xx within five minutes pages. 4xx answers (bad input, unauthenticated, API Gateway's own
 * throttling) are the caller's problem and only shown on the dashboard.
 */
import { Duration } from "aws-cdk-lib";
import type * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as sns from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";

/** 5xx answers are counted per 5 minutes; one period with any pages. */
export const API_ALARM_PERIOD = Duration.minutes(5);
export const API_SERVER_ERRORS_THRESHOLD = 0;

export interface ApiAlarms {
  serverErrors: cloudwatch.Alarm;
}

export function buildApiAlarms(scope: Construct, api: apigwv2.IHttpApi, topic: sns.ITopic): ApiAlarms {
  const serverErrors = new cloudwatch.Alarm(scope, "api-5xx", {
    alarmDescription:
      "The HTTP API answered with 5xx: a route's function failed, timed out or was throttled (see that function's alarms and log), " +
      "or API Gateway could not reach it. Its access log (/aws/vendedlogs/apis/…) names the route and status of each request.",
    metric: api.metricServerError({ period: API_ALARM_PERIOD, statistic: "Sum" }),
    threshold: API_SERVER_ERRORS_THRESHOLD,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    // No requests, no datapoint: an idle API is healthy.
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  serverErrors.addAlarmAction(new SnsAction(topic));
  return { serverErrors };
}
