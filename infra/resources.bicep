// Every resource of the sample, least privilege: the app's identity may pull images, read the one Key Vault, add
// messages to the one queue, publish telemetry to the one Application Insights component and, when Redis is on, use
// that one database; the reference API's identity may pull images and read the one secret; nothing else.
param environmentName string
param resourceSuffix string
param location string
param tags object
param principalId string
param principalType string
param thirdPartyApiSecretExists bool
@secure()
param thirdPartyApiKey string
param appImageName string
param referenceApiImageName string
param alertEmail string
param appServicePlanSku string
param redisEnabled bool
param networkIsolation bool

// The suffix makes names unique per deployment: after `azd down`, the purge-protected vault stays soft-deleted
// (its name taken) for 90 days, so the next `azd up` of the same environment needs another name.
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName, resourceSuffix))
var queueName = 'code-requests'
var thirdPartyApiSecretName = 'third-party-api-key'

// Built-in role definition ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var roles = {
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  storageQueueDataMessageSender: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'
  storageQueueDataReader: '19e7f393-937e-4f77-808e-94535e297925'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// With AZURE_NETWORK_ISOLATION the data services take traffic only from their private endpoints (network.bicep).
var publicNetworkAccess = networkIsolation ? 'Disabled' : 'Enabled'

// --- Monitoring ---------------------------------------------------------------------------------------------
resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${resourceToken}'
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${resourceToken}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    // Ingestion takes only Entra ID tokens (the app's identity, Monitoring Metrics Publisher below): the connection
    // string's instrumentation key says where telemetry goes, and alone it is refused.
    DisableLocalAuth: true
  }
}

resource telemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// --- Identities ---------------------------------------------------------------------------------------------
// User-assigned, so their roles exist before the first container start. One per site: the reference API (a stand-in
// for somebody else's service) may not send to the app's queue.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${resourceToken}'
  location: location
  tags: tags
}

resource referenceApiIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-ref-${resourceToken}'
  location: location
  tags: tags
}

// --- Container registry: pulled with the identity, no admin user ---------------------------------------------
// Public in both modes: azd's remote build uploads the build context and runs an ACR Task from outside any
// network, which a registry with public access off refuses (and private endpoints need the Premium tier).
resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: 'cr${resourceToken}'
  location: location
  tags: tags
  sku: { name: 'Basic' }
  properties: {
    adminUserEnabled: false
  }
}

// The Node base image through the registry (artifact cache): the remote build pulls it from here (azure.yaml's
// NODE_IMAGE build argument), and the registry fetches a tag from Docker Hub only when it has no copy yet, instead
// of every build pulling anonymously (and hitting Docker Hub's rate limit).
resource nodeImageCache 'Microsoft.ContainerRegistry/registries/cacheRules@2023-07-01' = {
  parent: registry
  name: 'node'
  properties: {
    sourceRepository: 'docker.io/library/node'
    targetRepository: 'docker-hub/library/node'
  }
}

resource registryPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, identity.id, roles.acrPull)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.acrPull)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource referenceApiRegistryPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, referenceApiIdentity.id, roles.acrPull)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.acrPull)
    principalId: referenceApiIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// --- Key Vault: RBAC mode, soft delete + purge protection ----------------------------------------------------
resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-${resourceToken}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: publicNetworkAccess
  }
}

// Written only when it does not exist yet: after that the rotation (`az keyvault secret set`) owns the value, and
// a provision (an ARM PUT of this resource would add a new version) never puts the first key back.
resource thirdPartyApiSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!thirdPartyApiSecretExists) {
  parent: vault
  name: thirdPartyApiSecretName
  properties: {
    value: thirdPartyApiKey
    contentType: 'third-party API access key (x-functions-key)'
  }
}

// The same secret whether this deployment wrote it or an earlier one did.
resource thirdPartyApiSecretInVault 'Microsoft.KeyVault/vaults/secrets@2023-07-01' existing = {
  parent: vault
  name: thirdPartyApiSecretName
}

