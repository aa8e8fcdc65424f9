package paybridge.connector;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A source-IP allow list: comma-separated addresses or CIDR blocks, IPv4 and IPv6. Empty = any
 * address. Entries must be literal addresses (never resolved through DNS); an IPv4-mapped IPv6
 * address is matched as its IPv4 address.
 */
public final class IpAllowList {
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

    private record Block(byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Block> blocks;
    private final String text;

    private IpAllowList(List<Block> blocks, String text) {
        this.blocks = blocks;
        this.text = text;
    }

    /** Parses the setting; throws IllegalArgumentException naming a bad entry (start-up fails). */
    public static IpAllowList parse(String setting) {
        List<Block> blocks = new ArrayList<>();
        if (setting != null) {
            for (String raw : setting.split(",")) {
                String entry = raw.trim();
                if (entry.isEmpty()) {
                    continue;
                }
                String addr = entry;
                Integer prefix = null;
                int slash = entry.indexOf('/');
                if (slash >= 0) {
                    addr = entry.substring(0, slash);
                    try {
                        prefix = Integer.parseInt(entry.substring(slash + 1));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("Bad CIDR prefix in webhook IP allow list: " + entry);
                    }
                }
                byte[] bytes = literal(addr);
                if (bytes == null) {
                    throw new IllegalArgumentException("Not an IP address or CIDR block in webhook IP allow list: " + entry);
                }
                int max = bytes.length * 8;
                int p = prefix == null ? max : prefix;
                if (p < 0 || p > max) {
                    throw new IllegalArgumentException("Bad CIDR prefix in webhook IP allow list: " + entry);
                }
                blocks.add(new Block(bytes, p));
            }
        }
        return new IpAllowList(List.copyOf(blocks), setting == null ? "" : setting.trim());
    }

    public boolean isOpen() {
        return blocks.isEmpty();
    }

    /** True when the list is empty or the address is in one of its blocks. */
    public boolean allows(String address) {
        if (blocks.isEmpty()) {
            return true;
        }
        byte[] bytes = literal(address);
        if (bytes == null) {
            return false;
        }
        for (Block b : blocks) {
            if (b.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /** The address bytes of a literal IPv4/IPv6 address (zone id dropped), null for anything else. */
    static byte[] literal(String address) {
        if (address == null) {
            return null;
        }
        String a = address.trim();
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        int zone = a.indexOf('%');
        if (zone >= 0) {
            a = a.substring(0, zone);
        }
        if (a.isEmpty() || !LITERAL.matcher(a).matches() || (a.indexOf(':') < 0 && !a.matches("\\d{1,3}(\\.\\d{1,3}){3}"))) {
            return null; // never a host name: no DNS lookups here
        }
        try {
            return InetAddress.getByName(a).getAddress(); // a literal: parsed, not resolved
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return text.isEmpty() ? "any" : text;
    }
}
