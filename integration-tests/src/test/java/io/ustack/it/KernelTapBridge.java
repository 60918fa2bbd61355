/*
 * KernelTapBridge: the Linux kernel's TCP sending to the Linux kernel's TCP through the same path our stack's traffic
 * takes: kernel A -> TAP A -> this JVM reads the frame from A's descriptor -> an ImpairedLink (stack-core) -> the
 * frame is written to TAP B's descriptor -> kernel B. A userspace impairing bridge between two KernelPeers, so
 * "Linux's sender through TAP + impairment" can be set beside "our sender through TAP + impairment"
 * (ImpairedGoodputTest) and beside Linux over a veth with nftables drops (KernelLossBaseline).
 *
 * Frames are forwarded unchanged (Ethernet II, the kernels' own MACs). Each kernel gets a /32 on-link route to the
 * other's address through its TAP and a permanent neighbour entry for it (under loss, a kernel that loses three ARP
 * requests in a row fails the connect with EHOSTUNREACH), so IP crosses the bridge as on a wire. The ImpairedLink wraps A's TapLink
 * exactly as StackPeer wraps the TAP our stack uses, so its receive rules impair what A sends (data) and its transmit
 * rules what reaches A (ACKs). Offloads (tso, gso, gro) are off on both TAP devices, so segments are MTU-sized.
 *
 * Threads: TapLink and ImpairedLink are single-owner links, so each device has one forwarding thread that owns it:
 * thread A receives from (impaired) A and transmits to A, thread B the same for B; frames cross between them in
 * bounded queues, with the owner woken by Link.wakeup(). Both threads end in close(), which then releases queued
 * frames and removes both namespaces (also after a half-done create()).
 */
package io.ustack.it;

import io.netty.buffer.ByteBuf;
import io.ustack.engine.Clock;
import io.ustack.link.FrameSink;
import io.ustack.link.ImpairedLink;
import io.ustack.link.Impairment;
import io.ustack.link.Link;
import io.ustack.tap.netns.ExecResult;
import io.ustack.tap.netns.KernelPeer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Two KernelPeers joined by an impairing forwarder; send() may be called more than once; close() removes all. */
final class KernelTapBridge implements AutoCloseable {
    private static final int PORT = 5410;
    private static final int QUEUE_FRAMES = 4096;
    private static final int BUDGET = 64;
    /** Longest sleep of a forwarding thread, so a stop request is seen even without a wakeup. */
    private static final long AWAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long SAMPLE_MILLIS = 200;
    private static final Pattern CWND = Pattern.compile("\\bcwnd:(\\d+)");
    private static final Pattern SSTHRESH = Pattern.compile("\\bssthresh:(\\d+)");
    private static final Pattern RTT = Pattern.compile("\\brtt:([0-9.]+)/");
    private static final String[] RECEIVER_NSTAT = {"TcpOutSegs", "TcpExtDelayedACKs", "TcpExtTCPDSACKOldSent"};

    private final KernelPeer a;
    private final KernelPeer b;
    private final ImpairedLink impairedA;
    private final Link linkB;
    private final ArrayBlockingQueue<ByteBuf> toA = new ArrayBlockingQueue<>(QUEUE_FRAMES);
    private final ArrayBlockingQueue<ByteBuf> toB = new ArrayBlockingQueue<>(QUEUE_FRAMES);
    private final AtomicLong forwardedAToB = new AtomicLong();
    private final AtomicLong forwardedBToA = new AtomicLong();
    private final AtomicLong queueDrops = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean running = true;
    private volatile Throwable failure;
    private Thread threadA;
    private Thread threadB;

    /** What one transfer did: outcome, sender's and receiver's counters, the bridge's counts, cwnd samples. */
    record Result(KernelTransfers.Outcome outcome, KernelLossBaseline.SenderCounters sender, long receiverSegments,
                  long receiverDelayedAcks, long forwardedToReceiver, long forwardedToSender, long lostToReceiver,
                  long lostToSender, String window) {
        /** For MEASURE lines. */
        String describe() {
            return sender + "; bridge forwarded " + forwardedToReceiver + " frames to the receiver (lost "
                    + lostToReceiver + "), " + forwardedToSender + " to the sender (lost " + lostToSender
                    + "); receiver sent " + receiverSegments + " segments, " + receiverDelayedAcks
                    + " delayed-ACK timer ACKs; sender " + window;
        }
    }

