package io.reporadar.session;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Sentinels of a {@code redis-sentinel://} URL, as {@link SessionRedis} talks to them: asks all of them who
 * the master is and takes the answer of most of them ({@link #agreement()}), watches them for {@code +switch-master}
 * and {@code +odown} ({@link #watch}), and asks them whether they have cleared a master they held down
 * ({@link #masterCleared()}). Keeps a connection to each Sentinel, (re)opened without blocking, and one
 * subscription to each that answered at the start. Thread-safe: every method may be called on any thread.
 */
final class Sentinels implements AutoCloseable {

    /** SessionRedis's logger: its log lines keep the logger name that log settings and filters know. */
    private static final Logger LOG = LoggerFactory.getLogger(SessionRedis.class);

    private final RedisClient client;
    private final RedisURI uri;
    /** The Sentinels of the URL, in its order, and a connection to each, (re)opened without blocking. */
    private final List<RedisURI> sentinelUris;
    private final AtomicReferenceArray<@Nullable CompletableFuture<StatefulRedisSentinelConnection<String, String>>> sentinelLinks;
    private final List<StatefulRedisPubSubConnection<String, String>> watchers = new CopyOnWriteArrayList<>();

    /** The Sentinels of {@code uri} (none for a URL without), reached through {@code client}; connects to none yet. */
    Sentinels(RedisClient client, RedisURI uri) {
        this.client = client;
        this.uri = uri;
        this.sentinelUris = List.copyOf(uri.getSentinels());
        this.sentinelLinks = new AtomicReferenceArray<>(sentinelUris.size());
    }

    /** The name the URL gives the master ({@code #master}), as the Sentinels know it. */
    String masterId() {
        return uri.getSentinelMasterId();
    }

    /**
     * Subscribes to {@code +switch-master} on every Sentinel that answers; at least one must. Also subscribes to
     * {@code +odown}. {@code down} is given the {@code host:port} of a master of the URL's that a quorum of
     * Sentinels consider down; {@code switched} the {@code host:port} of the master a Sentinel announced, and that
     * Sentinel's. Both are called on Lettuce's event loop: they must not block.
     *
     * @throws SessionStoreUnavailableException when no Sentinel answers
     */
    void watch(Consumer<String> down, BiConsumer<String, String> switched) {
        String masterId = uri.getSentinelMasterId();
        for (RedisURI sentinelUri : uri.getSentinels()) {
            try {
                StatefulRedisPubSubConnection<String, String> watcher = client.connectPubSub(StringCodec.UTF8, sentinelUri);
                watcher.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        String[] parts = message.split(" ", -1); // single spaces, none trailing: every piece is a word
                        if (channel.equals("+odown")) {
                            // "master <name> <ip> <port> #quorum n/m"
                            if (parts.length >= 4 && parts[0].equals("master") && parts[1].equals(masterId)) {
                                down.accept(parts[2] + ":" + parts[3]);
                            }
                            return;
                        }
                        // +switch-master: "<master name> <old ip> <old port> <new ip> <new port>"
                        if (parts.length == 5 && parts[0].equals(masterId)) {
                            switched.accept(parts[3] + ":" + parts[4], sentinelUri.getHost() + ":" + sentinelUri.getPort());
                        }
                    }
                });
                watcher.sync().subscribe("+switch-master", "+odown");
                watchers.add(watcher);
            } catch (RuntimeException e) {
                LOG.warn("Sentinel {}:{} cannot be watched for failovers: {}", sentinelUri.getHost(), sentinelUri.getPort(), e.toString());
            }
        }
        if (watchers.isEmpty()) {
            throw new SessionStoreUnavailableException("sentinel-watch", new RedisException("no Sentinel of " + masterId + " answers"));
        }
    }

    /** The master that most Sentinels name, and one of the Sentinels that named it (to ask for its replicas). */
    record Agreement(String master, StatefulRedisSentinelConnection<String, String> sentinel) {
    }

    /** What one Sentinel answered: the master it names ({@code host:port}; null when it knows none), and itself. */
    private record Answer(@Nullable String master, StatefulRedisSentinelConnection<String, String> sentinel) {
    }

    /**
     * Asks every Sentinel of the URL who the master is and returns the answer of most of them (2 of 3), as soon as
     * they have given it; waits at most the command timeout. Sentinel authorizes a failover by the votes of most
     * Sentinels, so the configuration most of them hold is the one in force: a single Sentinel may name a master
     * of before (restarted with an old configuration, or cut off from the others).
     *
     * @throws SessionStoreUnavailableException naming what each said when no address has most of them
     */
    Agreement agreement() {
        return agreement(uri.getTimeout());
    }

    /**
     * As {@link #agreement()}, waiting at most {@code wait}: at start-up the links to the Sentinels are still to be
     * opened, which the connect timeout bounds, before the command timeout bounds their answers (three instances
     * starting at once on a busy host took longer than the command timeout alone: CI, the HA drill's start).
     */
    Agreement agreement(Duration wait) {
        String masterId = uri.getSentinelMasterId();
        int needed = sentinelUris.size() / 2 + 1;
        CompletableFuture<Agreement> agreed = new CompletableFuture<>();
        Map<String, Integer> named = new LinkedHashMap<>(); // guarded by itself
        List<Throwable> failures = new ArrayList<>(); // guarded by named
        for (int i = 0; i < sentinelUris.size(); i++) {
            // Each answer is handled (counted) here; the future that follows has nothing more to report.
            CompletableFuture<Answer> unused =
                    sentinelLink(i).thenCompose(link -> link.async().getMasterAddrByName(masterId).thenApply(address -> new Answer(hostAndPort(address), link)))
                    .whenComplete((answer, failure) -> {
                        synchronized (named) {
                            if (failure != null) {
                                failures.add(failure);
                            } else {
                                String master = answer.master();
                                if (named.merge(String.valueOf(master), 1, Integer::sum) >= needed && master != null) {
                                    agreed.complete(new Agreement(master, answer.sentinel()));
                                }
                            }
                            if (failures.size() + named.values().stream().mapToInt(Integer::intValue).sum() == sentinelUris.size()) {
                                agreed.completeExceptionally(disagreement(masterId, named, failures));
                            }
                        }
                    });
        }
        try {
            return agreed.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new SessionStoreUnavailableException("sentinel-master", cause != null ? cause : e);
        } catch (TimeoutException e) {
            synchronized (named) {
                throw new SessionStoreUnavailableException("sentinel-master", disagreement(masterId, named, failures));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SessionStoreUnavailableException("sentinel-master", new RedisException("interrupted while asking the Sentinels"));
        }
    }

    /**
     * Says what each Sentinel named (addresses only), with every failure attached: the first as the cause, the
     * others suppressed. A Sentinel that refused a password may be reported by Lettuce as a connection "closed
     * prematurely" (the handshake's close can overtake its error), so a refusal must be looked for in all of them.
     */
    private RedisException disagreement(String masterId, Map<String, Integer> named, List<Throwable> failures) {
        int unanswered = sentinelUris.size() - named.values().stream().mapToInt(Integer::intValue).sum();
        RedisException disagreement = new RedisException("the Sentinels do not agree on the master of " + masterId + " (most of the "
                + sentinelUris.size() + " must name it): named " + named + ", " + unanswered + " did not answer",
                failures.isEmpty() ? null : failures.get(0));
        failures.stream().skip(1).forEach(disagreement::addSuppressed);
        return disagreement;
    }

    /** {@code address} as {@code host:port}; null for none (a Sentinel that knows no such master). */
    private static @Nullable String hostAndPort(@Nullable SocketAddress address) {
        if (address == null) {
            return null;
        }
        return address instanceof InetSocketAddress inet ? inet.getHostString() + ":" + inet.getPort() : String.valueOf(address);
    }

    /**
     * Whether the Sentinels have cleared the master: most of them answer and none reports the master objectively
     * down or a failover of it under way. Waits at most the command timeout.
     */
    boolean masterCleared() {
        String masterId = uri.getSentinelMasterId();
        List<CompletableFuture<Map<String, String>>> asked = new ArrayList<>();
        for (int i = 0; i < sentinelUris.size(); i++) {
            asked.add(sentinelLink(i).thenCompose(link -> link.async().master(masterId)));
        }
        long deadline = System.nanoTime() + uri.getTimeout().toNanos();
        int clear = 0;
        for (CompletableFuture<Map<String, String>> answer : asked) {
            try {
                String flags = answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).getOrDefault("flags", "");
                if (flags.contains("o_down") || flags.contains("failover_in_progress")) {
                    return false;
                }
                clear++;
            } catch (ExecutionException | TimeoutException noAnswer) {
                // counts as no answer
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return clear >= sentinelUris.size() / 2 + 1;
    }

    /** The connection to the {@code i}th Sentinel of the URL, opened again without blocking after it failed or closed. */
    private CompletableFuture<StatefulRedisSentinelConnection<String, String>> sentinelLink(int i) {
        CompletableFuture<StatefulRedisSentinelConnection<String, String>> link = sentinelLinks.get(i);
        boolean usable = link != null && (!link.isDone() || (!link.isCompletedExceptionally() && link.join().isOpen()));
        if (usable) {
            return link;
        }
        CompletableFuture<StatefulRedisSentinelConnection<String, String>> fresh = client.connectSentinelAsync(StringCodec.UTF8, sentinelUris.get(i));
        if (sentinelLinks.compareAndSet(i, link, fresh)) {
            if (link != null && !link.isCompletedExceptionally()) {
                closeAsync(link.join());
            }
            return fresh;
        }
        CompletableFuture<Void> unused = fresh.thenAccept(Sentinels::closeAsync); // another thread opened one meanwhile
        return Objects.requireNonNull(sentinelLinks.get(i), "closed"); // null only once closed
    }

    /** Closes {@code link} without waiting; nothing is to be done with it once closed. */
    private static void closeAsync(StatefulRedisSentinelConnection<String, String> link) {
        CompletableFuture<Void> unused = link.closeAsync();
    }

    /** Closes the subscriptions, then the connections to the Sentinels (those still opening once open). */
    @Override
    public void close() {
        watchers.forEach(StatefulRedisPubSubConnection::close);
        for (int i = 0; i < sentinelLinks.length(); i++) {
            CompletableFuture<StatefulRedisSentinelConnection<String, String>> link = sentinelLinks.getAndSet(i, null);
            if (link != null) {
                CompletableFuture<Void> unused = link.thenAccept(StatefulRedisSentinelConnection::close);
            }
        }
    }
}
