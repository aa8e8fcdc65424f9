package paybridge.connector.http;

import java.net.URI;
import java.time.Duration;

import org.apache.camel.CamelContext;
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
 *   <li>an explicit pool: 200 connections, 100 per host;</li>
 *   <li>one total deadline per call, connect to last byte ({@link TotalCallTimeout}): the timeouts
 *       above bound each phase only.</li>
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
        TotalCallTimeout total = new TotalCallTimeout(timeout);
        http.setHttpClientConfigurer(builder -> builder.addExecInterceptorFirst(TotalCallTimeout.NAME, total));
        return http;
    }

    /**
     * Adds the vendor's own HTTP component under {@code componentName} (replacing the one of an earlier
     * load of its routes) and answers the endpoint URI of {@code baseUrl} on it.
     */
    public static String install(CamelContext context, String componentName, Duration timeout, String baseUrl) {
        if (context.hasComponent(componentName) != null) {
            context.removeComponent(componentName);
        }
        context.addComponent(componentName, component(timeout));
        return endpointUri(componentName, baseUrl);
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
     * The longest one call can take before paybridge's own timeouts end it, with a margin. Charges no
     * longer use it (their horizon is {@link OperationDeadline#horizon()}); a billing run waits this
     * long for other nodes' claims.
     */
    public static Duration longestCall(Duration timeout) {
        return timeout.multipliedBy(2).plusSeconds(5);
    }

    /** Parses {@code paybridge.vendor.timeout} (ISO-8601, e.g. PT10S). */
    public static Duration timeout(String value) {
        return Duration.parse(value == null || value.isBlank() ? "PT10S" : value.trim());
    }
}
