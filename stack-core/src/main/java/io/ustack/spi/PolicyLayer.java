/*
 * PolicyLayer: a layered provider that allows or denies by rules: by address family, socket type and protocol
 * when a socket is created (WSPSocket), and by endpoint address prefix and port when an address is given
 * (WSPBind, WSPConnect, WSPSendTo, WSPJoinLeaf, through checkEndpoint). The first matching rule decides; a deny
 * refuses with its WSA error and the call goes no further down the chain.
 */
package io.ustack.spi;

import java.nio.ByteBuffer;
import java.util.List;

import static io.ustack.spi.WsaError.NO_ERROR;

/**
 * Rule-based admission.
 *
 * <p>At WSPSocket only rules without an endpoint condition can decide (the others need an address and are
 * skipped); the first such matching rule allows or denies; with none, the default applies. At
 * {@link #checkEndpoint} every rule takes part: WSPBind checks the local address, WSPConnect, WSPSendTo (on a
 * datagram socket, when an address is given) and WSPJoinLeaf the remote one, before passing the call on.
 */
public final class PolicyLayer extends LayeredProvider {
    private final List<PolicyRule> rules;
    private final boolean defaultAllow;
    private final int defaultError;

    /**
     * @param rules evaluated in order
     * @param defaultAllow the decision when no rule matches
     * @param defaultError the error of a default deny
     */
    public PolicyLayer(ProtocolCatalog catalog, ProtocolInfo layerEntry, ServiceProvider next, int maxSockets,
            List<PolicyRule> rules, boolean defaultAllow, int defaultError) {
        super(catalog, layerEntry, next, maxSockets);
        this.rules = List.copyOf(rules);
        this.defaultAllow = defaultAllow;
        this.defaultError = defaultError;
    }

    /** Rules with default allow. */
    public PolicyLayer(ProtocolCatalog catalog, ProtocolInfo layerEntry, ServiceProvider next, int maxSockets,
            List<PolicyRule> rules) {
        this(catalog, layerEntry, next, maxSockets, rules, true, WsaError.WSAEACCES);
    }

    public List<PolicyRule> rules() {
        return rules;
    }

    /** The decision for a new socket: NO_ERROR or the refusing WSA error. */
    public int decideSocket(int af, int type, int protocol) {
        for (PolicyRule r : rules) {
            if (!r.hasEndpointCondition() && r.matchesSocket(af, type, protocol)) {
                return r.allows() ? NO_ERROR : r.error();
            }
        }
        return defaultAllow ? NO_ERROR : defaultError;
    }

    /** The decision for an endpoint of a socket with this family, type and protocol. */
    public int decideEndpoint(int af, int type, int protocol, byte[] sockaddr) {
        for (PolicyRule r : rules) {
            if (r.matchesSocket(af, type, protocol) && r.matchesEndpoint(sockaddr)) {
                return r.allows() ? NO_ERROR : r.error();
            }
        }
        return defaultAllow ? NO_ERROR : defaultError;
    }

    /**
     * Checks an endpoint (the address of a bind, connect or sendto) for socket {@code s} of this layer.
     *
     * @return NO_ERROR, the refusing error, WSAENOTSOCK for a descriptor that is not open, WSAEFAULT for a
     *         sockaddr shorter than its family needs, WSAEAFNOSUPPORT for a family other than the socket's
     */
    public int checkEndpoint(int s, byte[] sockaddr, int length) {
        LayerSocket ls = socket(s);
        if (ls == null) {
            return WsaError.WSAENOTSOCK;
        }
        if (sockaddr == null || length < 2 || length > sockaddr.length) {
            return WsaError.WSAEFAULT;
        }
        int family = SockAddr.family(sockaddr);
        if (family != ls.addressFamily()) {
            return WsaError.WSAEAFNOSUPPORT;
        }
        if (length < SockAddr.lengthOf(family)) {
            return WsaError.WSAEFAULT;
        }
        return decideEndpoint(ls.addressFamily(), ls.socketType(), ls.protocol(), sockaddr);
    }

    /** The data-function prologue plus the endpoint check: NO_ERROR to pass the call on, else the error. */
    private int admit(int s, byte[] sockaddr, int length, ErrnoRef errno) {
        if (enter(s, errno) == null) {
            return errno.get();
        }
        return checkEndpoint(s, sockaddr, length);
    }

    @Override
    public int wspBind(int s, byte[] name, int nameLength, ErrnoRef errno) {
        int err = admit(s, name, nameLength, errno);
        return err != NO_ERROR ? errno.fail(err, Winsock.SOCKET_ERROR) : super.wspBind(s, name, nameLength, errno);
    }

    @Override
    public int wspConnect(int s, byte[] name, int nameLength, ErrnoRef errno) {
        int err = admit(s, name, nameLength, errno);
        return err != NO_ERROR ? errno.fail(err, Winsock.SOCKET_ERROR) : super.wspConnect(s, name, nameLength, errno);
    }

    @Override
    public int wspSendTo(int s, ByteBuffer[] buffers, int bufferCount, IntRef bytesSent, int flags, byte[] to,
            int toLength, Overlapped overlapped, ErrnoRef errno) {
        LayerSocket ls = socket(s);
        if (to != null && ls != null && ls.socketType() != Winsock.SOCK_STREAM) {
            int err = admit(s, to, toLength, errno);
            if (err != NO_ERROR) {
                return errno.fail(err, Winsock.SOCKET_ERROR);
            }
        }
        return super.wspSendTo(s, buffers, bufferCount, bytesSent, flags, to, toLength, overlapped, errno);
    }

    @Override
    public int wspJoinLeaf(int s, byte[] name, int nameLength, int flags, ErrnoRef errno) {
        int err = admit(s, name, nameLength, errno);
        return err != NO_ERROR ? errno.fail(err, Winsock.INVALID_SOCKET)
                : super.wspJoinLeaf(s, name, nameLength, flags, errno);
    }

    @Override
    protected int admitSocket(ProtocolInfo chainEntry, int af, int type, int protocol) {
        return decideSocket(af, type, protocol);
    }

    @Override
    public String toString() {
        return "PolicyLayer" + rules + " default=" + (defaultAllow ? "allow" : WsaError.name(defaultError));
    }
}
