/**
 * Connection budget guards for several instances sharing one PostgreSQL server.
 */
package io.reporadar.pooling;
