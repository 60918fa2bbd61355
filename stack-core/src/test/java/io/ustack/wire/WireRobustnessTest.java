/*
 * WireRobustnessTest: 100k random and mutated buffers per view. check() must never throw, and when it returns NONE
 * every accessor must work and stay inside the viewed bytes. The view is placed at the very end of an exactly sized
 * buffer, so any read past the view's length throws. Mutated fixtures get their checksum refilled half of the time,
 * so the paths behind the checksum are reached too.
 */
package io.ustack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WireRobustnessTest extends BufferTest {
    private static final int ROUNDS = 100_000;
    private static final int CAPACITY = 128;
    private static final int A = 0x0a00_0001;
    private static final int B = 0x0a00_0002;

    /** One view under test: fix the checksum of a mutated seed, then check and read everything. */
    private interface Subject {
        void fixChecksum(ByteBuf buf, int off, int len);

        /** Returns true if check() accepted, after exercising every accessor. */
        boolean checkAndRead(ByteBuf buf, int off, int len);
    }

    private int fuzz(long seed, byte[][] seeds, Subject s) {
        SplittableRandom rnd = new SplittableRandom(seed);
        ByteBuf buf = track(Unpooled.buffer(CAPACITY, CAPACITY));
        byte[] data = new byte[CAPACITY];
        int accepted = 0;
        for (int round = 0; round < ROUNDS; round++) {
            int len;
            if (rnd.nextInt(4) == 0) {
                len = rnd.nextInt(CAPACITY + 1);
                rnd.nextBytes(data);
            } else {
                byte[] base = seeds[rnd.nextInt(seeds.length)];
                len = Math.min(CAPACITY, rnd.nextInt(4) == 0 ? rnd.nextInt(base.length + 9) : base.length);
                rnd.nextBytes(data);
                System.arraycopy(base, 0, data, 0, Math.min(len, base.length));
                int flips = rnd.nextInt(5);
                for (int f = 0; f < flips && len > 0; f++) {
                    data[rnd.nextInt(len)] = (byte) rnd.nextInt(256);
                }
            }
            int off = CAPACITY - len;
            buf.setBytes(off, data, 0, len);
            if (rnd.nextBoolean()) {
                s.fixChecksum(buf, off, len);
            }
            if (s.checkAndRead(buf, off, len)) {
                accepted++;
            }
        }
        return accepted;
    }

    private static void assertPayloadInside(int off, int len, int payloadOffset, int payloadLength) {
        assertThat(payloadLength).isGreaterThanOrEqualTo(0);
        assertThat(payloadOffset).isGreaterThanOrEqualTo(off);
        assertThat(payloadOffset + payloadLength).isLessThanOrEqualTo(off + len);
    }

    @Test
    void ethernetAndArp() {
        EthernetFrame eth = new EthernetFrame();
        ArpPacket arp = new ArpPacket();
        byte[][] seeds = {bytes(EthernetArpTest.ARP_REQUEST)};
        int ok = fuzz(1, seeds, new Subject() {
            public void fixChecksum(ByteBuf buf, int off, int len) {}

            public boolean checkAndRead(ByteBuf buf, int off, int len) {
                if (eth.wrap(buf, off, len).check() != DropReason.NONE) {
                    return false;
                }
                long sum = eth.destination() + eth.source() + eth.etherType();
                assertPayloadInside(off, len, eth.payloadOffset(), eth.payloadLength());
                if (arp.wrap(buf, eth.payloadOffset(), eth.payloadLength()).check() != DropReason.NONE) {
                    return true;
                }
                sum += arp.operation() + arp.senderHardware() + arp.senderProtocol() + arp.targetHardware()
                        + arp.targetProtocol() + arp.hardwareType() + arp.protocolType();
                assertThat(ArpRepr.parse(arp).toString()).isNotEmpty();
                return sum != 42;
            }
        });
        assertThat(ok).isGreaterThan(ROUNDS / 2);
    }

    @Test
    void ipv4AndIcmp() {
        Ipv4Packet ip = new Ipv4Packet();
        Icmpv4Packet icmp = new Icmpv4Packet();
        byte[] ping = bytes(Ipv4PacketTest.PING_FRAME);
        byte[][] seeds = {java.util.Arrays.copyOfRange(ping, 14, ping.length), bytes(IcmpUdpTest.UDP_PACKET)};
        int[] icmpOk = {0};
        int ok = fuzz(2, seeds, new Subject() {
            public void fixChecksum(ByteBuf buf, int off, int len) {
                if (len >= 20) {
                    int hl = (buf.getUnsignedByte(off) & 0xf) << 2;
                    if (hl >= 20 && hl <= len) {
                        Ipv4Packet.fillChecksum(buf, off, hl);
                        int total = buf.getUnsignedShort(off + 2);
                        if (total >= hl + 4 && total <= len) {
                            Icmpv4Packet.fillChecksum(buf, off + hl, total - hl);
                        }
                    }
                }
            }

            public boolean checkAndRead(ByteBuf buf, int off, int len) {
                if (ip.wrap(buf, off, len).check() != DropReason.NONE) {
                    return false;
                }
                long sum = ip.version() + ip.headerLength() + ip.dscp() + ip.ecn() + ip.totalLength()
                        + ip.identification() + (ip.dontFragment() ? 1 : 0) + (ip.moreFragments() ? 1 : 0)
                        + ip.fragmentOffset() + (ip.isFragment() ? 1 : 0) + ip.ttl() + ip.protocol()
                        + ip.headerChecksum() + ip.source() + ip.destination() + ip.optionsOffset()
                        + ip.optionsLength();
                assertThat(ip.version()).isEqualTo(4);
                assertThat(ip.optionsLength()).isBetween(0, 40);
                assertPayloadInside(off, len, ip.payloadOffset(), ip.payloadLength());
                assertThat(Ipv4Repr.parse(ip).toString()).isNotEmpty();
                if (icmp.wrap(buf, ip.payloadOffset(), ip.payloadLength()).check() == DropReason.NONE) {
                    sum += icmp.type() + icmp.code() + icmp.checksum() + icmp.restOfHeader() + icmp.identifier()
                            + icmp.sequence() + icmp.nextHopMtu();
                    assertPayloadInside(ip.payloadOffset(), ip.payloadLength(), icmp.payloadOffset(),
                            icmp.payloadLength());
                    assertThat(Icmpv4Repr.parse(icmp).payload()).hasSize(icmp.payloadLength());
                    icmpOk[0]++;
                }
                return sum != 42;
            }
        });
        assertThat(ok).isGreaterThan(ROUNDS / 4);
        assertThat(icmpOk[0]).isGreaterThan(ROUNDS / 20);
    }

    @Test
    void udp() {
        UdpDatagram udp = new UdpDatagram();
        byte[] p = bytes(IcmpUdpTest.UDP_PACKET);
        byte[][] seeds = {java.util.Arrays.copyOfRange(p, 20, p.length)};
        int ok = fuzz(3, seeds, new Subject() {
            public void fixChecksum(ByteBuf buf, int off, int len) {
                if (len >= 8) {
                    int l = buf.getUnsignedShort(off + 4);
                    if (l >= 8 && l <= len) {
                        UdpDatagram.fillChecksum(buf, off, l, A, B);
                    }
                }
            }

            public boolean checkAndRead(ByteBuf buf, int off, int len) {
                if (udp.wrap(buf, off, len).check(A, B) != DropReason.NONE) {
                    return false;
                }
                long sum = udp.sourcePort() + udp.destinationPort() + udp.length() + udp.checksum();
                assertPayloadInside(off, len, udp.payloadOffset(), udp.payloadLength());
                assertThat(UdpRepr.parse(udp).payload()).hasSize(udp.payloadLength());
                return sum != -1;
            }
        });
        assertThat(ok).isGreaterThan(ROUNDS / 4);
    }

    @Test
    void tcpAndOptions() {
        TcpSegment tcp = new TcpSegment();
        TcpOptions options = new TcpOptions();
        byte[] p = bytes(TcpSegmentTest.SYN_PACKET);
        byte[] sackAck = bytes("9c40 0050 01020304 05060708 b0 10 faf0 0000 0000"
                + "0101080a 00000001 00000002 01010522 00000001 00000002 00000003 00000004"
                + "00000005 00000006 00000007 00000008 6162");
        byte[][] seeds = {java.util.Arrays.copyOfRange(p, 20, p.length), sackAck};
        int[] optionsOk = {0};
        int ok = fuzz(4, seeds, new Subject() {
            public void fixChecksum(ByteBuf buf, int off, int len) {
                if (len >= 20) {
                    TcpSegment.fillChecksum(buf, off, len, A, B);
                }
            }

            public boolean checkAndRead(ByteBuf buf, int off, int len) {
                if (tcp.wrap(buf, off, len).check(A, B) != DropReason.NONE) {
                    return false;
                }
                long sum = tcp.sourcePort() + tcp.destinationPort() + tcp.sequenceNumber()
                        + tcp.acknowledgmentNumber() + tcp.headerLength() + tcp.flags() + tcp.window()
                        + tcp.checksum() + tcp.urgentPointer() + (tcp.hasFlag(TcpSegment.SYN) ? 1 : 0);
                assertThat(tcp.optionsLength()).isBetween(0, 40);
                assertThat(tcp.optionsOffset() + tcp.optionsLength()).isEqualTo(tcp.payloadOffset());
                assertPayloadInside(off, len, tcp.payloadOffset(), tcp.payloadLength());
                assertThat(tcp.segmentLength()).isBetween(tcp.payloadLength(), tcp.payloadLength() + 2);
                if (options.parse(buf, tcp.optionsOffset(), tcp.optionsLength()) == DropReason.NONE) {
                    sum += options.mss() + options.windowScale() + options.tsVal() + options.tsEcr();
                    for (int i = 0; i < options.sackBlockCount(); i++) {
                        sum += options.sackLeft(i) + options.sackRight(i);
                    }
                    assertThat(options.sackBlockCount()).isBetween(0, 4);
                    assertThat(TcpRepr.parse(tcp).payload()).hasSize(tcp.payloadLength());
                    optionsOk[0]++;
                }
                return sum != 42;
            }
        });
        assertThat(ok).isGreaterThan(ROUNDS / 4);
        assertThat(optionsOk[0]).isGreaterThan(ROUNDS / 10);
    }

    @Test
    void tcpOptionsAloneOnRandomAreas() {
        TcpOptions options = new TcpOptions();
        SplittableRandom rnd = new SplittableRandom(5);
        ByteBuf buf = track(Unpooled.buffer(40, 40));
        byte[] data = new byte[40];
        int ok = 0;
        for (int round = 0; round < ROUNDS; round++) {
            int len = rnd.nextInt(41);
            rnd.nextBytes(data);
            for (int i = 0; i < len; i++) { // bias towards known kinds and small lengths
                if (rnd.nextInt(3) == 0) {
                    data[i] = (byte) new int[] {0, 1, 2, 3, 4, 5, 8, 2, 4, 10, 34}[rnd.nextInt(11)];
                }
            }
            buf.setBytes(40 - len, data, 0, len);
            if (options.parse(buf, 40 - len, len) == DropReason.NONE) {
                ok++;
                long edges = 0;
                for (int i = 0; i < options.sackBlockCount(); i++) {
                    edges += options.sackLeft(i) + options.sackRight(i);
                }
                assertThat(options.sackBlockCount()).isBetween(0, 4);
                assertThat(edges == 0 || options.sackBlockCount() > 0).isTrue();
                assertThat(options.windowScale()).isBetween(-1, 255);
                assertThat(options.mss()).isBetween(-1, 65535);
            }
        }
        assertThat(ok).isGreaterThan(ROUNDS / 20);
    }
}
