package paybridge.webhooks;

/** CONTRACT §4 mapping rows with the vendors' consoles set to form-urlencoded webhooks. */
class WebhookMappingFormTest extends WebhookMappingTestBase {
    @Override
    String contentType() {
        return WebhookTestKit.FORM;
    }
}
