// Network isolation (AZURE_NETWORK_ISOLATION=true): a virtual network the web apps send all their outbound traffic
// into (regional VNet integration), private endpoints for the data services, and the private DNS zones that make
// their usual host names resolve to those endpoints inside the network. resources.bicep turns public network access
// off on each service it puts here. docs/deployment.md says what it costs and what changes.
param resourceToken string
param location string
param tags object
@description('The vault, the storage account and, when Redis is on, the Azure Managed Redis cluster.')
param vaultId string
param storageAccountId string
@description('Empty when Redis is off.')
param redisId string

// One private endpoint per service: the sub-resource it exposes (groupId) and the private DNS zone whose record
// points the public host name at the endpoint's private address.
var endpoints = concat(
  [
    { name: 'vault', serviceId: vaultId, groupId: 'vault', zone: 'privatelink.vaultcore.azure.net' }
    {
      name: 'queue'
      serviceId: storageAccountId
      groupId: 'queue'
      zone: 'privatelink.queue.${environment().suffixes.storage}'
    }
  ],
  empty(redisId)
    ? []
    : [{ name: 'redis', serviceId: redisId, groupId: 'redisEnterprise', zone: 'privatelink.redis.azure.net' }]
)

// Outbound to the internet (the third-party API, Application Insights ingestion, Entra ID) leaves through a NAT
// gateway: subnets of a new virtual network get no default outbound access, and the third party sees one stable
// address it can allow-list.
resource outboundIp 'Microsoft.Network/publicIPAddresses@2024-05-01' = {
  name: 'pip-nat-${resourceToken}'
  location: location
  tags: tags
  sku: { name: 'Standard' }
  properties: {
    publicIPAllocationMethod: 'Static'
  }
}

resource natGateway 'Microsoft.Network/natGateways@2024-05-01' = {
  name: 'nat-${resourceToken}'
  location: location
  tags: tags
  sku: { name: 'Standard' }
  properties: {
    publicIpAddresses: [{ id: outboundIp.id }]
    idleTimeoutInMinutes: 4
  }
}

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: 'vnet-${resourceToken}'
  location: location
  tags: tags
  properties: {
    addressSpace: { addressPrefixes: ['10.20.0.0/22'] }
    subnets: [
      {
        // App Service regional VNet integration: delegated to the plan, one address per instance (and per
        // instance during a scale or a deploy), so a /24 leaves room for the plan's limits.
        name: 'app'
        properties: {
          addressPrefix: '10.20.0.0/24'
          delegations: [{ name: 'app-service', properties: { serviceName: 'Microsoft.Web/serverFarms' } }]
          natGateway: { id: natGateway.id }
          defaultOutboundAccess: false
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: '10.20.1.0/24'
          defaultOutboundAccess: false
        }
      }
    ]
  }

  resource appSubnet 'subnets' existing = {
    name: 'app'
  }

  resource endpointSubnet 'subnets' existing = {
    name: 'private-endpoints'
  }
}

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for endpoint in endpoints: {
    name: endpoint.zone
    location: 'global'
    tags: tags
  }
]

// Without the link the network keeps resolving the public address, which then refuses the connection.
resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for i in range(0, length(endpoints)): {
    parent: zones[i]
    name: vnet.name
    location: 'global'
    tags: tags
    properties: {
      virtualNetwork: { id: vnet.id }
      registrationEnabled: false
    }
  }
]

resource privateEndpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [
  for endpoint in endpoints: {
    name: 'pe-${endpoint.name}-${resourceToken}'
    location: location
    tags: tags
    properties: {
      subnet: { id: vnet::endpointSubnet.id }
      privateLinkServiceConnections: [
        {
          name: endpoint.name
          properties: {
            privateLinkServiceId: endpoint.serviceId
            groupIds: [endpoint.groupId]
          }
        }
      ]
    }
  }
]

// The zone group keeps the endpoint's A record in its zone (created, and removed with the endpoint).
resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [
  for (endpoint, i) in endpoints: {
    parent: privateEndpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: replace(endpoint.zone, '.', '-')
          properties: { privateDnsZoneId: zones[i].id }
        }
      ]
    }
  }
]

output appSubnetId string = vnet::appSubnet.id
output outboundIpAddress string = outboundIp.properties.ipAddress
