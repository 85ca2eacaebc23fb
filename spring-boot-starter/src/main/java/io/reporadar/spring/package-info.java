/**
 * Spring Boot auto-configuration for the RepoRadar toolkit: sessions ({@code io.reporadar.spring.session}), health
 * and draining ({@code io.reporadar.spring.health}), the connection budget ({@code io.reporadar.spring.pooling}) and
 * balanced HTTP clients ({@code io.reporadar.spring.balancing}). Each part switches off with
 * {@code reporadar.<part>.enabled=false} and backs off when the application defines its own bean.
 */
@NullMarked
package io.reporadar.spring;

import org.jspecify.annotations.NullMarked;
