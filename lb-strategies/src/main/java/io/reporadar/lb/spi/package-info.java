/**
 * The extension point for balancing strategies: implement {@link io.reporadar.lb.Strategy} with a
 * {@link io.reporadar.lb.spi.Selector} over an {@link io.reporadar.lb.spi.EndpointSet}, opt in to nginx
 * rendering with {@link io.reporadar.lb.spi.NginxRenderable}, and check it with
 * {@link io.reporadar.lb.spi.StrategyConformance}.
 */
@NullMarked
package io.reporadar.lb.spi;

import org.jspecify.annotations.NullMarked;
