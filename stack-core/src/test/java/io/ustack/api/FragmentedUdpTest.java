/*
 * FragmentedUdpTest: two stacks on the in-memory link exchange UDP datagrams larger than the 1500-byte MTU, so every
 * one is fragmented by the sender (RFC 791 3.2, RFC 1122 3.3.3) and reassembled by the receiver (RFC 1122 3.3.2):
 * an 8000-byte datagram each way, datagrams on a path that reorders and duplicates frames, and on one that loses
 * them (the incomplete datagrams time out and the table empties).
 */
package io.ustack.api;

import io.ustack.engine.StackCounters;
import io.ustack.link.ImpairedLink;
import io.ustack.testing.StackPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class FragmentedUdpTest {
    static final InetSocketAddress SERVER_7 = new InetSocketAddress("10.0.0.1", 7);

    StackPair net;

    @AfterEach
    void close() {
        net.close();
    }

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static byte[] array(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return a;
    }

    /**
     * One small datagram first, so both stacks have resolved each other by ARP: a burst sent before resolution waits
     * in ARP's queue of 64 packets (fragments count one each), and what does not fit is dropped.
     */
    void warmUp(UdpSocket server, UdpSocket client) {
        CompletableFuture<Datagram> first = server.receive();
        for (int i = 0; i < 10 && !first.isDone(); i++) { // the lossy path may lose it
            net.await(client.sendTo(ByteBuffer.wrap(new byte[] {1}), SERVER_7));
            net.pumpUntil(first::isDone, 1_000_000L, 1_000_000_000L);
        }
        assertThat(net.await(first).data().get(0)).isEqualTo((byte) 1);
    }

    @Test
    void an8000ByteDatagramCrossesTheLinkEachWay() {
        net = new StackPair(1500);
        UdpSocket server = net.await(net.server.openUdp(7));
        UdpSocket client = net.await(net.client.openUdp(0));
        byte[] up = bytes(8000, 1);
        CompletableFuture<Datagram> atServer = server.receive();
        net.await(client.sendTo(ByteBuffer.wrap(up), SERVER_7));
        Datagram d = net.await(atServer);
        assertThat(array(d.data())).isEqualTo(up);
        assertThat(d.source()).isEqualTo(client.localAddress());

        byte[] down = bytes(8000, 2);
        CompletableFuture<Datagram> atClient = client.receive();
        net.await(server.sendTo(ByteBuffer.wrap(down), d.source()));
        assertThat(array(net.await(atClient).data())).isEqualTo(down);

        StackCounters c = net.client.counters();
        StackCounters s = net.server.counters();
        // 8008 bytes of UDP in 1480-byte pieces: 6 fragments each way
        assertThat(c.ipFragOKs).isEqualTo(1);
        assertThat(c.ipFragCreates).isEqualTo(6);
        assertThat(s.ipReasmReqds).isEqualTo(6);
        assertThat(s.ipReasmOKs).isEqualTo(1);
        assertThat(s.ipFragCreates).isEqualTo(6);
        assertThat(c.ipReasmOKs).isEqualTo(1);
        assertThat(c.ipReasmFails + s.ipReasmFails).isZero();
        assertThat(c.dropSnapshot()).isEmpty();
        assertThat(s.dropSnapshot()).isEmpty();
    }

    @Test
    void reorderedAndDuplicatedFragmentsStillMakeEveryDatagram() {
        net = new StackPair(1500, (link, clock) ->
                ImpairedLink.of(link, clock, "reorder=30,duplicate=10,delay=1ms,seed=11"));
        UdpSocket server = net.await(net.server.openUdp(7));
        UdpSocket client = net.await(net.client.openUdp(0));
        warmUp(server, client);
        List<byte[]> sent = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 20; i++) {
            byte[] b = bytes(random.nextInt(1473, 20_000), i);
            sent.add(b);
            net.await(client.sendTo(ByteBuffer.wrap(b), SERVER_7));
        }
        List<byte[]> got = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            got.add(array(net.await(server.receive()).data()));
        }
        // UDP may reorder whole datagrams; each must arrive whole and exactly once
        assertThat(got).usingElementComparator(java.util.Arrays::compare).containsExactlyInAnyOrderElementsOf(sent);
        StackCounters s = net.server.counters();
        assertThat(s.ipReasmOKs).isEqualTo(20);
        assertThat(s.drops(io.ustack.wire.DropReason.FRAGMENT_DUPLICATE)).as("duplicated fragments were ignored")
                .isPositive();
    }

    @Test
    void lostFragmentsLeaveIncompleteDatagramsThatTimeOutAndEmptyTheTable() {
        net = new StackPair(1500, (link, clock) -> ImpairedLink.of(link, clock, "loss=15,seed=21"));
        UdpSocket server = net.await(net.server.openUdp(7));
        UdpSocket client = net.await(net.client.openUdp(0));
        warmUp(server, client);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            byte[] b = bytes(6000, 100 + i);
            sent.add(b);
            net.await(client.sendTo(ByteBuffer.wrap(b), SERVER_7));
        }
        net.pump();
        int held = net.await(net.server.call(iface -> iface.ipv4().reassemblingDatagrams()));
        assertThat(held).as("some datagrams lost a fragment").isPositive();
        StackCounters s = net.server.counters();
        int reassembled = (int) s.ipReasmOKs;
        assertThat(reassembled).isPositive().isLessThanOrEqualTo(30 - held);
        for (int i = 0; i < reassembled; i++) {
            byte[] g = array(net.await(server.receive()).data());
            assertThat(sent).as("a datagram that arrived is one that was sent, intact")
                    .anySatisfy(b -> assertThat(b).isEqualTo(g));
        }
        net.pumpUntil(() -> false, 1_000_000_000L, 31_000_000_000L); // past the 30 s reassembly timeout
        int after = net.await(net.server.call(iface -> iface.ipv4().reassemblingDatagrams()));
        long bytes = net.await(net.server.call(iface -> iface.ipv4().reassemblyBufferedBytes()));
        assertThat(after).isZero();
        assertThat(bytes).isZero();
        assertThat(s.ipReasmTimeout).isEqualTo(held);
        assertThat(s.ipReasmFails).isEqualTo(held);
    }
}
