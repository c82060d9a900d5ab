// What an operator watches: the Application Insights dashboard (`azd monitor --overview` opens it) and five alerts,
// routed to one action group. docs/operations.md says what each alert means and what to do.
param resourceToken string
param location string
param tags object
param environmentName string
param appInsightsName string
param workspaceId string
param appSiteId string
@description('E-mail address for alerts; none when empty (the alerts still fire and show in the portal).')
param alertEmail string

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// --- Where alerts go ---------------------------------------------------------------------------------------
resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'codes-ops'
    enabled: true
    emailReceivers: empty(alertEmail) ? [] : [
      { name: 'operator', emailAddress: alertEmail, useCommonAlertSchema: true }
    ]
  }
}

// --- Alerts ------------------------------------------------------------------------------------------------
// App Service pings /health/ready on every instance each minute; HealthCheckStatus is the percentage of healthy
// instances, so below 100 means at least one instance is failing readiness (and is taken out of the rotation).
resource healthAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-unhealthy-instances-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    description: 'At least one app instance fails its readiness check (/health/ready) over 5 minutes.'
    severity: 1
    enabled: true
    scopes: [appSiteId]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'healthy-instances-percent'
          metricNamespace: 'Microsoft.Web/sites'
          metricName: 'HealthCheckStatus'
          timeAggregation: 'Average'
          operator: 'LessThan'
          threshold: 100
        }
      ]
    }
    actions: [{ actionGroupId: actionGroup.id }]
  }
}

// Log alerts: each query returns a row only when the condition holds, so each fires on "more than 0 rows".
var getcodeServerErrorPercent = 5
var getcodeMinimumRequests = 10
var logAlerts = [
  {
    name: 'getcode-5xx'
    severity: 1
    window: 'PT5M'
    description: 'More than ${getcodeServerErrorPercent} % of GET /api/v1/getcode requests answered 5xx over 5 minutes (at least ${getcodeMinimumRequests} requests).'
    query: 'AppRequests | where Url has "/api/v1/getcode" | summarize requests = count(), serverErrors = countif(toint(ResultCode) >= 500) | where requests >= ${getcodeMinimumRequests} and serverErrors * 100.0 / requests > ${getcodeServerErrorPercent}'
  }
  {
    name: 'third-party-circuit-open'
    severity: 2
    window: 'PT5M'
    description: 'The app stopped calling the third-party API for a while: its circuit breaker opened (log line "Circuit breaker opened").'
    query: 'AppServiceConsoleLogs | where _ResourceId =~ "${toLower(appSiteId)}" | where ResultDescription has "Circuit breaker opened"'
  }
  {
    name: 'key-vault-refresh-failing'
    severity: 2
    window: 'PT15M'
    description: 'The app could not refresh the third-party key from Key Vault and serves its cached value (log line "Refreshing secret ... failed").'
    query: 'AppServiceConsoleLogs | where _ResourceId =~ "${toLower(appSiteId)}" | where ResultDescription has "Refreshing secret" and ResultDescription has "failed; serving the cached value"'
  }
  // Sustained shedding: an instance answered 503 OVERLOADED (span attribute problem.code, kept by the exporter as
  // Properties["problem.code"]) in at least 4 of 5 consecutive minutes. Minutes, not request counts: the distro
  // samples (5 traces a second by default), so a minute is seen as shedding from one sampled refusal. The window is
  // three times the 5-minute evaluation period so that any 5-minute span whose telemetry arrives a few minutes late
  // is still inside a later run's window.
  {
    name: 'instance-shedding'
    severity: 2
    window: 'PT15M'
    description: 'An app instance refused requests as overloaded (503 OVERLOADED) in at least 4 of 5 consecutive minutes: it needs more capacity (scale out).'
    query: 'AppRequests | where tostring(Properties["problem.code"]) == "OVERLOADED" | summarize by AppRoleInstance, minute = bin(TimeGenerated, 1m) | order by AppRoleInstance asc, minute asc | extend fourthBackInstance = prev(AppRoleInstance, 3), fourthBackMinute = prev(minute, 3) | where fourthBackInstance == AppRoleInstance and minute - fourthBackMinute <= 4m | distinct AppRoleInstance'
  }
]

resource logAlert 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = [
  for alert in logAlerts: {
    name: 'alert-${alert.name}-${resourceToken}'
    location: location
    tags: tags
    properties: {
      displayName: '${alert.name} (${environmentName})'
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [workspaceId]
      evaluationFrequency: 'PT5M'
      windowSize: alert.window
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
          }
        ]
      }
      autoMitigate: true
      // The tables these queries read (AppRequests, AppServiceConsoleLogs) appear in a new workspace only once data
      // has arrived, so validating the query at creation fails the first provision (SEM0100 Failed to resolve table).
      skipQueryValidation: true
      actions: { actionGroups: [actionGroup.id] }
    }
  }
]

