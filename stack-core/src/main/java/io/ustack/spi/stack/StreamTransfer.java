/*
 * StreamTransfer: the data half of a connected stream socket, WSPSend and WSPRecv over its TCP connection (RFC 9293
 * 3.9.1 SEND and RECEIVE; WSPSocket remarks: a SOCK_STREAM socket, once connected, transfers data with WSPSend and
 * WSPRecv): queues of posted receives and sends served in posting order, MSG_PEEK through a PeekStage, MSG_WAITALL,
 * WSPShutdown (SD_SEND sends the FIN after every send posted before it), and the end of the stream.
 */
package io.ustack.spi.stack;

import io.netty.buffer.ByteBuf;
import io.ustack.spi.WsaException;
import io.ustack.tcp.TcpConnection;

import java.util.ArrayDeque;

import static io.ustack.spi.SocketOptions.*;
import static io.ustack.spi.WsaError.*;

/**
 * Engine thread only. Its StreamSocket calls it once connected and passes its connection in.
 *
 * <p>Receive: a request completes with what is readable (at least one byte), with 0 at the end of the stream (the
 * peer's FIN after all data), or fails with the error that ended the connection (WSAECONNRESET, WSAETIMEDOUT,
 * WSAECONNABORTED). MSG_WAITALL waits until the buffers are full (or the stream ends). Send: a request completes when
 * all its bytes are in the TCP send buffer; a non-blocking one takes what fits.
 */
final class StreamTransfer {
    private final StreamSocket socket;
    private final ArrayDeque<Request> recvs = new ArrayDeque<>(4);
    private final ArrayDeque<Request> sends = new ArrayDeque<>(4);
    /** Bytes taken out of the connection by MSG_PEEK and not yet received. */
    private final PeekStage peeked;
    /** The connection is over for the user (onClosed); {@link #endError} why. */
    private boolean ended;
    private int endError;
    private boolean sendShutdown;
    private boolean recvShutdown;
    /** SD_SEND came while sends were queued: the FIN follows them. */
    private boolean finPending;

    StreamTransfer(StreamSocket socket) {
        this.socket = socket;
        peeked = new PeekStage(socket.backend);
    }

    /** The connection closed (onClosed of an established one): NO_ERROR, or the error that ended it. */
    void end(int wsaError) {
        ended = true;
        endError = wsaError;
    }

    boolean ended() {
        return ended;
    }

    /** Bytes a receive could take now: the peeked ones and the connection's. */
    int readable(TcpConnection conn) {
        return peeked.size() + conn.available();
    }

    private boolean endOfStream(TcpConnection conn) {
        return conn.isInputShutdown() || (ended && endError == NO_ERROR);
    }

    void send(Request r) {
        if (sendShutdown) {
            r.fail(WSAESHUTDOWN);
        } else if (ended) {
            r.fail(endError != NO_ERROR ? endError : WSAESHUTDOWN);
        } else {
            socket.post(r, sends);
        }
    }

    void recv(Request r, TcpConnection conn) {
        if (recvShutdown) {
            r.fail(WSAESHUTDOWN);
            return;
        }
        if ((r.flags & MSG_WAITALL) != 0) {
            if (socket.nonBlocking) {
                r.fail(WSAEOPNOTSUPP);
                return;
            }
            if (r.engineThread && readable(conn) < r.capacity && !ended && !conn.isInputShutdown()) {
                r.fail(WSAEINPROGRESS);
                return;
            }
        }
        socket.post(r, recvs);
    }

    /** Serves the receives, then the sends (and the FIN that follows them). */
    void serve(TcpConnection conn) {
        serveRecvs(conn);
        serveSends(conn);
    }

    private void serveRecvs(TcpConnection conn) {
        Request r;
        while ((r = recvs.peek()) != null) {
            if (recvShutdown) {
                recvs.poll();
                r.fail(WSAESHUTDOWN);
                continue;
            }
            long want = r.capacity - r.progress;
            int avail = readable(conn);
            if (want > 0 && avail > 0) {
                if (!r.claim()) {
                    recvs.poll();
                    continue;
                }
                r.progress += peeked.take(conn, r, (int) Math.min(want, avail), (r.flags & MSG_PEEK) != 0);
                if ((r.flags & MSG_WAITALL) != 0 && r.progress < r.capacity) {
                    continue; // wait for the rest (or the end of the stream)
                }
                recvs.poll();
                r.complete((int) r.progress);
            } else if (want == 0 || endOfStream(conn)) {
                recvs.poll();
                r.complete((int) r.progress);
            } else if (ended) {
                recvs.poll();
                r.fail(endError);
            } else {
                return;
            }
        }
    }

    private void serveSends(TcpConnection conn) {
        Request r;
        while ((r = sends.peek()) != null) {
            if (ended) {
                sends.poll();
                r.fail(endError != NO_ERROR ? endError : WSAESHUTDOWN);
                continue;
            }
            if (!r.claim()) {
                sends.poll();
                continue;
            }
            byte[] scratch = socket.backend.scratch();
            ByteBuf sb = socket.backend.scratchBuf();
            long remaining = r.capacity - r.progress;
            boolean failed = false;
            while (remaining > 0) {
                int chunk = (int) Math.min(remaining, Math.min(scratch.length, Math.max(conn.sendSpace(), 1)));
                Buffers.gather(r.buffers, r.count, r.progress, scratch, 0, chunk);
                sb.setIndex(0, chunk);
                int n;
                try {
                    n = conn.write(sb, chunk);
                } catch (WsaException e) {
                    sends.poll();
                    r.fail(e.error());
                    failed = true;
                    break;
                }
                r.progress += n;
                remaining -= n;
                if (n < chunk) {
                    break; // the send buffer is full: onWritable resumes
                }
            }
            if (failed) {
                continue;
            }
            if (remaining == 0 || (r.progress > 0 && !r.mayWait(socket.nonBlocking))) {
                sends.poll();
                r.complete((int) r.progress);
                continue;
            }
            return;
        }
        if (finPending && !ended) {
            finPending = false;
            conn.shutdownOutput();
        }
    }

    /** WSPShutdown's effect on the data; the socket serves the queues afterwards. */
    void shutdown(int how, TcpConnection conn) {
        if (how == SD_RECEIVE || how == SD_BOTH) {
            recvShutdown = true;
        }
        if ((how == SD_SEND || how == SD_BOTH) && !sendShutdown) {
            sendShutdown = true;
            if (!ended) {
                if (sends.isEmpty()) {
                    conn.shutdownOutput();
                } else {
                    finPending = true;
                }
            }
        }
    }

    /** Fails every queued receive, then every queued send (see {@link EngineSocket#failAll}). */
    void failAll(int overlappedCode, int blockingCode) {
        EngineSocket.failAll(recvs, overlappedCode, blockingCode);
        EngineSocket.failAll(sends, overlappedCode, blockingCode);
    }

    /** Takes {@code target} out of the queues; false if it was in neither. */
    boolean remove(Request target) {
        return recvs.remove(target) || sends.remove(target);
    }

    /** Drops the bytes staged by MSG_PEEK (the socket closes). */
    void release() {
        peeked.release();
    }
}
