/*
 * WspData: the WSPDATA out-structure of WSPStartup: the SPI version the provider will use with this client, the
 * highest version it supports and a description.
 */
package io.ustack.spi;

/** WSPDATA, filled by WSPStartup. */
public final class WspData {
    /** wVersion: MAKEWORD(major, minor) the client should use. */
    public int version;
    /** wHighVersion: the highest version the provider supports. */
    public int highVersion;
    /** szDescription (at most WSPDESCRIPTION_LEN characters). */
    public String description;

    @Override
    public String toString() {
        return "WspData[version=" + Winsock.lowByte(version) + "." + Winsock.highByte(version) + " high="
                + Winsock.lowByte(highVersion) + "." + Winsock.highByte(highVersion) + " \"" + description + "\"]";
    }
}
