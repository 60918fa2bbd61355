/*
 * DemoCommand: `ustack demo` — two stacks joined by an in-memory link in one process (no root, no device): a client
 * downloads from the server's HTTP service, echoes over TCP and UDP, and prints what moved and how fast. With
 * --impair SPEC or the shortcuts (--loss, --reorder, ...) the client's link is an ImpairedLink (a bad network between
 * the two stacks, applied to both directions of the client's side).
 */
package io.ustack.tap.cli;

import io.ustack.api.Datagram;
import io.ustack.api.Stack;
import io.ustack.api.TcpSocket;
import io.ustack.api.UdpSocket;
import io.ustack.app.HttpFetch;
import io.ustack.app.PatternBytes;
import io.ustack.app.Services;
import io.ustack.link.ImpairedLink;
import io.ustack.link.Impairment;
import io.ustack.link.InMemoryLink;
import io.ustack.link.Link;
import io.ustack.link.PcapLink;
import io.ustack.engine.Clock;
import picocli.CommandLine.Command;
import io.ustack.tcp.CongestionAlgorithm;
import io.ustack.tcp.TcpConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Two stacks on an in-memory link in this process: HTTP download, TCP and UDP echo.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--bytes", defaultValue = "268435456", description = "HTTP body size to fetch (default 256 MiB).")
    long bytes;

    @Option(names = "--mtu", defaultValue = "1500", description = "Link MTU (68..65535).")
    int mtu;

    @Option(names = "--pcap", description = "Write the client side's frames to this pcap file.")
    Path pcap;

    @Option(names = "--offload", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "TCP segmentation offload on the in-memory link, as a veth has (default; off whenever the "
                    + "link is impaired, so loss hits single segments); --no-offload for MSS-sized frames.")
    boolean offload = true;

    @Mixin
    ImpairOptions impair = new ImpairOptions();

    @Option(names = "--cc", defaultValue = "CUBIC", paramLabel = "ALGORITHM", description = "TCP congestion control:"
            + " ${COMPLETION-CANDIDATES} (default CUBIC; BBR keeps its rate on a lossy link).")
    CongestionAlgorithm cc = CongestionAlgorithm.CUBIC;

    @Override
    public Integer call() throws Exception {
        Impairment impairment = impair.impairment(); // a bad value stops here
        boolean offloads = offload && !impairment.impairs();
        InMemoryLink[] pair = InMemoryLink.pair(mtu, offloads);
        Link clientLink = ImpairOptions.wrap(pair[1], Clock.SYSTEM, impairment);
        ImpairedLink impaired = clientLink instanceof ImpairedLink i ? i : null;
        if (pcap != null) {
            clientLink = PcapLink.open(clientLink, pcap, Clock.SYSTEM);
        }
        try (Stack server = Stack.builder(pair[0]).name("server").ipv4("10.0.0.1/24")
                     .tcp(new TcpConfig().congestionControl(cc)).build().start();
             Stack client = Stack.builder(clientLink).name("client").ipv4("10.0.0.2/24").build().start();
             Services services = Services.start(server)) {
            InetSocketAddress http = new InetSocketAddress("10.0.0.1", Services.HTTP);
            System.out.printf("server %s, client %s, MTU %d%s%s%n", server.ipv4(), client.ipv4(), mtu,
                    offloads ? ", TCP segmentation offload" : "",
                    impaired != null ? "; client's link impaired: " + impairment : "");

            HttpFetch.Result r = HttpFetch.get(client, http, "/bytes/" + bytes);
            boolean ok = r.status() == 200 && r.bodyBytes() == bytes && r.sha256().equals(PatternBytes.sha256(bytes));
            System.out.printf("HTTP GET /bytes/%d: status %d, %d bytes in %.3f s = %.1f Mbit/s, SHA-256 %s%n",
                    bytes, r.status(), r.bodyBytes(), r.nanos() / 1e9, r.megabitsPerSecond(), ok ? "matches" : "DIFFERS");

            boolean echoOk = tcpEcho(client, new InetSocketAddress("10.0.0.1", Services.ECHO), 1 << 20);
            int udpBack = udpEcho(client, new InetSocketAddress("10.0.0.1", Services.ECHO), 100);
            // on an impaired link datagrams may be lost (or dropped for a bad checksum): at least one must come back
            boolean udpOk = impaired == null ? udpBack == 100 : udpBack > 0;
            System.out.println("server counters: " + server.counters());
            System.out.println("client counters: " + client.counters());
            if (impaired != null) {
                System.out.println("impairment, client sent: " + impaired.transmitCounters() + "; client received: "
                        + impaired.receiveCounters());
            }
            return ok && echoOk && udpOk ? 0 : 1;
        }
    }

    static boolean tcpEcho(Stack client, InetSocketAddress echo, int size) {
        byte[] data = new byte[size];
        new SplittableRandom(7).nextBytes(data);
        long t0 = System.nanoTime();
        TcpSocket s = client.connect(echo).join();
        s.write(ByteBuffer.wrap(data));
        ByteBuffer back = ByteBuffer.allocate(size);
        while (back.hasRemaining() && s.read(back).join() >= 0) {
            // keep reading
        }
        s.close();
        boolean ok = Arrays.equals(data, back.array());
        System.out.printf("TCP echo: %d bytes in %.3f s, %s%n", size, (System.nanoTime() - t0) / 1e9,
                ok ? "equal" : "DIFFERENT");
        return ok;
    }

    /**
     * Echoes {@code count} datagrams one by one, waiting up to 2 s for each; returns how many came back equal. A
     * receive that timed out stays posted and takes the next datagram (it is not abandoned: an abandoned receive
     * would still swallow one).
     */
    static int udpEcho(Stack client, InetSocketAddress echo, int count) throws InterruptedException {
        UdpSocket u = client.openUdp(0).join();
        int ok = 0;
        try {
            java.util.concurrent.CompletableFuture<Datagram> pending = null;
            for (int i = 0; i < count; i++) {
                byte[] payload = ("datagram " + i).getBytes();
                u.sendTo(ByteBuffer.wrap(payload), echo).join();
                if (pending == null) {
                    pending = u.receive();
                }
                Datagram d;
                try {
                    d = pending.get(2, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    continue; // lost on an impaired link: UDP does not retransmit
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("UDP receive failed", e.getCause());
                }
                pending = null;
                byte[] got = new byte[d.data().remaining()];
                d.data().get(got);
                if (Arrays.equals(payload, got)) {
                    ok++;
                }
            }
        } finally {
            u.close();
        }
        System.out.printf("UDP echo: %d of %d datagrams came back equal%n", ok, count);
        return ok;
    }
}