    private KernelTapBridge(KernelPeer a, KernelPeer b, ImpairedLink impairedA) {
        this.a = a;
        this.b = b;
        this.impairedA = impairedA;
        this.linkB = b.link();
    }

    /**
     * Creates both namespaces, routes each kernel to the other through its TAP, turns offloads off, wraps A's link in
     * an ImpairedLink with {@code impairment} (SYSTEM clock) and starts forwarding. On failure everything created is
     * removed before the exception propagates.
     */
    static KernelTapBridge create(Impairment impairment) throws Exception {
        return create(impairment, null);
    }

    /**
     * As {@link #create(Impairment)}, with the sender's (A's) congestion control set to {@code senderCongestionControl}
     * (e.g. "reno" or "bbr"; this host refuses cubic as a namespace default: `sysctl net.ipv4.tcp_congestion_control` in A) unless it is null, which keeps the
     * namespace's default (this host's default is bbr).
     */
    static KernelTapBridge create(Impairment impairment, String senderCongestionControl) throws Exception {
        KernelPeer a = null;
        KernelPeer b = null;
        KernelTapBridge bridge = null;
        boolean done = false;
        try {
            a = KernelPeer.create();
            b = KernelPeer.create();
            a.ip("route", "add", b.kernelAddress() + "/32", "dev", a.deviceName());
            b.ip("route", "add", a.kernelAddress() + "/32", "dev", b.deviceName());
            // the impairment drops ARP too; a kernel that loses three requests fails connect() with EHOSTUNREACH
            a.pinNeighbour(b.kernelAddress(), b.kernelMac());
            b.pinNeighbour(a.kernelAddress(), a.kernelMac());
            for (KernelPeer p : new KernelPeer[] {a, b}) {
                p.run(KernelTools.QUICK, "ethtool", "-K", p.deviceName(), "tso", "off", "gso", "off", "gro", "off")
                        .orThrow();
            }
            if (senderCongestionControl != null) {
                a.run(KernelTools.QUICK, "sysctl", "-qw", "net.ipv4.tcp_congestion_control="
                        + senderCongestionControl).orThrow();
            }
            bridge = new KernelTapBridge(a, b, new ImpairedLink(a.link(), Clock.SYSTEM, impairment));
            bridge.start();
            done = true;
            return bridge;
        } finally {
            if (bridge != null && !done) {
                bridge.close(); // stops a thread already started, then removes both peers
            } else if (bridge == null) {
                if (b != null) {
                    b.close();
                }
                if (a != null) {
                    a.close();
                }
            }
        }
    }

    private void start() {
        threadA = Thread.ofPlatform().daemon().name("tap-bridge-" + a.namespace())
                .start(() -> forward(impairedA, toA, toB, linkB, forwardedAToB));
        threadB = Thread.ofPlatform().daemon().name("tap-bridge-" + b.namespace())
                .start(() -> forward(linkB, toB, toA, impairedA, forwardedBToA));
    }

    /**
     * One device's owner: writes what the other side queued for it, reads what its kernel sent and queues it for the
     * other side (whose owner it wakes), and sleeps on its device when there is nothing to do.
     */
    private void forward(Link own, ArrayBlockingQueue<ByteBuf> inbound, ArrayBlockingQueue<ByteBuf> outbound,
                         Link other, AtomicLong forwarded) {
        QueueingSink sink = new QueueingSink(outbound);
        try {
            while (running) {
                int moved = 0;
                ByteBuf frame;
                while ((frame = inbound.poll()) != null) {
                    own.transmit(frame); // the link releases it
                    moved++;
                }
                own.flush();
                sink.queued = 0;
                moved += own.receive(sink, BUDGET);
                if (sink.queued > 0) {
                    forwarded.addAndGet(sink.queued);
                    other.wakeup();
                }
                if (moved == 0 && inbound.isEmpty()) {
                    own.await(AWAIT_NANOS);
                }
            }
        } catch (Throwable t) {
            failure = t;
            running = false;
            other.wakeup();
        }
    }

