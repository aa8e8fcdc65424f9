package paybridge.webhooks;

/** CONTRACT §4 mapping rows with the vendors' consoles set to JSON webhooks. */
class WebhookMappingJsonTest extends WebhookMappingTestBase {
    @Override
    String contentType() {
        return WebhookTestKit.JSON;
    }
}
