package paybridge.events;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * A receiving system for the tests: a Vert.x HTTP server on a port of its own that records every
 * request (headers and body), and answers as the test says: 200, 500, or never (hangs past the
 * sender's timeout). {@link #stop()} takes it down (connection refused) on the same port; {@link #start()}
 * brings it back. Its signature check ({@link #verifies}) is written from the Standard Webhooks text,
 * independently of paybridge's signer.
 */
final class EventReceiver implements AutoCloseable {
    enum Mode { OK, FAIL, HANG }

    /** One request as received. */
    record Received(Map<String, String> headers, String body, JsonNode json) {
        String type() {
            return json.path("type").asText();
        }

        String id() {
            return json.path("id").asText();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Vertx vertx = Vertx.vertx();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final int port;
    private volatile Mode mode = Mode.OK;
    private HttpServer server;

    EventReceiver(int port) {
        this.port = port;
        start();
    }

    String url() {
        return "http://127.0.0.1:" + port + "/events";
    }

    void mode(Mode m) {
        this.mode = m;
    }

    List<Received> received() {
        return new ArrayList<>(received);
    }

    List<Received> ofType(String type) {
        return received().stream().filter(r -> r.type().equals(type)).toList();
    }

    List<Received> ofId(String id) {
        return received().stream().filter(r -> r.id().equals(id)).toList();
    }

    synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(buffer -> {
                Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                request.headers().forEach(h -> headers.put(h.getKey(), h.getValue()));
                String body = buffer.toString(StandardCharsets.UTF_8);
                JsonNode json;
                try {
                    json = JSON.readTree(body);
                } catch (Exception e) {
                    json = JSON.createObjectNode();
                }
                received.add(new Received(headers, body, json));
                switch (mode) {
                    case OK -> request.response().setStatusCode(200).end("ok");
                    case FAIL -> request.response().setStatusCode(500).end("broken");
                    case HANG -> { } // never answers
                }
            })).listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            server = null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Standard Webhooks verification as a receiver does it: for each {@code v1,<b64>} in the signature
     * header, HMAC-SHA256 over {@code id.timestamp.body} with the secret's base64-decoded key; true when
     * one matches.
     */
    static boolean verifies(Received r, String whsecSecret) {
        try {
            byte[] key = Base64.getDecoder().decode(whsecSecret.substring("whsec_".length()));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            String signed = r.headers().get("webhook-id") + "." + r.headers().get("webhook-timestamp") + "." + r.body();
            String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
            String header = r.headers().get("webhook-signature");
            if (header == null) {
                return false;
            }
            for (String candidate : header.split(" ")) {
                if (java.security.MessageDigest.isEqual(candidate.getBytes(StandardCharsets.UTF_8),
                        expected.getBytes(StandardCharsets.UTF_8))) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
