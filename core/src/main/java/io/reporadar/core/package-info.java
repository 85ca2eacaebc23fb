/**
 * What every RepoRadar module shares: {@link io.reporadar.core.Durations} (how environment variables spell a
 * duration) and {@link io.reporadar.core.DaemonThreads} (the threads the modules start in the background).
 */
@NullMarked
package io.reporadar.core;

import org.jspecify.annotations.NullMarked;
