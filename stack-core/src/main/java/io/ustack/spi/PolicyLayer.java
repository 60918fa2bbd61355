/*
 * PolicyLayer: a layered provider that allows or denies by rules: by address family, socket type and protocol
 * when a socket is created (WSPSocket), and by endpoint address prefix and port when an address is given
 * (checkEndpoint, for bind/connect/sendto). The first matching rule decides; a deny refuses with its WSA error.
 */
package io.ustack.spi;

import java.util.List;

import static io.ustack.spi.WsaError.NO_ERROR;

/**
 * Rule-based admission.
 *
 * <p>At WSPSocket only rules without an endpoint condition can decide (the others need an address and are
 * skipped); the first such matching rule allows or denies; with none, the default applies. At
 * {@link #checkEndpoint} every rule takes part. The data functions (bind, connect, sendto) will call
 * {@link #checkEndpoint} before passing the call on; until they exist it is callable directly.
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

    @Override
    protected int admitSocket(ProtocolInfo chainEntry, int af, int type, int protocol) {
        return decideSocket(af, type, protocol);
    }

    @Override
    public String toString() {
        return "PolicyLayer" + rules + " default=" + (defaultAllow ? "allow" : WsaError.name(defaultError));
    }
}
