/*
 * StackPeer: the fixture of the end-to-end tests: a KernelPeer, our Stack on its TAP (optionally through a PcapLink
 * that records every frame), and the stack's Services (echo 7, discard 9, HTTP 80). close() takes down all three,
 * in reverse order, also after a start that failed half-way, and never hides the first failure.
 * With -Dustack.it.pcap=true every fixture records to target/pcap/NAMESPACE.pcap (to look into a flaky transfer).
 * Optionally the stack's side of the TAP is a bad network (an ImpairedLink between the TAP and the stack; a capture
 * then records what the stack sends and what reaches it, i.e. the stack's side of the impairment), and the stack's
 * TCP has its own TcpConfig.
 */
package io.ustack.it;

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
import io.ustack.tap.netns.KernelPeer;
import io.ustack.tcp.TcpConfig;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/** Kernel in a namespace on one side of a TAP, our stack with its services on the other. */
final class StackPeer implements AutoCloseable {
    private final KernelPeer peer;
    private PcapLink pcap;
    private ImpairedLink impaired;
    private Stack stack;
    private Services services;

    private StackPeer(KernelPeer peer) {
        this.peer = peer;
    }

    /** A started stack with services on a new KernelPeer (no capture unless -Dustack.it.pcap=true). */
    static StackPeer start() throws Exception {
        return start(null);
    }

    /** As {@link #start()}, recording every frame to {@code pcapFile} when it is not null. */
    static StackPeer start(Path pcapFile) throws Exception {
        return start(pcapFile, DeviceMode.TAP);
    }

    /** As {@link #start(Path)} on a TAP (Ethernet) or a TUN (bare IP) device. */
    static StackPeer start(Path pcapFile, DeviceMode mode) throws Exception {
        return start(pcapFile, mode, Impairment.NONE, new TcpConfig());
    }

    /** A stack behind an ImpairedLink applying {@code impairment}, with {@code tcp}; {@code pcapFile} may be null. */
    static StackPeer start(Impairment impairment, TcpConfig tcp, Path pcapFile) throws Exception {
        return start(pcapFile, DeviceMode.TAP, impairment, tcp);
    }

    /**
     * The general form: {@code impairment} NONE means no ImpairedLink at all; the capture, if any, sits between the
     * stack and the impairment.
     */
    static StackPeer start(Path pcapFile, DeviceMode mode, Impairment impairment, TcpConfig tcp) throws Exception {
        return start(pcapFile, mode, impairment, tcp, TapOptions.PLAIN);
    }

    /** As the general form, the TAP opened with {@code options} (e.g. offloads). */
    static StackPeer start(Path pcapFile, DeviceMode mode, Impairment impairment, TcpConfig tcp, TapOptions options)
            throws Exception {
        StackPeer s = new StackPeer(KernelPeer.create(TapLink.DEFAULT_MTU, mode, options));
        boolean done = false;
        try {
            Link link = s.peer.link();
            if (impairment.impairs()) {
                s.impaired = new ImpairedLink(link, Clock.SYSTEM, impairment);
                link = s.impaired;
                if (mode == DeviceMode.TAP) {
                    // the kernel's ARP for us would be impaired too: three lost requests fail its connect() with
                    // EHOSTUNREACH. Our own ARP for the kernel stays impaired (our TCP retries through it).
                    s.peer.pinNeighbour(s.peer.stackAddress(), s.peer.link().macAddress());
                }
            }
            if (pcapFile == null && Boolean.getBoolean("ustack.it.pcap")) {
                pcapFile = KernelTools.artifactDirectory("pcap").resolve(s.peer.namespace() + ".pcap");
                System.out.println("recording " + s.peer + " to " + pcapFile.toAbsolutePath());
            }
            if (pcapFile != null) {
                s.pcap = PcapLink.open(link, pcapFile, Clock.SYSTEM);
                link = s.pcap;
            }
            s.stack = Stack.builder(link).name(s.peer.deviceName())
                    .ipv4(s.peer.stackAddress() + "/" + s.peer.prefixLength()).tcp(tcp).build().start();
            s.services = Services.start(s.stack);
            done = true;
            return s;
        } finally {
            if (!done) {
                s.close();
            }
        }
    }

    KernelPeer peer() {
        return peer;
    }

    Stack stack() {
        return stack;
    }

    /** The capture, or null when none was asked for. */
    PcapLink pcap() {
        return pcap;
    }

    /** The impairment decorator, or null when the link is not impaired. */
    ImpairedLink impaired() {
        return impaired;
    }

    String stackAddress() {
        return peer.stackAddress();
    }

    /** "http://STACK" + path. */
    String url(String path) {
        return "http://" + peer.stackAddress() + path;
    }

    /** The kernel's address and {@code port}, for our stack to connect to. */
    InetSocketAddress kernel(int port) {
        return new InetSocketAddress(peer.kernelAddress(), port);
    }

    /**
     * Stops the services and the stack (which closes the link, so a capture is written out), then removes the
     * namespace and the TAP. Idempotent.
     */
    @Override
    public void close() {
        try {
            if (services != null) {
                services.close();
            }
        } finally {
            try {
                if (stack != null) {
                    stack.close();
                } else if (pcap != null) {
                    pcap.close();
                } else if (impaired != null) {
                    impaired.close();
                }
            } finally {
                services = null;
                stack = null;
                peer.close();
            }
        }
    }

    @Override
    public String toString() {
        return "StackPeer[" + peer + (pcap != null ? " recorded" : "") + "]";
    }
}