    /** Keeps each borrowed frame (retain) in the other side's queue; counts a full queue as a drop. */
    private final class QueueingSink implements FrameSink {
        private final ArrayBlockingQueue<ByteBuf> queue;
        int queued;

        QueueingSink(ArrayBlockingQueue<ByteBuf> queue) {
            this.queue = queue;
        }

        @Override
        public void onFrame(ByteBuf frame) {
            if (queue.offer(frame.retain())) {
                queued++;
            } else {
                frame.release();
                queueDrops.incrementAndGet();
            }
        }
    }

    /** The congestion control new connections of the sender (A) use. */
    String senderCongestionControl() {
        return a.run(KernelTools.QUICK, "sysctl", "-n", "net.ipv4.tcp_congestion_control").orThrow().stdout().strip();
    }

    String senderAddress() {
        return a.kernelAddress();
    }

    String receiverAddress() {
        return b.kernelAddress();
    }

    long forwardedAToB() {
        return forwardedAToB.get();
    }

    long forwardedBToA() {
        return forwardedBToA.get();
    }

    long queueDrops() {
        return queueDrops.get();
    }

    /** Set if a forwarding thread died (then it no longer forwards). */
    Throwable failure() {
        return failure;
    }

    /** Runs {@code command} in the receiver's namespace (B). */
    ExecResult runInReceiver(Duration limit, String... command) {
        return b.run(limit, command);
    }

    /**
     * socat in A serves {@code file} ({@code bytes} long, digest {@code sha256}); socat in B connects to it and reads
     * to the end through sha256sum. Wall time covers B's command; the whole is bounded by {@code limit}. While it runs,
     * `ss -tin` in A is sampled every 200 ms for the sender's cwnd, ssthresh and RTT.
     */
    Result send(Path file, long bytes, String sha256, Duration limit) throws InterruptedException {
        KernelLossBaseline.SenderCounters before = KernelLossBaseline.senderCounters(a.namespace());
        long[] receiverBefore = nstat(b.namespace(), RECEIVER_NSTAT);
        long toReceiverBefore = forwardedAToB.get();
        long toSenderBefore = forwardedBToA.get();
        long lostToReceiverBefore = impairedA.receiveCounters().lost();
        long lostToSenderBefore = impairedA.transmitCounters().lost();
        WindowSampler sampler = new WindowSampler();
        KernelTransfers.Outcome outcome;
        try {
            sampler.thread = Thread.ofVirtual().start(sampler);
            outcome = KernelTransfers.socatFileToSha256(a::exec, a.namespace(), a.kernelAddress(), PORT, b::run, file,
                    bytes, sha256, limit);
        } finally {
            sampler.stop();
        }
        if (outcome.ok() && failure != null) {
            outcome = new KernelTransfers.Outcome(bytes, outcome.millis(), "bridge failed: " + failure);
        }
        long[] receiverAfter = nstat(b.namespace(), RECEIVER_NSTAT);
        return new Result(outcome, KernelLossBaseline.senderCounters(a.namespace()).minus(before),
                receiverAfter[0] - receiverBefore[0], receiverAfter[1] - receiverBefore[1],
                forwardedAToB.get() - toReceiverBefore, forwardedBToA.get() - toSenderBefore,
                impairedA.receiveCounters().lost() - lostToReceiverBefore,
                impairedA.transmitCounters().lost() - lostToSenderBefore, sampler.summary());
    }

