/*
 * ServeCommand: `ustack serve --tap NAME --ip A.B.C.D/N` — runs the stack on a Linux TAP (or TUN) device with echo
 * (7), discard (9) and HTTP (80) services until interrupted or for --duration seconds, then prints its counters.
 * With --impair SPEC or the shortcuts (--loss, --reorder, --duplicate, --corrupt, --delay, --jitter, --rate, --seed)
 * the device is wrapped in an ImpairedLink, so the stack sees (and makes) a bad network; a capture (--pcap) records
 * the stack's side of it. With --offload the TAP is opened with the virtio-net header and receive offloads
 * (TapOptions.OFFLOADS: the kernel hands us TCP super-frames of up to 64 KiB with partial checksums).
 */
package io.ustack.tap.cli;

import io.ustack.api.Stack;
import io.ustack.app.Services;
import io.ustack.engine.Clock;
import io.ustack.link.ImpairedLink;
import io.ustack.link.Impairment;
import io.ustack.link.Link;
import io.ustack.link.PcapLink;
import io.ustack.tap.DeviceMode;
import io.ustack.tap.TapLink;
import io.ustack.tap.TapOptions;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import io.ustack.tcp.CongestionAlgorithm;
import io.ustack.tcp.TcpConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve echo (7), discard (9) and HTTP (80) over TCP and UDP on a TAP or TUN device.")
public final class ServeCommand implements Callable<Integer> {
    static final class Device {
        @Option(names = "--tap", description = "TAP device name (Ethernet frames).", required = true)
        String tap;
        @Option(names = "--tun", description = "TUN device name (bare IP packets).", required = true)
        String tun;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Device device;

    @Option(names = "--ip", required = true, description = "Our address as A.B.C.D/N.")
    String ip;

    @Option(names = "--gateway", description = "Default gateway (on the --ip subnet).")
    String gateway;

    @Option(names = "--mtu", defaultValue = "1500", description = "Device MTU.")
    int mtu;

    @Option(names = "--pcap", description = "Write every frame to this libpcap file.")
    Path pcap;

    @Option(names = "--duration", defaultValue = "0", description = "Seconds to serve (0 = until interrupted).")
    long duration;

    @Option(names = "--offload", description = "Open the device with the virtio-net header and receive offloads "
            + "(checksum, TSO4/TSO6): the kernel sends TCP super-frames of up to 64 KiB.")
    boolean offload;

    @Mixin
    ImpairOptions impair;

    @Option(names = "--cc", defaultValue = "CUBIC", paramLabel = "ALGORITHM", description = "TCP congestion control:"
            + " ${COMPLETION-CANDIDATES} (default CUBIC; BBR keeps its rate on a lossy link).")
    CongestionAlgorithm cc;

    @Override
    public Integer call() throws Exception {
        DeviceMode mode = device.tap != null ? DeviceMode.TAP : DeviceMode.TUN;
        String name = device.tap != null ? device.tap : device.tun;
        Impairment impairment = impair.impairment(); // a bad value stops here, before the device is opened
        TapLink tap = TapLink.open(name, mode, mtu, TapLink.RANDOM_MAC, TapOptions.offloads(offload));
        Link link = ImpairOptions.wrap(tap, Clock.SYSTEM, impairment);
        ImpairedLink impaired = link instanceof ImpairedLink i ? i : null;
        if (pcap != null) {
            link = PcapLink.open(link, pcap, Clock.SYSTEM);
        }
        Stack.Builder b = Stack.builder(link).name(name).ipv4(ip).tcp(new TcpConfig().congestionControl(cc));
        if (gateway != null) {
            b.gateway(gateway);
        }
        CountDownLatch stop = new CountDownLatch(1);
        try (Stack stack = b.build().start(); Services services = Services.start(stack)) {
            Thread hook = new Thread(stop::countDown);
            Runtime.getRuntime().addShutdownHook(hook);
            System.out.printf("serving on %s %s (%s): echo 7, discard 9, http 80; tcp congestion control %s%s%s%n",
                    mode, name, stack.ipv4(), cc, offload ? "; offloads on" : "",
                    impairment.impairs() ? "; impaired: " + impairment : "");
            System.out.flush();
            if (duration > 0) {
                stop.await(duration, TimeUnit.SECONDS);
            } else {
                stop.await();
            }
            System.out.println("counters: " + stack.counters());
            if (offload) {
                System.out.println(OffloadReport.of(tap));
            }
            if (impaired != null) {
                System.out.println("impairment, sent: " + impaired.transmitCounters() + "; received: "
                        + impaired.receiveCounters());
            }
        }
        return 0;
    }
}
