/*
 * StreamOptions: the options of a stream socket (SO_RCVBUF and SO_SNDBUF as the TcpConfig new connections get,
 * SO_KEEPALIVE (RFC 1122 4.2.3.6), SO_LINGER / SO_DONTLINGER, TCP_NODELAY), copied to the sockets a listening socket
 * accepts. The socket hands them to its connection when it has one.
 */
package io.ustack.spi.stack;

import io.ustack.spi.IntRef;
import io.ustack.spi.OptionValue;
import io.ustack.spi.SocketOptions;
import io.ustack.tcp.TcpConfig;

import static io.ustack.spi.SocketOptions.*;
import static io.ustack.spi.WsaError.*;

/** Engine thread only. */
final class StreamOptions {
    /** Buffer sizes for new connections, null while the stack's defaults apply. */
    TcpConfig tcp;
    /** SO_KEEPALIVE (the stack's TcpConfig default until set). */
    boolean keepAlive;
    boolean noDelay;
    boolean lingerOn;
    int lingerSeconds;

    StreamOptions(TcpConfig defaults) {
        keepAlive = defaults.keepAlive();
    }

    /** The options an accepted socket inherits from its listening socket. */
    StreamOptions(StreamOptions parent) {
        tcp = parent.tcp;
        keepAlive = parent.keepAlive;
        noDelay = parent.noDelay;
        lingerOn = parent.lingerOn;
        lingerSeconds = parent.lingerSeconds;
    }

    /** SO_LINGER {1, 0}: closesocket resets the connection. */
    boolean resetOnClose() {
        return lingerOn && lingerSeconds == 0;
    }

    int receiveBufferSize(TcpConfig defaults) {
        return (tcp != null ? tcp : defaults).receiveBufferSize();
    }

    int sendBufferSize(TcpConfig defaults) {
        return (tcp != null ? tcp : defaults).sendBufferSize();
    }

    /**
     * New SO_RCVBUF / SO_SNDBUF for connections made from now on (connect; listen: the connections it accepts); the
     * socket resizes an established connection's rings itself.
     */
    int applyBufferSizes(int receive, int send, TcpConfig defaults) {
        if (receive < 1 || send < 1 || receive > (1 << 30) || send > (1 << 30)) {
            return WSAEINVAL;
        }
        tcp = new TcpConfig(tcp != null ? tcp : defaults).receiveBufferSize(receive).sendBufferSize(send);
        return NO_ERROR;
    }

    /** True for an option this class handles (at its level). */
    static boolean handles(int level, int option) {
        return (level == SOL_SOCKET && (option == SO_KEEPALIVE || option == SO_LINGER || option == SO_DONTLINGER))
                || (level == SocketOptions.IPPROTO_TCP && option == TCP_NODELAY);
    }

    int get(int level, int option, byte[] value, IntRef length) {
        if (level == SocketOptions.IPPROTO_TCP) {
            return EngineSocket.putBool(value, length, noDelay);
        }
        switch (option) {
            case SO_KEEPALIVE -> {
                return EngineSocket.putBool(value, length, keepAlive);
            }
            case SO_LINGER -> {
                if (length.get() < OptionValue.LINGER_LENGTH) {
                    return WSAEFAULT;
                }
                OptionValue.putShort(value, OptionValue.LINGER_ONOFF_OFFSET, lingerOn ? 1 : 0);
                OptionValue.putShort(value, OptionValue.LINGER_SECONDS_OFFSET, lingerSeconds);
                length.set(OptionValue.LINGER_LENGTH);
                return NO_ERROR;
            }
            default -> {
                return EngineSocket.putBool(value, length, !lingerOn); // SO_DONTLINGER
            }
        }
    }

    /** Sets an option; returns the error code. The caller applies TCP_NODELAY and SO_KEEPALIVE to its connection. */
    int set(int level, int option, byte[] value, int length) {
        if (length < OptionValue.INT_LENGTH) {
            return WSAEFAULT;
        }
        int v = OptionValue.getInt(value, 0);
        if (level == SocketOptions.IPPROTO_TCP) {
            noDelay = v != 0;
            return NO_ERROR;
        }
        switch (option) {
            case SO_KEEPALIVE -> keepAlive = v != 0;
            case SO_LINGER -> {
                lingerOn = OptionValue.getShort(value, OptionValue.LINGER_ONOFF_OFFSET) != 0;
                lingerSeconds = OptionValue.getShort(value, OptionValue.LINGER_SECONDS_OFFSET);
            }
            default -> lingerOn = v == 0; // SO_DONTLINGER
        }
        return NO_ERROR;
    }
}
