# Starts the RepoRadar multi-instance topology with Docker Compose and waits until every service is healthy.
#   scripts/deploy-multi-instance.ps1        # nginx, reporadar-1..3, PostgreSQL, Redis
#   scripts/deploy-multi-instance.ps1 -HA    # plus a Redis replica and three Sentinels
param([switch]$HA)
$ErrorActionPreference = 'Stop'

$root = Split-Path -Parent $PSScriptRoot
$composeFile = Join-Path $root 'docker/docker-compose.multi-instance.yml'
$envFile = Join-Path $root 'docker/.env.multi-instance'
$profileArgs = @()
if ($HA) { $profileArgs = @('--profile', 'ha') }

docker compose version *> $null
if ($LASTEXITCODE -ne 0) { Write-Error 'deploy-multi-instance: needs Docker with the compose plugin (docker compose version)'; exit 2 }
if (-not (Test-Path $envFile)) { Write-Error "deploy-multi-instance: $envFile is missing; copy docker/.env.multi-instance.example and fill it in"; exit 2 }
foreach ($required in 'POSTGRES_PASSWORD', 'REDIS_PASSWORD', 'SESSION_SECRET', 'SESSION_ENCRYPTION_KEY') {
    if (-not (Select-String -Path $envFile -Pattern "^$required=.+" -Quiet)) {
        Write-Error "deploy-multi-instance: $required is empty in $envFile"; exit 2
    }
}

docker compose -f $composeFile --env-file $envFile @profileArgs up -d --build --wait
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
docker compose -f $composeFile --env-file $envFile @profileArgs ps
Write-Host 'RepoRadar is up: http://localhost:8080 (health: http://localhost:8080/health)'