// --- Dashboard ---------------------------------------------------------------------------------------------
var chart = {
  requests: { id: appInsights.id, namespace: 'microsoft.insights/components', metric: 'requests/count', aggregation: 7, title: 'Requests' }
  failed: { id: appInsights.id, namespace: 'microsoft.insights/components', metric: 'requests/failed', aggregation: 7, title: 'Failed requests' }
  duration: { id: appInsights.id, namespace: 'microsoft.insights/components', metric: 'requests/duration', aggregation: 4, title: 'Response time (ms)' }
  dependencies: { id: appInsights.id, namespace: 'microsoft.insights/components', metric: 'dependencies/failed', aggregation: 7, title: 'Failed dependency calls (third party, Key Vault, queue)' }
  health: { id: appSiteId, namespace: 'microsoft.web/sites', metric: 'HealthCheckStatus', aggregation: 4, title: 'Healthy instances (%)' }
}
var charts = [chart.requests, chart.failed, chart.duration, chart.dependencies, chart.health]
// A log-query tile beside the metric charts: GET /api/v1/getcode answers per minute, one series per answer (the
// problem+json code when there is one, else the status code), so refusals (OVERLOADED) show next to the rest.
// sum(ItemCount), not count(): each sampled request stands for ItemCount requests.
var answersQuery = 'AppRequests | where Url has "/api/v1/getcode" | extend problem = tostring(Properties["problem.code"]) | summarize requests = sum(ItemCount) by bin(TimeGenerated, 1m), answer = iff(problem == "", ResultCode, problem) | render timechart'

resource dashboard 'Microsoft.Portal/dashboards@2020-09-01-preview' = {
  name: 'dash-${resourceToken}'
  location: location
  tags: union(tags, { 'hidden-title': 'azure-integrated-auth (${environmentName})' })
  properties: {
    lenses: [
      {
        order: 0
        parts: concat(
          [
            {
              position: { x: 0, y: 0, colSpan: 3, rowSpan: 1 }
              metadata: {
                type: 'Extension/AppInsightsExtension/PartType/AspNetOverviewPinnedPart'
                inputs: [{ name: 'id', value: appInsights.id }, { name: 'Version', value: '1.0' }]
                asset: { idInputName: 'id', type: 'ApplicationInsights' }
                defaultMenuItemId: 'overview'
              }
            }
          ],
          map(range(0, length(charts)), i => {
            position: { x: (i % 2) * 6, y: 1 + (i / 2) * 4, colSpan: 6, rowSpan: 4 }
            metadata: {
              type: 'Extension/HubsExtension/PartType/MonitorChartPart'
              inputs: [
                {
                  name: 'options'
                  value: {
                    chart: {
                      title: charts[i].title
                      metrics: [
                        {
                          resourceMetadata: { id: charts[i].id }
                          name: charts[i].metric
                          namespace: charts[i].namespace
                          aggregationType: charts[i].aggregation
                          metricVisualization: { displayName: charts[i].title }
                        }
                      ]
                      visualization: { chartType: 2 }
                    }
                  }
                }
                { name: 'sharedTimeRange', isOptional: true }
              ]
            }
          }),
          [
            {
              position: { x: (length(charts) % 2) * 6, y: 1 + (length(charts) / 2) * 4, colSpan: 6, rowSpan: 4 }
              metadata: {
                type: 'Extension/Microsoft_OperationsManagementSuite_Workspace/PartType/LogsDashboardPart'
                inputs: [
                  { name: 'resourceTypeMode', isOptional: true }
                  { name: 'ComponentId', isOptional: true }
                  { name: 'Scope', value: { resourceIds: [workspaceId] }, isOptional: true }
                  { name: 'PartId', value: guid(workspaceId, 'getcode-answers'), isOptional: true }
                  { name: 'Version', value: '2.0', isOptional: true }
                  { name: 'TimeRange', value: 'P1D', isOptional: true }
                  { name: 'DashboardId', isOptional: true }
                  { name: 'DraftRequestParameters', isOptional: true }
                  { name: 'Query', value: answersQuery, isOptional: true }
                  { name: 'ControlType', value: 'FrameControlChart', isOptional: true }
                  { name: 'SpecificChart', value: 'Line', isOptional: true }
                  { name: 'PartTitle', value: 'getcode answers per minute (OVERLOADED: refused by a saturated instance)', isOptional: true }
                  { name: 'PartSubTitle', value: environmentName, isOptional: true }
                  {
                    name: 'Dimensions'
                    value: {
                      xAxis: { name: 'TimeGenerated', type: 'datetime' }
                      yAxis: [{ name: 'requests', type: 'long' }]
                      splitBy: [{ name: 'answer', type: 'string' }]
                      aggregation: 'Sum'
                    }
                    isOptional: true
                  }
                  { name: 'LegendOptions', value: { isEnabled: true, position: 'Bottom' }, isOptional: true }
                  { name: 'IsQueryContainTimeRange', value: false, isOptional: true }
                ]
                settings: {}
              }
            }
          ]
        )
      }
    ]
  }
}

output actionGroupId string = actionGroup.id
output dashboardId string = dashboard.id
