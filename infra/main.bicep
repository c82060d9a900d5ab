// Entry point for `azd provision`: one resource group with everything the sample needs.
targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('azd environment name; resource names derive from it.')
param environmentName string

@minLength(1)
@description('Azure region for every resource.')
param location string

@description('Object id of the deploying user or pipeline principal: gets Key Vault Secrets Officer so it can set the secret.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal'])
param principalType string = 'User'

@secure()
@minLength(16)
@description('The third-party API access key. Stored only as a Key Vault secret; never written to a file or an app setting.')
param thirdPartyApiKey string

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
    location: location
    tags: tags
    principalId: principalId
    principalType: principalType
    thirdPartyApiKey: thirdPartyApiKey
  }
}

// azd writes these to .azure/<env>/.env; `azd env get-values` configures a local run against the real resources.
output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = resources.outputs.containerRegistryEndpoint
output KEY_VAULT_URL string = resources.outputs.keyVaultUrl
output THIRD_PARTY_API_SECRET_NAME string = resources.outputs.thirdPartyApiSecretName
output THIRD_PARTY_API_ENDPOINT string = resources.outputs.thirdPartyApiEndpoint
output STORAGE_QUEUE_URL string = resources.outputs.storageQueueUrl
output STORAGE_ACCOUNT_NAME string = resources.outputs.storageAccountName
output AZURE_CLIENT_ID string = resources.outputs.identityClientId
output SERVICE_APP_URI string = resources.outputs.appUri