resource vaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The reference API reads only its key, through its site's Key Vault reference.
resource referenceApiSecretUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, thirdPartyApiSecretName, referenceApiIdentity.id, roles.keyVaultSecretsUser)
  scope: thirdPartyApiSecretInVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: referenceApiIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
  dependsOn: [thirdPartyApiSecret]
}

// Only a person rotates the key from the CLI; a pipeline principal never needs it (the first key goes through ARM).
resource vaultSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId) && principalType == 'User') {
  name: guid(vault.id, principalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: principalId
    principalType: principalType
  }
}

// --- Storage: Entra ID only (shared keys off), TLS 1.2, no public blobs -------------------------------------
resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'st${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
    publicNetworkAccess: publicNetworkAccess
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource queue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: queueName
}

resource queueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(queue.id, identity.id, roles.storageQueueDataMessageSender)
  scope: queue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataMessageSender)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The deploying principal may peek at the queue (scripts/smoke.sh checks the message of the code it got).
resource queueReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(queue.id, principalId, roles.storageQueueDataReader)
  scope: queue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataReader)
    principalId: principalId
    principalType: principalType
  }
}

// --- Azure Managed Redis (optional): the rate limits every instance shares ----------------------------------------
// Only with AZURE_REDIS_ENABLED=true: it is billed by the hour. Entra ID only (access keys off), TLS only. Reached
// like the vault and the storage account: over its public endpoint, or its private one with AZURE_NETWORK_ISOLATION.
resource redis 'Microsoft.Cache/redisEnterprise@2025-07-01' = if (redisEnabled) {
  name: 'redis-${resourceToken}'
  location: location
  tags: tags
  sku: { name: 'Balanced_B0' }
  properties: {
    minimumTlsVersion: '1.2'
    highAvailability: 'Enabled'
    publicNetworkAccess: publicNetworkAccess
  }
}

// A cluster has one database, named 'default'. NoCluster: one endpoint and no hash-slot rule for multi-key commands,
// as on the single redis-server the tests use (fine for the small sizes; it can still change to a clustered policy).
// NoEviction: a full cache refuses writes, which the app notices and answers from its own limits, rather than
// silently dropping counters.
resource redisDatabase 'Microsoft.Cache/redisEnterprise/databases@2025-07-01' = if (redisEnabled) {
  parent: redis
  name: 'default'
  properties: {
    accessKeysAuthentication: 'Disabled'
    clientProtocol: 'Encrypted'
    port: 10000
    clusteringPolicy: 'NoCluster'
    evictionPolicy: 'NoEviction'
  }
}

// Data access for the app's identity only: the "default" access policy (the one the service offers), the identity's
// object id as the Redis user name. No Azure role on the cache: the app can use the data but cannot manage it.
resource redisAccess 'Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments@2025-07-01' = if (redisEnabled) {
  parent: redisDatabase
  name: 'app'
  properties: {
    accessPolicyName: 'default'
    user: { objectId: identity.properties.principalId }
  }
}

// --- Network isolation (optional): virtual network, private endpoints, private DNS -------------------------------
module network 'network.bicep' = if (networkIsolation) {
  name: 'network'
  params: {
    resourceToken: resourceToken
    location: location
    tags: tags
    vaultId: vault.id
    storageAccountId: storage.id
    redisId: redisEnabled ? redis!.id : ''
  }
}

// --- App Service: Linux plan, two container web apps ----------------------------------------------------------
resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: 'plan-${resourceToken}'
  location: location
  tags: tags
  kind: 'linux'
  sku: { name: appServicePlanSku }
  properties: {
    reserved: true
  }
}

// Autoscale needs a Standard or Premium plan: Basic scales out by hand only (up to 3 instances) and takes no autoscale
// setting. A SKU name's first letter is its tier (B1 Basic, S1 Standard, P1v3 PremiumV3); main.bicep allows no other.
var planAutoscales = contains(['S', 'P'], substring(appServicePlanSku, 0, 1))
var instanceCount = {
  minimum: 1
  default: 1
  maximum: 3
}

