package paybridge.vendor.http;

import java.net.URI;
import java.time.Duration;

import org.apache.camel.component.http.HttpComponent;

/**
 * A camel-http component dedicated to one vendor, so every setting that matters for payments is
 * explicit and no other route's http settings can change it:
 * <ul>
 *   <li>connect, connection-lease, response and socket timeouts all equal to
 *       {@code paybridge.vendor.timeout} (camel-http's defaults are 180 s / none);</li>
 *   <li>automatic retries off: Apache HttpClient would otherwise re-send on some I/O errors and,
 *       for any method, on a 503 with Retry-After — a second charge. Safe calls are retried by
 *       our own routes instead, where it is visible;</li>
 *   <li>no redirects followed, no cookies kept;</li>
 *   <li>an explicit pool: 200 connections, 100 per host.</li>
 * </ul>
 */
public final class VendorHttp {
    public static final int MAX_TOTAL_CONNECTIONS = 200;
    public static final int CONNECTIONS_PER_ROUTE = 100;

    private VendorHttp() {
    }

    public static HttpComponent component(Duration timeout) {
        long ms = timeout.toMillis();
        if (ms <= 0) {
            throw new IllegalArgumentException("paybridge.vendor.timeout must be positive: " + timeout);
        }
        HttpComponent http = new HttpComponent();
        http.setConnectTimeout(ms);
        http.setConnectionRequestTimeout(ms);
        http.setResponseTimeout(ms);
        http.setSoTimeout(ms);
        http.setAutomaticRetriesDisabled(true);
        http.setRedirectHandlingDisabled(true);
        http.setFollowRedirects(false);
        http.setCookieManagementDisabled(true);
        http.setMaxTotalConnections(MAX_TOTAL_CONNECTIONS);
        http.setConnectionsPerRoute(CONNECTIONS_PER_ROUTE);
        return http;
    }

    /**
     * The endpoint URI of a vendor's base URL on the named component. The status of every answer
     * is inspected in Java ({@code throwExceptionOnFailure=false}); request paths come from
     * {@code CamelHttpPath}, which {@link VendorCall#prepare} sets after removing every other header.
     */
    public static String endpointUri(String componentName, String baseUrl) {
        URI base = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
        if (base.getScheme() == null || base.getHost() == null
                || !(base.getScheme().equals("http") || base.getScheme().equals("https"))) {
            throw new IllegalArgumentException("Vendor base URL must be an absolute http(s) URL: " + baseUrl);
        }
        // skipResponseHeaders: the callers read only the status and the body (VendorCall.captureAnswer)
        return componentName + ":" + base + "?throwExceptionOnFailure=false&skipResponseHeaders=true";
    }

    /**
     * The longest a charge can stay in flight at the vendor: the timeout bounds each phase (connect,
     * then the answer), not the call, so twice it and a margin. Reconcile waits this long before it
     * trusts a lookup of an open attempt; a billing run waits this long for other nodes' claims.
     */
    public static Duration longestCall(Duration timeout) {
        return timeout.multipliedBy(2).plusSeconds(5);
    }

    /** Parses {@code paybridge.vendor.timeout} (ISO-8601, e.g. PT10S). */
    public static Duration timeout(String value) {
        return Duration.parse(value == null || value.isBlank() ? "PT10S" : value.trim());
    }
}
