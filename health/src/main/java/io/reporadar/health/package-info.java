/**
 * Health, readiness and liveness checks for instances behind a load balancer.
 */
package io.reporadar.health;
