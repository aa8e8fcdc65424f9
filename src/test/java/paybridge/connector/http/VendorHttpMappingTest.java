package paybridge.connector.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.apache.camel.component.http.HttpEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** The dedicated vendor component keeps http and https base URLs as they are, with every timeout set. */
class VendorHttpMappingTest {

    @Test
    void httpsAndHttpBaseUrls() throws Exception {
        try (DefaultCamelContext ctx = new DefaultCamelContext()) {
            ctx.addComponent("vendorHttp", VendorHttp.component(Duration.ofSeconds(7)));
            ctx.start();
            HttpEndpoint https = (HttpEndpoint) ctx.getEndpoint(VendorHttp.endpointUri("vendorHttp", "https://api.iamport.kr"));
            assertThat(https.getHttpUri().toString()).isEqualTo("https://api.iamport.kr");
            assertThat(https.isThrowExceptionOnFailure()).isFalse();
            assertThat(https.getConnectTimeout()).isEqualTo(7000);
            assertThat(https.getResponseTimeout()).isEqualTo(7000);
            assertThat(https.getSoTimeout()).isEqualTo(7000);
            assertThat(https.getConnectionRequestTimeout()).isEqualTo(7000);
            HttpEndpoint http = (HttpEndpoint) ctx.getEndpoint(VendorHttp.endpointUri("vendorHttp", "http://127.0.0.1:8090/sandbox/steppay/"));
            assertThat(http.getHttpUri().toString()).isEqualTo("http://127.0.0.1:8090/sandbox/steppay");
            assertThat(((org.apache.camel.component.http.HttpComponent) ctx.getComponent("vendorHttp")).isAutomaticRetriesDisabled()).isTrue();
        }
    }
}
