/*
 * HttpFetch: a small HTTP/1.1 client over the stack's TcpSocket (RFC 9112), used by the demo and the tests to
 * download a body and digest it while it streams.
 */
package io.ustack.app;

import io.ustack.api.Stack;
import io.ustack.api.TcpSocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** One GET on a fresh connection; blocking. */
public final class HttpFetch {
    /** The outcome of a fetch: status, body length, SHA-256 of the body, and the time the body took. */
    public record Result(int status, long bodyBytes, String sha256, long nanos) {
        public double megabitsPerSecond() {
            return bodyBytes * 8.0 / 1e6 / (nanos / 1e9);
        }
    }

    private HttpFetch() {
    }

    public static Result get(Stack stack, InetSocketAddress server, String path) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        TcpSocket s = stack.connect(server).join();
        try {
            String req = "GET " + path + " HTTP/1.1\r\nHost: " + server.getHostString() + "\r\nConnection: close\r\n\r\n";
            s.write(ByteBuffer.wrap(req.getBytes(StandardCharsets.ISO_8859_1))).join();
            ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
            int headEnd;
            while ((headEnd = find(buf)) < 0) {
                if (!buf.hasRemaining() || s.read(buf).join() < 0) {
                    throw new IOException("connection ended before the response header");
                }
            }
            String head = new String(buf.array(), 0, headEnd, StandardCharsets.ISO_8859_1);
            int status = Integer.parseInt(head.substring(9, 12));
            long length = -1;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Long.parseLong(line.substring(15).trim());
                }
            }
            long start = System.nanoTime();
            long got = buf.position() - headEnd - 4;
            md.update(buf.array(), headEnd + 4, (int) got);
            while (length < 0 || got < length) {
                buf.clear();
                int n = s.read(buf).join();
                if (n < 0) {
                    break;
                }
                md.update(buf.array(), 0, n);
                got += n;
            }
            long nanos = System.nanoTime() - start;
            if (length >= 0 && got != length) {
                throw new IOException("body ended after " + got + " of " + length + " bytes");
            }
            return new Result(status, got, HexFormat.of().formatHex(md.digest()), Math.max(nanos, 1));
        } finally {
            s.close();
        }
    }

    private static int find(ByteBuffer b) {
        byte[] a = b.array();
        for (int i = 0; i + 3 < b.position(); i++) {
            if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
