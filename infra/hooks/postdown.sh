#!/bin/sh
# azd postdown hook: `azd down` leaves the purge-protected vault soft-deleted for 90 days, its name still taken.
# A new suffix gives the next `azd up` of this environment new resource names.
set -eu

AZURE_RESOURCE_SUFFIX=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
azd env set AZURE_RESOURCE_SUFFIX "$AZURE_RESOURCE_SUFFIX"
printf 'postdown: the next provision of this environment uses new resource names (suffix %s)\n' "$AZURE_RESOURCE_SUFFIX"
