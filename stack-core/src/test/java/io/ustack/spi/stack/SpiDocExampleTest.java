/*
 * SpiDocExampleTest: the example of docs/spi.md, run against started stacks (with a listener on the other stack),
 * so the documented code compiles and does what the text says.
 */
package io.ustack.spi.stack;

import io.ustack.api.Stack;
import io.ustack.api.TcpServerSocket;
import io.ustack.api.TcpSocket;
import io.ustack.link.InMemoryLink;
import io.ustack.spi.BaseProvider;
import io.ustack.spi.BufferBudget;
import io.ustack.spi.ErrnoRef;
import io.ustack.spi.IntRef;
import io.ustack.spi.Overlapped;
import io.ustack.spi.ProtocolCatalog;
import io.ustack.spi.SockAddr;
import io.ustack.spi.Winsock;
import io.ustack.spi.WsaException;
import io.ustack.spi.WspData;
import io.ustack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class SpiDocExampleTest {
    @Test
    void theDocumentedExampleWorks() throws Exception {
        InMemoryLink[] wire = InMemoryLink.pair(1500);
        try (Stack a = Stack.builder(wire[0]).ipv4("10.0.0.1/24").build().start();
             Stack b = Stack.builder(wire[1]).ipv4("10.0.0.2/24").build().start()) {
            TcpServerSocket listener = b.listen(7, 8).join();
            CompletableFuture<TcpSocket> accepted = listener.accept();

            ProtocolCatalog catalog = new ProtocolCatalog();
            BaseProvider p = new BaseProvider(catalog, new StackBackend(a, new BufferBudget(64L << 20)), 1024);
            ErrnoRef errno = new ErrnoRef();
            p.wspStartup(Winsock.WINSOCK_VERSION_2_2, new WspData(), catalog.baseEntries().getFirst());

            int s = p.wspSocket(Winsock.AF_INET, Winsock.SOCK_STREAM, 0, null, 0, Winsock.WSA_FLAG_OVERLAPPED, errno);
            if (p.wspConnect(s, SockAddr.inet4(Ipv4Address.parse("10.0.0.2"), 7), 16, errno) != 0) {
                throw new WsaException(errno.get(), "connect");
            }
            IntRef sent = new IntRef();
            p.wspSend(s, new ByteBuffer[] {ByteBuffer.wrap("hello".getBytes())}, 1, sent, 0, null, errno);
            assertThat(sent.get()).isEqualTo(5);

            Overlapped ov = new Overlapped();
            ByteBuffer in = ByteBuffer.allocate(64);
            int r = p.wspRecv(s, new ByteBuffer[] {in}, 1, null, new IntRef(0), ov, errno);
            assertThat(r == 0 || errno.get() == io.ustack.spi.WsaError.WSA_IO_PENDING).isTrue();

            TcpSocket peer = accepted.get(10, TimeUnit.SECONDS);
            ByteBuffer hello = ByteBuffer.allocate(16);
            assertThat(peer.read(hello).get(10, TimeUnit.SECONDS)).isEqualTo(5);
            hello.flip();
            peer.write(hello).get(10, TimeUnit.SECONDS);
            assertThat(ov.future().get(10, TimeUnit.SECONDS)).isEqualTo(5);
            assertThat(new String(in.array(), 0, 5)).isEqualTo("hello");
            p.wspCloseSocket(s, errno);
        }
    }
}
