/*
 * Ipv6PacketTest: the IPv6 fixed header (RFC 8200 section 3) against a hand-built UDP-over-IPv6 packet whose
 * checksum (RFC 8200 section 8.1 pseudo-header) is verified by independent arithmetic; round trips, check() paths
 * and a randomized robustness run.
 */
package io.ustack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Ipv6PacketTest extends BufferTest {
    /** 2001:db8::1 -> 2001:db8::2, traffic class 0xb8, flow 0x12345, UDP 1234 -> 5678 "hello". */
    static final String UDP6_PACKET = "6b812345 000d 11 40"
            + "20010db8000000000000000000000001 20010db8000000000000000000000002"
            + "04d2 162e 000d 458d 68656c6c6f";
    static final long NET = 0x2001_0db8_0000_0000L;

    @Test
    void fixtureChecksumByIndependentArithmetic() {
        byte[] p = bytes(UDP6_PACKET);
        byte[] pseudo = new byte[40];
        System.arraycopy(p, 8, pseudo, 0, 32); // source and destination
        pseudo[35] = 13; // upper-layer length (32 bits)
        pseudo[39] = 17; // zero x3, next header
        assertThat(naiveChecksum(pseudo, Arrays.copyOfRange(p, 40, 53))).isZero();
    }

    @Test
    void parsesFixture() {
        ByteBuf b = hex(UDP6_PACKET);
        Ipv6Packet ip = new Ipv6Packet().wrap(b, 0, 53);
        assertThat(ip.check()).isEqualTo(DropReason.NONE);
        assertThat(ip.version()).isEqualTo(6);
        assertThat(ip.trafficClass()).isEqualTo(0xb8);
        assertThat(ip.flowLabel()).isEqualTo(0x12345);
        assertThat(ip.payloadLength()).isEqualTo(13);
        assertThat(ip.nextHeader()).isEqualTo(Ipv6Packet.NEXT_HEADER_UDP);
        assertThat(ip.hopLimit()).isEqualTo(64);
        assertThat(ip.sourceHigh()).isEqualTo(NET);
        assertThat(ip.sourceLow()).isEqualTo(1);
        long[] addr = new long[4];
        ip.source(addr, 0);
        ip.destination(addr, 2);
        assertThat(addr).containsExactly(NET, 1, NET, 2);
        assertThat(ip.payloadOffset()).isEqualTo(40);

        Ipv6Repr r = Ipv6Repr.parse(ip);
        assertThat(r).isEqualTo(new Ipv6Repr(0xb8, 0x12345, 13, 17, 64, NET, 1, NET, 2));
        // The UDP checksum verifies with the IPv6 pseudo-header sum from Checksum.
        assertThat(Checksum.finish(Checksum.sum(b, 40, 13, r.pseudoHeaderSum()))).isZero();
        assertThat(new UdpDatagram().wrap(b, 40, 13).payloadLength()).isEqualTo(5);
    }

    @Test
    void emitReproducesFixtureHeader() {
        ByteBuf b = zeros(41);
        new Ipv6Repr(0xb8, 0x12345, 13, 17, 64, NET, 1, NET, 2).emit(b, 1);
        assertThat(copy(b, 1, 40)).isEqualTo(Arrays.copyOf(bytes(UDP6_PACKET), 40));
        assertThat(b.getByte(0)).isZero();
    }

    @Test
    void dropReasons() {
        Ipv6Packet ip = new Ipv6Packet();
        ByteBuf b = hex(UDP6_PACKET);
        assertThat(ip.wrap(b, 0, 39).check()).isEqualTo(DropReason.TRUNCATED);
        assertThat(ip.wrap(b, 0, 52).check()).isEqualTo(DropReason.BAD_LENGTH);
        assertThat(ip.wrap(b, 0, 40).check()).isEqualTo(DropReason.BAD_LENGTH);
        ByteBuf v4 = hex(UDP6_PACKET);
        v4.setByte(0, 0x4b);
        assertThat(ip.wrap(v4, 0, 53).check()).isEqualTo(DropReason.BAD_VERSION);
        ByteBuf padded = zeros(60);
        padded.setBytes(0, bytes(UDP6_PACKET));
        assertThat(ip.wrap(padded, 0, 60).check()).isEqualTo(DropReason.NONE);
    }

    @Test
    void robustness() {
        Ipv6Packet ip = new Ipv6Packet();
        SplittableRandom rnd = new SplittableRandom(6);
        ByteBuf buf = track(Unpooled.buffer(64, 64));
        byte[] seed = bytes(UDP6_PACKET);
        byte[] data = new byte[64];
        int ok = 0;
        for (int round = 0; round < 100_000; round++) {
            int len = rnd.nextInt(65);
            rnd.nextBytes(data);
            if (rnd.nextBoolean()) {
                System.arraycopy(seed, 0, data, 0, Math.min(len, seed.length));
                data[rnd.nextInt(64)] = (byte) rnd.nextInt(256);
            }
            buf.setBytes(64 - len, data, 0, len);
            if (ip.wrap(buf, 64 - len, len).check() == DropReason.NONE) {
                ok++;
                Ipv6Repr r = Ipv6Repr.parse(ip);
                assertThat(ip.payloadOffset() + r.payloadLength()).isLessThanOrEqualTo(64);
                assertThat(r.flowLabel()).isBetween(0, 0xf_ffff);
            }
        }
        assertThat(ok).isGreaterThan(5_000);
    }
}
