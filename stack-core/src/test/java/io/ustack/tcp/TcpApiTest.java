package io.ustack.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.ustack.tcp.TcpTestNet.B_IP;
import static org.assertj.core.api.Assertions.assertThat;

/** The engine-thread API as a socket layer uses it: calls from inside callbacks, calls before the handshake. */
class TcpApiTest {
    /** Echoes everything back; closes (from inside the callback) when the peer's FIN arrives. */
    static final class EchoServer implements TcpHandler, TcpListenHandler {
        private final ByteBuf buf = Unpooled.buffer(64 * 1024);
        int closedWith = -1;

        @Override
        public void onAcceptable(TcpListener l) {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                c.handler(this);
                onReadable(c);
            }
        }

        @Override
        public void onReadable(TcpConnection c) {
            while (c.available() > 0 && c.sendSpace() > 0) {
                buf.clear();
                c.read(buf, Math.min(buf.capacity(), c.sendSpace()));
                c.write(buf, buf.readableBytes());
            }
            if (c.isInputShutdown() && c.state() == TcpState.CLOSE_WAIT) {
                c.close();
            }
        }

        @Override
        public void onWritable(TcpConnection c) {
            onReadable(c);
        }

        @Override
        public void onClosed(TcpConnection c, int wsaError) {
            closedWith = wsaError;
        }
    }

    @Test
    void echoServerClosingFromItsCallback() {
        try (TcpTestNet net = new TcpTestNet()) {
            EchoServer echo = new EchoServer();
            net.b.layer.listen(0, 7, 8, echo);
            Peer client = new Peer();
            client.attach(net.a.layer.connect(0, 0, B_IP, 7, client, net.now()));
            client.send(2_000_000, 42).shutdownWhenSent();
            assertThat(net.runUntil(() -> client.eof, Duration.ofSeconds(60))).isTrue();
            assertThat(client.receivedPattern(2_000_000, 42)).isTrue();
            assertThat(net.runUntil(() -> echo.closedWith >= 0 && client.closedWith >= 0, Duration.ofSeconds(10)))
                    .isTrue();
            assertThat(echo.closedWith).isZero();
            assertThat(client.closedWith).isZero();
            client.conn.close();
            assertThat(net.runUntilQuiet(Duration.ofSeconds(10))).isTrue();
            client.release();
            echo.buf.release();
        }
    }

    /** Data written and output shut down while still in SYN-SENT go out once the handshake completes. */
    @Test
    void writeAndShutdownBeforeTheHandshakeCompletes() {
        try (TcpTestNet net = new TcpTestNet()) {
            TcpHandshakeTest.Acceptor acc = new TcpHandshakeTest.Acceptor();
            net.b.layer.listen(0, 80, 4, acc);
            Peer client = new Peer();
            TcpConnection c = net.a.layer.connect(0, 0, B_IP, 80, client, net.now());
            client.conn = c;
            c.handler(client);
            ByteBuf data = Unpooled.buffer(3000);
            for (int i = 0; i < 3000; i++) {
                data.writeByte(Peer.pattern(8, i));
            }
            assertThat(c.write(data, 3000)).isEqualTo(3000);
            c.shutdownOutput();
            assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
            assertThat(net.runUntil(() -> !acc.peers.isEmpty() && acc.peers.get(0).eof, Duration.ofSeconds(5)))
                    .isTrue();
            assertThat(acc.peers.get(0).receivedPattern(3000, 8)).isTrue();
            assertThat(net.runUntil(() -> c.state() == TcpState.FIN_WAIT_2, Duration.ofSeconds(1))).isTrue();
            acc.peers.get(0).conn.close();
            assertThat(net.runUntilQuiet(Duration.ofSeconds(10))).isTrue();
            assertThat(client.closedWith).isZero();
            data.release();
            client.release();
            acc.peers.forEach(Peer::release);
        }
    }

    @Test
    void noEventsAfterCloseExceptClosed() {
        try (TcpTestNet net = new TcpTestNet()) {
            Peer[] p = TcpDataTransferTest.connect(net);
            p[0].conn.close();
            assertThat(net.runUntil(() -> p[1].eof, Duration.ofSeconds(1))).isTrue();
            p[1].conn.close();
            assertThat(net.runUntilQuiet(Duration.ofSeconds(10))).isTrue();
            assertThat(p[0].events).containsExactly("connected", "closed 0");
            assertThat(p[1].events).containsExactly("eof", "closed 0");
            p[0].release();
            p[1].release();
        }
    }
}
