// Entry point for `azd provision`: one resource group with everything the sample needs.
targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('azd environment name; resource names derive from it.')
param environmentName string

@minLength(1)
@description('Azure region for every resource.')
param location string

@minLength(1)
@description('Per-deployment part of every resource name (AZURE_RESOURCE_SUFFIX, set by the preprovision hook, renewed by the postdown hook): a re-created environment must not reuse the name of a purge-protected vault that is still soft-deleted.')
param resourceSuffix string

@description('Object id of the principal running azd (azd fills it): may peek at the queue; a user also gets Key Vault Secrets Officer to rotate the key from the CLI.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal'])
@description('Type of that principal (azd fills it).')
param principalType string = 'User'

@description('Whether the third-party key secret already exists (the preprovision hook checks): the key is written only when it does not, so a provision never undoes a rotation.')
param thirdPartyApiSecretExists bool = false

@secure()
@description('The third-party API access key for the first provision only (the secret\'s first version). Stored only as a Key Vault secret; never written to a file or an app setting.')
param thirdPartyApiKey string = ''

@description('Images azd published (SERVICE_<NAME>_IMAGE_NAME); empty before the first deploy, when the sites start on a placeholder.')
param appImageName string = ''

@description('The same for the reference API.')
param referenceApiImageName string = ''

@description('E-mail address that receives the alerts (AZURE_ALERT_EMAIL); optional: without it the alerts only show in the portal.')
param alertEmail string = ''

@allowed(['B1', 'B2', 'B3', 'S1', 'S2', 'S3', 'P0v3', 'P1v3', 'P2v3', 'P3v3'])
@description('App Service plan SKU (AZURE_APP_SERVICE_SKU). Basic (B*) scales out by hand only, up to 3 instances; Standard (S*) and PremiumV3 (P*v3) also scale out by CPU (docs/scale-out.md).')
param appServicePlanSku string = 'B1'

@description('Whether to deploy Azure Managed Redis for the rate limits every instance shares (AZURE_REDIS_ENABLED). Off by default: it is billed by the hour, and one instance does not need it.')
param redisEnabled bool = false

@description('Whether to put the vault, the queue and Redis behind private endpoints in a virtual network, with public network access off, and route all of both sites\' outbound traffic through it (AZURE_NETWORK_ISOLATION). Off by default: it costs more (NAT gateway, private endpoints) and the deployer\'s machine can no longer reach those services (docs/deployment.md).')
param networkIsolation bool = false

var tags = { 'azd-env-name': environmentName }

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module resources 'resources.bicep' = {
  name: 'resources'
  scope: rg
  params: {
    environmentName: environmentName
    resourceSuffix: resourceSuffix
    location: location
    tags: tags
    principalId: principalId
    principalType: principalType
    thirdPartyApiSecretExists: thirdPartyApiSecretExists
    thirdPartyApiKey: thirdPartyApiKey
    appImageName: appImageName
    referenceApiImageName: referenceApiImageName
    alertEmail: alertEmail
    appServicePlanSku: appServicePlanSku
    redisEnabled: redisEnabled
    networkIsolation: networkIsolation
  }
}

// azd writes these to .azure/<env>/.env; `azd env get-values` configures a local run against the real resources.
output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = resources.outputs.containerRegistryEndpoint
// The registry's cache of Docker Hub's node repository: azure.yaml builds the images from it (NODE_IMAGE).
output AZURE_NODE_IMAGE_REPOSITORY string = resources.outputs.nodeImageRepository
output KEY_VAULT_URL string = resources.outputs.keyVaultUrl
output KEY_VAULT_NAME string = resources.outputs.keyVaultName
output THIRD_PARTY_API_SECRET_NAME string = resources.outputs.thirdPartyApiSecretName
output THIRD_PARTY_API_ENDPOINT string = resources.outputs.thirdPartyApiEndpoint
output STORAGE_QUEUE_URL string = resources.outputs.storageQueueUrl
output STORAGE_ACCOUNT_NAME string = resources.outputs.storageAccountName
output AZURE_CLIENT_ID string = resources.outputs.identityClientId
output SERVICE_APP_URI string = resources.outputs.appUri
// Empty unless AZURE_REDIS_ENABLED: where the app's REDIS_URL points (only the app's identity may sign in there).
output AZURE_REDIS_HOST_NAME string = resources.outputs.redisHostName
// Empty unless AZURE_NETWORK_ISOLATION: the one address the sites' outbound traffic comes from (the NAT gateway's).
output AZURE_OUTBOUND_IP_ADDRESS string = resources.outputs.outboundIpAddress
