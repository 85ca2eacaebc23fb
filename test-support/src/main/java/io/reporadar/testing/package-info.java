/**
 * Real servers for tests (Redis alone or under Sentinel, PostgreSQL, nginx) started from local or embedded
 * binaries, with their fault handles (a TCP fault proxy, network partitions, fault schedules) and JUnit 5 extensions.
 */
@NullMarked
package io.reporadar.testing;

import org.jspecify.annotations.NullMarked;
