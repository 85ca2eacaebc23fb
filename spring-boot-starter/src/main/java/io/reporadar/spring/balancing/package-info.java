/**
 * Balanced HTTP clients for Spring Boot: every {@code RestClient} (and {@code RestTemplate}) built from Boot's
 * builders sends a request for {@code http://<service>/...} to one of the instances configured under
 * {@code reporadar.balancing.services.<service>}, picked by a {@link io.reporadar.lb.LoadBalancer}, and retries an
 * idempotent request on another instance after a refused connection or a 503, as
 * {@link io.reporadar.lb.BalancedHttpClient} does.
 */
@NullMarked
package io.reporadar.spring.balancing;

import org.jspecify.annotations.NullMarked;
