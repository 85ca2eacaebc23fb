/**
 * A job queue in Redis shared by every instance of a service: {@link io.reporadar.jobs.JobQueue} to enqueue and
 * inspect jobs, {@link io.reporadar.jobs.JobWorker} to run them under leases that a killed or frozen instance loses.
 */
@NullMarked
package io.reporadar.jobs.micrometer;

import org.jspecify.annotations.NullMarked;
