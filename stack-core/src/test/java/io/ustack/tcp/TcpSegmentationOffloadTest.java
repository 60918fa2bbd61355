/*
 * TcpSegmentationOffloadTest: TCP segmentation offload on transmit (SegmentWriter's super-segments, cut by the
 * "device" of TcpTestNet with TcpSegmentation) changes how segments are packaged, never which segments TCP sends:
 * the same transfer, clean or lossy, puts exactly the same segments on the wire with it on and off; and the
 * writer's merge rules (one burst, same connection and header, full pieces, at most 64 KiB) hold.
 */
package io.ustack.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.ustack.engine.StackCounters;
import io.ustack.testing.RecordingOutput;
import io.ustack.wire.TcpOptions;
import io.ustack.wire.TcpSegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;

import static io.ustack.tcp.TcpDataTransferTest.closeBoth;
import static io.ustack.tcp.TcpDataTransferTest.connect;
import static org.assertj.core.api.Assertions.assertThat;

class TcpSegmentationOffloadTest {
    private static final int SIZE = 4 << 20;

    /** What one run put on the wire, and how the sender packaged it. */
    private record Run(List<String> wire, long superSegments, long pieces, long counted) {
    }

    private static Run transfer(boolean offload, double loss, CongestionAlgorithm cc) {
        TcpConfig cfg = TcpTestNet.testConfig().congestionControl(cc);
        try (TcpTestNet net = new TcpTestNet(cfg, new TcpConfig(cfg))) {
            net.a.segmentationOffload = offload;
            net.latencyNanos = 2_000_000;
            net.rateBytesPerSecond = 50_000_000;
            Peer[] p = connect(net);
            if (loss > 0) {
                net.randomLoss(loss, 42);
            }
            p[0].send(SIZE, 3);
            assertThat(net.runUntil(() -> p[1].received.size() == SIZE, Duration.ofSeconds(120))).isTrue();
            assertThat(p[1].receivedPattern(SIZE, 3)).isTrue();
            net.filter = s -> TcpTestNet.Fate.DELIVER;
            closeBoth(net, p);
            List<String> wire = net.log.stream().map(String::valueOf).toList();
            return new Run(wire, net.a.superSegments, net.a.superPieces, net.a.counters.tcpSuperSegmentsOut);
        }
    }

    @ParameterizedTest
    @EnumSource(value = CongestionAlgorithm.class, names = {"CUBIC", "BBR"})
    void aCleanTransferSendsTheSameSegmentsWithAndWithoutOffload(CongestionAlgorithm cc) {
        Run on = transfer(true, 0, cc);
        Run off = transfer(false, 0, cc);
        System.out.printf("%s, 4 MiB: %d super-segments carried %d of %d segments%n", cc, on.superSegments(),
                on.pieces(), on.wire().size());
        assertThat(on.superSegments()).isPositive().isEqualTo(on.counted());
        assertThat(on.pieces()).isGreaterThan(2 * on.superSegments()).isGreaterThan(on.wire().size() / 2);
        assertThat(off.superSegments()).isZero();
        assertThat(on.wire()).isEqualTo(off.wire());
    }

    @Test
    void aLossyTransferSendsTheSameSegmentsWithAndWithoutOffload() {
        Run on = transfer(true, 0.03, CongestionAlgorithm.CUBIC);
        Run off = transfer(false, 0.03, CongestionAlgorithm.CUBIC);
        assertThat(on.superSegments()).isPositive();
        assertThat(on.wire()).isEqualTo(off.wire());
    }

    // ------------------------------------------------------------------ the writer's merge rules

    private static final int MSS = 1000;
    private final RecordingOutput out = new RecordingOutput(true);
    private final SegmentWriter writer = new SegmentWriter(out, new StackCounters());
    private final SendBuffer data = new SendBuffer(Unpooled.buffer(0).alloc(), 256 * 1024);
    private final TcpOptions ts = new TcpOptions().timestamps(5, 6);

    @BeforeEach
    void fillTheSendBuffer() {
        ByteBuf fill = Unpooled.buffer(200_000).writeZero(200_000);
        data.write(fill, 200_000);
        fill.release();
    }

    @AfterEach
    void release() {
        data.release();
        out.close();
    }

    /** A recorded segment as length/gso size (0: an ordinary segment)@sequence number. */
    private static String described(RecordingOutput.Sent s) {
        return s.buf().readableBytes() + "/" + s.gsoSize() + "@" + s.buf().getInt(s.buf().readerIndex() + 4);
    }

    private void data(int seq, int len, int window, int port) {
        writer.send(1, port, 2, 80, seq, 7, TcpSegment.ACK, window, ts, data, seq, len, 0);
    }

    @Test
    void mergesOnlyWithinABurstAndOnlyWhatDiffersInTheSequenceNumber() {
        data(0, MSS, 100, 1000); // outside a burst: alone
        writer.beginBurst();
        data(MSS, MSS, 100, 1000);
        data(2 * MSS, MSS, 100, 1000);
        data(3 * MSS, MSS, 100, 1000);
        data(4 * MSS, MSS, 101, 1000); // another window: a new super-segment
        data(5 * MSS, 500, 101, 1000); // a short last piece joins
        data(5 * MSS + 500, MSS, 101, 1000); // but nothing after a short piece
        data(6 * MSS + 500, MSS, 101, 1001); // another connection
        data(9 * MSS, MSS, 101, 1001); // not the next sequence number
        writer.endBurst();
        int hl = 32;
        assertThat(out.sent).extracting(TcpSegmentationOffloadTest::described).containsExactly(
                (hl + MSS) + "/0@0",
                (hl + 3 * MSS) + "/" + MSS + "@" + MSS,
                (hl + MSS + 500) + "/" + MSS + "@" + 4 * MSS,
                (hl + MSS) + "/0@" + (5 * MSS + 500),
                (hl + MSS) + "/0@" + (6 * MSS + 500),
                (hl + MSS) + "/0@" + 9 * MSS);
    }

    @Test
    void aSuperSegmentStopsShortOf64KiB() {
        writer.beginBurst();
        for (int i = 0; i < 100; i++) {
            data(i * 1448, 1448, 100, 1000);
        }
        writer.endBurst();
        int perSuper = (SegmentWriter.MAX_SUPER_SEGMENT - 32) / 1448; // 45 pieces of 1448 bytes
        assertThat(out.sent).extracting(s -> s.buf().readableBytes()).containsExactly(32 + perSuper * 1448,
                32 + perSuper * 1448, 32 + (100 - 2 * perSuper) * 1448);
        assertThat(out.sent).allSatisfy(s -> assertThat(s.buf().readableBytes() + 20).isLessThanOrEqualTo(65535));
    }
}
