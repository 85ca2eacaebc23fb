# Starts the RepoRadar multi-instance topology with Docker Compose v2 and waits until every service is healthy.
#   scripts/deploy-multi-instance.ps1        # nginx, INSTANCE_COUNT instances (default 3), PostgreSQL, Redis
#   scripts/deploy-multi-instance.ps1 -HA    # plus two Redis replicas and three Sentinels, which the instances follow
#   scripts/deploy-multi-instance.ps1 -TLS   # nginx serves https on LB_HTTPS_PORT (docker-compose.tls.yml)
#   scripts/deploy-multi-instance.ps1 -Instances 5   # scales to 5 (with the options it was deployed with)
# Then nginx is reloaded: it resolves the service name again, to every replica now running (docs/scaling.md).
param([switch]$HA, [switch]$TLS, [ValidateRange(1, 999)][int]$Instances = 0)
$ErrorActionPreference = 'Stop'

$root = Split-Path -Parent $PSScriptRoot
$envFile = Join-Path $root 'docker/.env.multi-instance'
$fileArgs = @('-f', (Join-Path $root 'docker/docker-compose.multi-instance.yml'))
$required = @('POSTGRES_PASSWORD', 'REDIS_PASSWORD', 'SESSION_SECRET', 'SESSION_ENCRYPTION_KEY')
if ($HA) { $fileArgs += @('-f', (Join-Path $root 'docker/docker-compose.ha.yml')); $required += 'REDIS_SENTINEL_PASSWORD' }
if ($TLS) { $fileArgs += @('-f', (Join-Path $root 'docker/docker-compose.tls.yml')) }

docker compose version *> $null
if ($LASTEXITCODE -ne 0) { Write-Error 'deploy-multi-instance: needs Docker with the compose plugin (docker compose version)'; exit 2 }
if (-not (Test-Path $envFile)) { Write-Error "deploy-multi-instance: $envFile is missing; copy docker/.env.multi-instance.example and fill it in"; exit 2 }
foreach ($name in $required) {
    if (-not (Select-String -Path $envFile -Pattern "^$name=.+" -Quiet)) {
        Write-Error "deploy-multi-instance: $name is empty in $envFile"; exit 2
    }
}
function Setting($name, $default) {
    $line = Select-String -Path $envFile -Pattern "^$name=(.+)$" | Select-Object -Last 1
    if ($line) { return $line.Matches[0].Groups[1].Value } else { return $default }
}

# Starts or stops replicas so that $count run (0: INSTANCE_COUNT, the env file's, else 3), waits until every
# container is healthy, then reloads nginx, which resolves the service name again, to every replica now running.
function ScaleAndReload([int]$count) {
    $up = @('up', '-d', '--build', '--wait')
    if ($count -gt 0) { $up += @('--scale', "reporadar=$count", '--no-recreate') }
    docker compose @fileArgs --env-file $envFile @up
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    docker compose @fileArgs --env-file $envFile exec -T nginx nginx -s reload
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}
if ($Instances -gt 0) {
    # The replicas it starts check (N + INSTANCE_SURGE) x DB_POOL_MAX against max_connections; the running ones stay.
    $env:INSTANCE_COUNT = "$Instances"
    # Down one replica at a time, as deploy-multi-instance.sh does (nginx tries 3 replicas a request at most)
    $running = @(docker compose @fileArgs --env-file $envFile ps -q reporadar | Where-Object { $_ }).Count
    while ($running -gt $Instances + 1) { $running--; ScaleAndReload $running }
}
ScaleAndReload $Instances
docker compose @fileArgs --env-file $envFile ps
if ($TLS) { $url = "https://localhost:$(Setting 'LB_HTTPS_PORT' '443')" } else { $url = "http://localhost:$(Setting 'LB_PORT' '80')" }
Write-Host "RepoRadar is up: $url (health: $url/health)"
