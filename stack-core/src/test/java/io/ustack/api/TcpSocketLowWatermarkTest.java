/*
 * TcpSocketLowWatermarkTest: SO_RCVLOWAT on the Java API's TcpSocket (as Linux has it for TCP): a read waits for the
 * mark, is capped by its buffer's room and half the receive buffer, completes with what there is at the end of the
 * stream, and a lower mark releases a waiting read. Two stacks on the in-memory link, manual clock.
 */
package io.ustack.api;

import io.ustack.testing.StackPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TcpSocketLowWatermarkTest {
    final StackPair net = new StackPair(1500);
    final InetSocketAddress server7 = new InetSocketAddress("10.0.0.1", 7);
    TcpSocket client;
    TcpSocket server;

    @AfterEach
    void close() {
        net.close();
    }

    private void connect() {
        TcpServerSocket listener = net.await(net.server.listen(7, 16));
        CompletableFuture<TcpSocket> accepted = listener.accept();
        client = net.await(net.client.connect(server7));
        server = net.await(accepted);
    }

    /** The client writes {@code n} bytes, and 50 simulated ms pass (1 ms RTT: they have arrived). */
    private void send(int n) {
        net.await(client.write(ByteBuffer.allocate(n)));
        net.pumpUntil(() -> false, 1_000_000, 50_000_000);
    }

    /** Connected, a mark of 100, a read of up to 1000 posted, 10 bytes arrived: the read waits. */
    private CompletableFuture<Integer> readWaitingBelowAMarkOf100() {
        connect();
        server.receiveLowWatermark(100);
        CompletableFuture<Integer> read = server.read(ByteBuffer.allocate(1000));
        send(10);
        assertThat(server.connection().available()).isEqualTo(10); // there, but below the mark
        assertThat(read).isNotDone();
        return read;
    }

    @Test
    void aReadWaitsForTheMark() {
        CompletableFuture<Integer> read = readWaitingBelowAMarkOf100();
        send(95);
        assertThat(net.await(read)).isEqualTo(105);
    }

    @Test
    void theMarkIsCappedByTheRoomInTheBuffer() {
        connect();
        server.receiveLowWatermark(100);
        CompletableFuture<Integer> read = server.read(ByteBuffer.allocate(20));
        send(30);
        assertThat(net.await(read)).isEqualTo(20);
    }

    @Test
    void atTheEndOfTheStreamAReadGetsWhatThereIs() {
        CompletableFuture<Integer> read = readWaitingBelowAMarkOf100();
        net.await(client.shutdownOutput());
        assertThat(net.await(read)).isEqualTo(10);
        assertThat(net.await(server.read(ByteBuffer.allocate(1000)))).isEqualTo(-1);
    }

    @Test
    void aLowerMarkReleasesAWaitingRead() {
        CompletableFuture<Integer> read = readWaitingBelowAMarkOf100();
        server.receiveLowWatermark(1);
        assertThat(net.await(read)).isEqualTo(10);
        assertThat(server.receiveLowWatermark()).isEqualTo(1);
    }

    @Test
    void aMarkBelowOneIsRefusedAndTheOldOneKept() {
        connect();
        server.receiveLowWatermark(64);
        assertThatThrownBy(() -> server.receiveLowWatermark(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("below 1");
        assertThat(server.receiveLowWatermark()).isEqualTo(64);
    }
}