// Every site on the plan runs on every instance, so this scales the app (and the reference API with it).
// Out by one above 70 % average CPU over 10 minutes, in by one below 30 %; the gap keeps it from flapping.
resource planAutoscale 'Microsoft.Insights/autoscalesettings@2022-10-01' = if (planAutoscales) {
  name: 'autoscale-${resourceToken}'
  location: location
  tags: tags
  properties: {
    enabled: true
    targetResourceUri: plan.id
    profiles: [
      {
        name: 'cpu'
        capacity: {
          minimum: string(instanceCount.minimum)
          default: string(instanceCount.default)
          maximum: string(instanceCount.maximum)
        }
        rules: [
          {
            metricTrigger: {
              metricName: 'CpuPercentage'
              metricNamespace: 'microsoft.web/serverfarms'
              metricResourceUri: plan.id
              timeGrain: 'PT1M'
              statistic: 'Average'
              timeWindow: 'PT10M'
              timeAggregation: 'Average'
              operator: 'GreaterThan'
              threshold: 70
            }
            scaleAction: { direction: 'Increase', type: 'ChangeCount', value: '1', cooldown: 'PT10M' }
          }
          {
            metricTrigger: {
              metricName: 'CpuPercentage'
              metricNamespace: 'microsoft.web/serverfarms'
              metricResourceUri: plan.id
              timeGrain: 'PT1M'
              statistic: 'Average'
              timeWindow: 'PT10M'
              timeAggregation: 'Average'
              operator: 'LessThan'
              threshold: 30
            }
            scaleAction: { direction: 'Decrease', type: 'ChangeCount', value: '1', cooldown: 'PT10M' }
          }
        ]
      }
    ]
  }
}

// Until the first `azd deploy` publishes an image, a site runs this placeholder. After it, azd passes the image it
// published (SERVICE_<NAME>_IMAGE_NAME) back here, so a later provision keeps the running image.
var placeholderImage = 'mcr.microsoft.com/appsvc/staticsite:latest'

// Shared by both web apps: HTTPS only, TLS 1.2, FTP off, images pulled from the registry with the site's identity.
// Isolated, every outbound connection (the app's SDK calls, the reference API's Key Vault reference) goes into the
// virtual network, where the private DNS zones resolve the services to their private endpoints.
var siteConfig = {
  acrUseManagedIdentityCreds: true
  alwaysOn: true
  ftpsState: 'Disabled'
  minTlsVersion: '1.2'
  http20Enabled: true
  vnetRouteAllEnabled: networkIsolation
}
var appSubnetId = networkIsolation ? network!.outputs.appSubnetId : null

resource referenceApi 'Microsoft.Web/sites@2023-12-01' = {
  name: 'app-ref-${resourceToken}'
  location: location
  tags: union(tags, { 'azd-service-name': 'reference-api' })
  kind: 'app,linux,container'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${referenceApiIdentity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: referenceApiIdentity.id
    virtualNetworkSubnetId: appSubnetId
    siteConfig: union(siteConfig, {
      linuxFxVersion: 'DOCKER|${empty(referenceApiImageName) ? placeholderImage : referenceApiImageName}'
      acrUserManagedIdentityID: referenceApiIdentity.properties.clientId
    })
  }
  dependsOn: [referenceApiRegistryPull, referenceApiSecretUser]
}

resource referenceApiSettings 'Microsoft.Web/sites/config@2023-12-01' = {
  parent: referenceApi
  name: 'appsettings'
  properties: {
    WEBSITES_PORT: '8080'
    // The key through a Key Vault reference (never a plain app setting). Versionless, so App Service picks up a
    // rotated key (within 24 hours, or at a restart).
    REFERENCE_API_KEYS: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${thirdPartyApiSecretName})'
  }
}

// No FTP or basic-auth deployment credentials on either site: azd deploys containers through ARM with Entra ID.
resource referenceApiFtp 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: referenceApi
  name: 'ftp'
  properties: { allow: false }
}

resource referenceApiScm 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: referenceApi
  name: 'scm'
  properties: { allow: false }
}

