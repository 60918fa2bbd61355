/*
 * HttpConnection: a minimal HTTP/1.1 origin server for one connection (RFC 9112 message syntax, RFC 9110 semantics):
 * GET and HEAD of "/" (a small page) and "/bytes/N" (N pattern bytes), persistent connections, 400/404/405/501.
 */
package io.ustack.app;

import io.ustack.api.TcpSocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/** Serves requests on one connection until the client closes or asks to close. Blocking; run on a virtual thread. */
final class HttpConnection {
    static final int MAX_HEADER_BYTES = 16 * 1024;
    static final long MAX_BODY = 1L << 40;
    private static final int CHUNK = 128 * 1024;

    private final TcpSocket socket;
    private final ByteBuffer in = ByteBuffer.allocate(MAX_HEADER_BYTES);

    private HttpConnection(TcpSocket socket) {
        this.socket = socket;
    }

    static void serve(TcpSocket socket) {
        new HttpConnection(socket).loop();
    }

    private void loop() {
        while (true) {
            String head = readHead();
            if (head == null) {
                return;
            }
            if (!respond(head)) {
                socket.shutdownOutput().join();
                drain();
                return;
            }
        }
    }

    /** Reads up to the blank line ending the header section; null at end of stream or on overflow. */
    private String readHead() {
        while (true) {
            int end = headEnd();
            if (end >= 0) {
                String head = new String(in.array(), 0, end, StandardCharsets.ISO_8859_1);
                int consumed = end + 4;
                in.flip().position(consumed);
                in.compact(); // keep pipelined bytes
                return head;
            }
            if (!in.hasRemaining()) {
                send(status(431, "Request Header Fields Too Large", "header section too large\n", false), null, 0);
                return null;
            }
            if (socket.read(in).join() < 0) {
                return null;
            }
        }
    }

    private int headEnd() {
        byte[] a = in.array();
        for (int i = 0; i + 3 < in.position(); i++) {
            if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Answers one request; returns false if the connection should close afterwards. */
    private boolean respond(String head) {
        String[] lines = head.split("\r\n");
        String[] req = lines[0].split(" ");
        if (req.length != 3 || !req[2].startsWith("HTTP/1.")) {
            send(status(400, "Bad Request", "malformed request line\n", false), null, 0);
            return false;
        }
        boolean keepAlive = req[2].equals("HTTP/1.1");
        for (int i = 1; i < lines.length; i++) {
            String l = lines[i].toLowerCase(Locale.ROOT);
            if (l.startsWith("connection:")) {
                keepAlive = l.contains("keep-alive") || (keepAlive && !l.contains("close"));
            }
            if (l.startsWith("content-length:") || l.startsWith("transfer-encoding:")) {
                send(status(501, "Not Implemented", "request bodies are not supported\n", false), null, 0);
                return false;
            }
        }
        String method = req[0];
        boolean head0 = method.equals("HEAD");
        if (!method.equals("GET") && !head0) {
            send(status(405, "Method Not Allowed", "only GET and HEAD\n", keepAlive), null, 0);
            return keepAlive;
        }
        String path = req[1];
        if (path.equals("/")) {
            String page = "<!doctype html>\n<html><head><title>ustack</title></head><body>"
                    + "<h1>Served by ustack</h1><p>A user-space TCP/IP stack for the JVM.</p>"
                    + "<p>Try <a href=\"/bytes/1000000\">/bytes/1000000</a>.</p></body></html>\n";
            byte[] body = page.getBytes(StandardCharsets.UTF_8);
            send(header(200, "OK", "text/html; charset=utf-8", body.length, keepAlive), head0 ? null : body, 0);
            return keepAlive;
        }
        if (path.startsWith("/bytes/")) {
            long n;
            try {
                n = Long.parseLong(path.substring("/bytes/".length()));
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 0 || n > MAX_BODY) {
                send(status(400, "Bad Request", "N must be 0.." + MAX_BODY + "\n", keepAlive), null, 0);
                return keepAlive;
            }
            send(header(200, "OK", "application/octet-stream", n, keepAlive), null, head0 ? 0 : n);
            return keepAlive;
        }
        send(status(404, "Not Found", "no such resource: " + path + "\n", keepAlive), null, 0);
        return keepAlive;
    }

    private static String header(int code, String reason, String type, long length, boolean keepAlive) {
        return "HTTP/1.1 " + code + " " + reason + "\r\nServer: ustack\r\nContent-Type: " + type
                + "\r\nContent-Length: " + length + "\r\n" + (keepAlive ? "" : "Connection: close\r\n") + "\r\n";
    }

    private static String status(int code, String reason, String text, boolean keepAlive) {
        return header(code, reason, "text/plain; charset=utf-8", text.length(), keepAlive) + text;
    }

    private void send(String head, byte[] body, long patternBytes) {
        socket.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1))).join();
        if (body != null) {
            socket.write(ByteBuffer.wrap(body)).join();
        }
        // Two buffers in flight: one is being copied into the send buffer while the other is refilled.
        ByteBuffer[] chunks = patternBytes > 0
                ? new ByteBuffer[] {ByteBuffer.allocateDirect(CHUNK), ByteBuffer.allocateDirect(CHUNK)} : null;
        CompletableFuture<?>[] pending = new CompletableFuture<?>[2];
        int i = 0;
        for (long off = 0; off < patternBytes; i ^= 1) {
            if (pending[i] != null) {
                pending[i].join();
            }
            int n = (int) Math.min(CHUNK, patternBytes - off);
            ByteBuffer chunk = chunks[i];
            chunk.clear().limit(n);
            PatternBytes.fill(chunk, off);
            chunk.flip();
            pending[i] = socket.write(chunk);
            off += n;
        }
        for (CompletableFuture<?> f : pending) {
            if (f != null) {
                f.join();
            }
        }
    }

    private void drain() {
        ByteBuffer b = ByteBuffer.allocate(4096);
        while (socket.read(b.clear()).join() >= 0) {
            // wait for the client's FIN so our close is orderly
        }
    }
}
