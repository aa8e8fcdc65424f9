package paybridge.connector.http;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

import javax.net.ssl.SSLHandshakeException;

import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import paybridge.canonical.Failure;

/**
 * Sorts the exceptions of a vendor call into "certainly not sent" and "may have been processed"
 * (CONTRACT §2). Only failures that happen before a single byte of the request can have left are
 * "not sent": no connection (refused, connect timeout, unknown host, no route, TLS handshake) or
 * no pooled connection within the lease timeout. Everything else — a response timeout, a
 * connection reset or closed after the request was written — may have been processed.
 */
public final class SendFailures {
    public static final String VENDOR_UNREACHABLE = "VENDOR_UNREACHABLE";
    public static final String VENDOR_AUTH_REJECTED = "VENDOR_AUTH_REJECTED";
    public static final String VENDOR_TIMEOUT = "VENDOR_TIMEOUT";
    public static final String VENDOR_CONNECTION_LOST = "VENDOR_CONNECTION_LOST";
    public static final String VENDOR_5XX = "VENDOR_5XX";
    public static final String VENDOR_BAD_RESPONSE = "VENDOR_BAD_RESPONSE";

    private SendFailures() {
    }

    public static boolean notSent(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            // ConnectTimeoutException and ConnectionRequestTimeoutException are InterruptedIOExceptions,
            // like the SocketTimeoutException of a response timeout: test them by their own types first.
            if (t instanceof NotSentException || t instanceof ConnectException || t instanceof ConnectTimeoutException
                    || t instanceof ConnectionRequestTimeoutException || t instanceof UnknownHostException
                    || t instanceof NoRouteToHostException || t instanceof SSLHandshakeException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** The canonical failure for an exception: code and a message that names no request data. */
    public static Failure failureOf(Throwable error) {
        NotSentException notSent = rootOf(error, NotSentException.class);
        if (notSent != null) {
            return new Failure(notSent.code(), notSent.getMessage());
        }
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String what = root.getClass().getSimpleName();
        if (notSent(error)) {
            return new Failure(VENDOR_UNREACHABLE, "The vendor could not be reached (" + what + "); nothing was sent");
        }
        if (rootOf(error, SocketTimeoutException.class) != null) {
            return new Failure(VENDOR_TIMEOUT, "No answer from the vendor within the timeout; the request may have been processed");
        }
        return new Failure(VENDOR_CONNECTION_LOST, "The connection failed after the request was sent (" + what
                + "); the request may have been processed");
    }

    /** The first exception of the given type in the cause chain, or null. */
    public static <T extends Throwable> T rootOf(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