resource app 'Microsoft.Web/sites@2023-12-01' = {
  name: 'app-${resourceToken}'
  location: location
  tags: union(tags, { 'azd-service-name': 'app' })
  kind: 'app,linux,container'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // No ARR affinity cookie (App Service's default is on): instances keep no session, so any of them may answer.
    clientAffinityEnabled: false
    virtualNetworkSubnetId: appSubnetId
    siteConfig: union(siteConfig, {
      linuxFxVersion: 'DOCKER|${empty(appImageName) ? placeholderImage : appImageName}'
      acrUserManagedIdentityID: identity.properties.clientId
      healthCheckPath: '/health/ready'
    })
  }
  // Roles first: the first start already has access to the registry, the vault, the queue and telemetry ingestion.
  dependsOn: [registryPull, vaultSecretsUser, queueSender, telemetryPublisher]
}

// The app's configuration contract (docs/configuration.md, .env.example), and nothing else.
var appSettings = {
  WEBSITES_PORT: '8080'
  WEBSITES_CONTAINER_STOP_TIME_LIMIT: '60'
  NODE_ENV: 'production'
  KEY_VAULT_URL: vault.properties.vaultUri
  THIRD_PARTY_API_SECRET_NAME: thirdPartyApiSecretName
  THIRD_PARTY_API_ENDPOINT: 'https://${referenceApi.properties.defaultHostName}/api/RandomNumber'
  STORAGE_QUEUE_URL: '${storage.properties.primaryEndpoints.queue}${queueName}'
  AZURE_CLIENT_ID: identity.properties.clientId
  AZURE_TOKEN_CREDENTIALS: 'ManagedIdentityCredential'
  QUEUE_CREATE_IF_NOT_EXISTS: 'false'
  TRUST_PROXY: '1'
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
}

// Only with Redis: the shared rate-limit store, as host and port. No password in it: the app signs in with its
// identity (Entra ID), and the database accepts nothing else.
var redisSettings = redisEnabled ? { REDIS_URL: 'rediss://${redis!.properties.hostName}:${redisDatabase!.properties.port}' } : {}

resource appConfig 'Microsoft.Web/sites/config@2023-12-01' = {
  parent: app
  name: 'appsettings'
  properties: union(appSettings, redisSettings)
  // The identity's access policy first, so the first connection with REDIS_URL set may already sign in.
  dependsOn: [redisAccess]
}

resource appFtp 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: app
  name: 'ftp'
  properties: { allow: false }
}

resource appScm 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: app
  name: 'scm'
  properties: { allow: false }
}

resource appLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'app-logs'
  scope: app
  properties: {
    workspaceId: logs.id
    logs: [
      { category: 'AppServiceConsoleLogs', enabled: true }
      { category: 'AppServiceHTTPLogs', enabled: true }
    ]
  }
}

// --- Operations: dashboard, alerts, where alerts go ----------------------------------------------------------
module operations 'operations.bicep' = {
  name: 'operations'
  params: {
    resourceToken: resourceToken
    location: location
    tags: tags
    environmentName: environmentName
    appInsightsName: appInsights.name
    workspaceId: logs.id
    appSiteId: app.id
    alertEmail: alertEmail
  }
}

output containerRegistryEndpoint string = registry.properties.loginServer
output nodeImageRepository string = '${registry.properties.loginServer}/${nodeImageCache.properties.targetRepository}'
output keyVaultUrl string = vault.properties.vaultUri
output keyVaultName string = vault.name
output thirdPartyApiSecretName string = thirdPartyApiSecretName
output thirdPartyApiEndpoint string = appSettings.THIRD_PARTY_API_ENDPOINT
output storageQueueUrl string = appSettings.STORAGE_QUEUE_URL
output storageAccountName string = storage.name
output identityClientId string = identity.properties.clientId
output appUri string = 'https://${app.properties.defaultHostName}'
output redisHostName string = redisEnabled ? redis!.properties.hostName : ''
output outboundIpAddress string = networkIsolation ? network!.outputs.outboundIpAddress : ''