    /**
     * Stops both forwarding threads, releases the frames still queued or held by the impairment, and removes both
     * namespaces with their devices. Idempotent; never throws.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        try {
            impairedA.wakeup();
            linkB.wakeup();
            for (Thread t : new Thread[] {threadA, threadB}) {
                if (t != null) {
                    t.join(TimeUnit.SECONDS.toMillis(5));
                    if (t.isAlive()) {
                        System.err.println("KernelTapBridge: " + t.getName() + " did not stop");
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            releaseAll(toA);
            releaseAll(toB);
            impairedA.close(); // releases held frames, closes A's TapLink
            b.close();
            a.close();
        }
    }

    private static void releaseAll(ArrayBlockingQueue<ByteBuf> queue) {
        ByteBuf frame;
        while ((frame = queue.poll()) != null) {
            frame.release();
        }
    }

    /** Absolute values of nstat counters {@code names} in {@code namespace}. */
    private static long[] nstat(String namespace, String... names) {
        List<String> command = new ArrayList<>(List.of("nstat", "-asz"));
        command.addAll(List.of(names));
        ExecResult r = KernelTools.inNamespace(namespace, KernelTools.QUICK, command.toArray(String[]::new))
                .orThrow();
        long[] v = new long[names.length];
        for (int i = 0; i < names.length; i++) {
            Matcher m = Pattern.compile("(?m)^" + names[i] + "\\s+(\\d+)").matcher(r.stdout());
            v[i] = m.find() ? Long.parseLong(m.group(1)) : 0; // a TcpExt counter never touched may be absent
        }
        return v;
    }

    /** Samples the sender's connection (`ss -tinH` in A, local port PORT) until stopped. */
    private final class WindowSampler implements Runnable {
        final List<Integer> cwnd = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> ssthresh = Collections.synchronizedList(new ArrayList<>());
        final List<Double> rtt = Collections.synchronizedList(new ArrayList<>());
        /** Full `ss -tin` texts of sender and receiver, one pair per sample. */
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        volatile boolean stopped;
        Thread thread;

        @Override
        public void run() {
            try {
                while (!stopped) {
                    ExecResult ss = KernelTools.inNamespace(a.namespace(), KernelTools.QUICK, "ss", "-tinH",
                            "state", "established", "sport = :" + PORT);
                    String out = ss.stdout();
                    Matcher c = CWND.matcher(out);
                    if (c.find()) {
                        cwnd.add(Integer.parseInt(c.group(1)));
                        Matcher s = SSTHRESH.matcher(out);
                        if (s.find()) {
                            ssthresh.add(Integer.parseInt(s.group(1)));
                        }
                        Matcher r = RTT.matcher(out);
                        if (r.find()) {
                            rtt.add(Double.parseDouble(r.group(1)));
                        }
                        ExecResult rs = KernelTools.inNamespace(b.namespace(), KernelTools.QUICK, "ss", "-tinH",
                                "state", "established", "dport = :" + PORT);
                        lines.add("sender [" + out.strip().replaceAll("\\s+", " ") + "] receiver ["
                                + rs.stdout().strip().replaceAll("\\s+", " ") + "]");
                    }
                    TimeUnit.MILLISECONDS.sleep(SAMPLE_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void stop() throws InterruptedException {
            stopped = true;
            if (thread != null) {
                thread.interrupt();
                thread.join(TimeUnit.SECONDS.toMillis(15));
            }
        }

        String summary() {
            synchronized (cwnd) {
                if (cwnd.isEmpty()) {
                    return "ss: no samples";
                }
                return "ss " + cwnd.size() + " samples: cwnd median " + median(cwnd) + " max "
                        + Collections.max(cwnd) + ", ssthresh " + (ssthresh.isEmpty() ? "-" : "median "
                        + median(ssthresh) + " min " + Collections.min(ssthresh)) + ", rtt median "
                        + (rtt.isEmpty() ? "-" : String.format("%.1f ms", rtt.stream().sorted().toList()
                        .get(rtt.size() / 2))) + "; middle sample: "
                        + (lines.isEmpty() ? "-" : lines.get(lines.size() / 2)); // a sample interrupted half-way
            }
        }

        private static int median(List<Integer> values) {
            return values.stream().sorted().toList().get(values.size() / 2);
        }
    }
}
