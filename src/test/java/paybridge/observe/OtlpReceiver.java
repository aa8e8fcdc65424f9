package paybridge.observe;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * A real OTLP/HTTP trace receiver for tests: a Vert.x server on a free loopback port that accepts
 * {@code POST /v1/traces} in the protobuf encoding (what the OpenTelemetry SDK's exporter sends) and
 * decodes each export into {@link ReceivedSpan}s. The decoding reads the protobuf wire format of
 * opentelemetry-proto's ExportTraceServiceRequest (field numbers from trace.proto).
 */
public final class OtlpReceiver implements AutoCloseable {
    /** One span as exported: ids in hex (parent empty for a root), attribute values as text. */
    public record ReceivedSpan(String traceId, String spanId, String parentSpanId, String name, int kind,
            Map<String, String> attributes, List<String> eventTexts) {
        public static final int KIND_SERVER = 2;
        public static final int KIND_CLIENT = 3;
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    public final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    final List<String> contentTypes = new CopyOnWriteArrayList<>();

    public OtlpReceiver() throws Exception {
        server = vertx.createHttpServer().requestHandler(request -> {
            if (!"/v1/traces".equals(request.path())) {
                request.response().setStatusCode(404).end();
                return;
            }
            request.body().onSuccess(body -> {
                contentTypes.add(String.valueOf(request.getHeader("Content-Type")));
                try {
                    spans.addAll(decodeExport(body.getBytes()));
                    // an empty ExportTraceServiceResponse
                    request.response().putHeader("Content-Type", "application/x-protobuf").end();
                } catch (RuntimeException e) {
                    request.response().setStatusCode(400).end(String.valueOf(e));
                }
            });
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    // ---- protobuf wire format: ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1 }
    static List<ReceivedSpan> decodeExport(byte[] bytes) {
        List<ReceivedSpan> out = new ArrayList<>();
        for (Field resourceSpans : fields(bytes)) {
            if (resourceSpans.number == 1) { // ResourceSpans { scope_spans = 2 }
                for (Field scopeSpans : fields(resourceSpans.bytes)) {
                    if (scopeSpans.number == 2) { // ScopeSpans { spans = 2 }
                        for (Field span : fields(scopeSpans.bytes)) {
                            if (span.number == 2) {
                                out.add(span(span.bytes));
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Span { trace_id 1, span_id 2, parent_span_id 4, name 5, kind 6, attributes 9, events 11 }. */
    private static ReceivedSpan span(byte[] bytes) {
        String traceId = "", spanId = "", parent = "", name = "";
        int kind = 0;
        Map<String, String> attributes = new LinkedHashMap<>();
        List<String> events = new ArrayList<>();
        for (Field f : fields(bytes)) {
            switch (f.number) {
                case 1 -> traceId = HexFormat.of().formatHex(f.bytes);
                case 2 -> spanId = HexFormat.of().formatHex(f.bytes);
                case 4 -> parent = HexFormat.of().formatHex(f.bytes);
                case 5 -> name = new String(f.bytes, StandardCharsets.UTF_8);
                case 6 -> kind = (int) f.varint;
                case 9 -> keyValue(f.bytes, attributes);
                case 11 -> { // Event { name 2, attributes 3 }
                    Map<String, String> eventAttributes = new LinkedHashMap<>();
                    for (Field e : fields(f.bytes)) {
                        if (e.number == 2) {
                            events.add(new String(e.bytes, StandardCharsets.UTF_8));
                        } else if (e.number == 3) {
                            keyValue(e.bytes, eventAttributes);
                        }
                    }
                    events.addAll(eventAttributes.values());
                }
                default -> {
                }
            }
        }
        return new ReceivedSpan(traceId, spanId, parent, name, kind, attributes, events);
    }

    /** KeyValue { key 1, value 2: AnyValue { string 1, bool 2, int 3, double 4, bytes 7 } }. */
    private static void keyValue(byte[] bytes, Map<String, String> into) {
        String key = null;
        String value = null;
        for (Field f : fields(bytes)) {
            if (f.number == 1) {
                key = new String(f.bytes, StandardCharsets.UTF_8);
            } else if (f.number == 2) {
                for (Field v : fields(f.bytes)) {
                    value = switch (v.number) {
                        case 1 -> new String(v.bytes, StandardCharsets.UTF_8);
                        case 2 -> String.valueOf(v.varint != 0);
                        case 3 -> String.valueOf(v.varint);
                        case 4 -> String.valueOf(Double.longBitsToDouble(v.varint));
                        default -> v.bytes == null ? String.valueOf(v.varint) : new String(v.bytes, StandardCharsets.UTF_8);
                    };
                }
            }
        }
        if (key != null) {
            into.put(key, value);
        }
    }

    private record Field(int number, long varint, byte[] bytes) {
    }

    private static List<Field> fields(byte[] bytes) {
        List<Field> out = new ArrayList<>();
        int[] pos = {0};
        while (pos[0] < bytes.length) {
            long tag = varint(bytes, pos);
            int number = (int) (tag >>> 3);
            int wireType = (int) (tag & 7);
            switch (wireType) {
                case 0 -> out.add(new Field(number, varint(bytes, pos), null));
                case 1 -> out.add(new Field(number, fixed(bytes, pos, 8), null));
                case 5 -> out.add(new Field(number, fixed(bytes, pos, 4), null));
                case 2 -> {
                    int length = (int) varint(bytes, pos);
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    b.write(bytes, pos[0], length);
                    pos[0] += length;
                    out.add(new Field(number, 0, b.toByteArray()));
                }
                default -> throw new IllegalArgumentException("wire type " + wireType + " at " + pos[0]);
            }
        }
        return out;
    }

    private static long varint(byte[] bytes, int[] pos) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = bytes[pos[0]++];
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }

    private static long fixed(byte[] bytes, int[] pos, int size) {
        long value = 0;
        for (int i = 0; i < size; i++) {
            value |= (long) (bytes[pos[0]++] & 0xff) << (8 * i);
        }
        return value;
    }
}
