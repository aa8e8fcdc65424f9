package paybridge.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Each way a paybridge.api.keys value can be malformed, refused with a message naming it and never the key. */
class ApiKeysTest {
    private static final String KEY = "k-7Hq2-secret";

    @Test
    void malformedValuesAreRefusedNamingTheSettingAndTheEntry() {
        String[][] cases = {
                {"shop" + KEY, "entry 1 has no ':'"},
                {":" + KEY, "entry 1 has no name"},
                {"shop:", "entry 1 ('shop') has no key"},
                {"shop:" + KEY + ",,ops:other-key", "entry 2 is empty"},
                {"shop:" + KEY + ",shop:other-key", "entry 2 repeats the name 'shop'"},
                {"default:other-key", "entry 1: the name 'default' is reserved"},
                {"shop:" + KEY + ",ops:" + KEY, "entry 2 ('ops') has the same key as 'shop'"},
                {"sh op:" + KEY, "the name must be"},
                {"shop:" + KEY + " x", "the key must be visible ASCII"},
                {"shöp:" + KEY, "the name must be"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> ApiKeys.parse("unnamed-key", c[0])).as(c[0])
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("paybridge.api.keys (PAYBRIDGE_API_KEYS)")
                    .hasMessageContaining(c[1])
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY));
        }
    }

    @Test
    void theNamesOfTheUnnamedKeyAndOfTheOpenApiAreReservedWithOrWithoutTheUnnamedKey() {
        // an audit row's actor 'default' or 'anonymous' must mean PAYBRIDGE_API_KEY or the open API, nothing else
        for (String unnamed : new String[] {"unnamed-key", null}) {
            for (String name : new String[] {"default", "anonymous", "Anonymous", "DEFAULT"}) {
                String value = "shop:other-key," + name + ":" + KEY;
                assertThatThrownBy(() -> ApiKeys.parse(unnamed, value)).as(unnamed + " / " + value)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("paybridge.api.keys (PAYBRIDGE_API_KEYS)")
                        .hasMessageContaining("entry 2: the name '" + name + "' is reserved")
                        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(KEY));
            }
        }
        // names that merely contain them are fine
        assertThat(ApiKeys.parse(null, "default-shop:" + KEY + ",anonymous2:other-key").names())
                .containsExactly("default-shop", "anonymous2");
    }

    @Test
    void namesTheKeyThatMatchesAndNothingElse() {
        ApiKeys keys = ApiKeys.parse("unnamed-key", " shop : key-a , ops:key-b ");
        assertThat(keys.names()).containsExactly("default", "shop", "ops");
        assertThat(keys.actorOf("Bearer key-a")).contains("shop");
        assertThat(keys.actorOf("bearer key-b")).contains("ops");
        assertThat(keys.actorOf("Bearer unnamed-key")).contains("default");
        assertThat(keys.actorOf("Bearer key-")).isEmpty();
        assertThat(keys.actorOf("key-a")).isEmpty();
        assertThat(keys.actorOf(null)).isEmpty();
        assertThat(ApiKeys.parse(null, "  ").none()).isTrue();
    }
}
