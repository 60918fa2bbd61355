package io.ustack.app;

import io.ustack.api.TcpSocket;
import io.ustack.link.InMemoryLink;
import io.ustack.api.Stack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP service and client over two threaded stacks (the way the demo and `serve` run them). */
class HttpServiceTest {
    final InMemoryLink[] pair = links();
    final Stack server = Stack.builder(pair[0]).name("s").ipv4("10.0.0.1/24").build().start();
    final Stack client = Stack.builder(pair[1]).name("c").ipv4("10.0.0.2/24").build().start();
    final Services services = Services.start(server);
    final InetSocketAddress http = new InetSocketAddress("10.0.0.1", Services.HTTP);

    /** The link between the stacks (a subclass runs the same tests over another). */
    InMemoryLink[] links() {
        return InMemoryLink.pair(1500);
    }

    @AfterEach
    void close() {
        services.close();
        client.close();
        server.close();
    }

    @Test
    void bytesEndpointServesThePatternWithItsDigest() throws Exception {
        HttpFetch.Result r = HttpFetch.get(client, http, "/bytes/3000001");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyBytes()).isEqualTo(3_000_001);
        assertThat(r.sha256()).isEqualTo(PatternBytes.sha256(3_000_001));
    }

    @Test
    void rootPageAndErrors() throws Exception {
        assertThat(HttpFetch.get(client, http, "/").status()).isEqualTo(200);
        assertThat(HttpFetch.get(client, http, "/nope").status()).isEqualTo(404);
        assertThat(HttpFetch.get(client, http, "/bytes/xyz").status()).isEqualTo(400);
    }

    @Test
    void persistentConnectionServesTwoRequestsAndHeadHasNoBody() {
        TcpSocket s = client.connect(http).join();
        String req = "HEAD /bytes/5 HTTP/1.1\r\nHost: x\r\n\r\nGET /bytes/5 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        s.write(ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII))).join();
        ByteBuffer in = ByteBuffer.allocate(4096);
        while (s.read(in).join() >= 0) {
            // until the server closes
        }
        String text = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
        assertThat(text.split("HTTP/1.1 200 OK", -1)).hasSize(3);
        assertThat(text).contains("Content-Length: 5").endsWith("\r\n\r\n" + new String(patternPrefix(5),
                StandardCharsets.ISO_8859_1));
        s.close();
    }

    @Test
    void patternFillMatchesAtAcrossThePeriod() {
        ByteBuffer b = ByteBuffer.allocate(PatternBytes.PERIOD + 100);
        PatternBytes.fill(b, 123);
        for (int i = 0; i < b.capacity(); i++) {
            assertThat(b.get(i)).isEqualTo(PatternBytes.at(123 + i));
        }
    }

    private static byte[] patternPrefix(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = PatternBytes.at(i);
        }
        return b;
    }
}
