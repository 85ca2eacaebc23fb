/**
 * The deployment dashboard: what each instance reports of itself ({@link io.reporadar.health.dashboard.InstanceReport}),
 * the deployment put together from those reports ({@link io.reporadar.health.dashboard.DeploymentView}) and its
 * self-refreshing HTML page ({@link io.reporadar.health.dashboard.DashboardPage}).
 */
@NullMarked
package io.reporadar.health.dashboard;

import org.jspecify.annotations.NullMarked;
