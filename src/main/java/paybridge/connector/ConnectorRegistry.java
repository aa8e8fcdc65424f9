package paybridge.connector;

import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import paybridge.PackageClasses;
import paybridge.Settings;
import paybridge.canonical.FieldError;
import paybridge.canonical.PaymentMethod;
import paybridge.canonical.Problem;
import paybridge.canonical.ProblemException;
import paybridge.canonical.UnsupportedCommandException;
import paybridge.canonical.UnsupportedVendorException;
import paybridge.connector.http.VendorCallTemplates;

/**
 * The enabled connectors ({@code paybridge.vendors}), found by id. Everything outside a connector's
 * package asks here; nothing else names a vendor. Fails closed: a vendor that is not enabled is an
 * error wherever it appears, never another connector's behaviour, and a {@code paybridge.vendors}
 * entry with no connector behind it stops start-up.
 * <p>
 * Connectors are found in {@code paybridge.connector} and its sub-packages: every concrete public
 * class implementing {@link Connector} with a public constructor taking {@link Settings}. Only
 * the enabled ones serve; of the others only their {@link WebhookRules} are kept, so a delivery to a
 * disabled vendor is still checked by its own rules and stored (it waits until the vendor is enabled),
 * and its secret headers are never stored whatever is enabled.
 */
public final class ConnectorRegistry implements DeclineClassifier {
    public static final String BEAN = "connectorRegistry";
    /**
     * Exchange property: the id of the vendor an exchange is about (a command's, or its payment's),
     * the one key the routes' vendor choices read.
     */
    static final String PACKAGE = "paybridge.connector";

    private static final Logger LOG = LoggerFactory.getLogger(ConnectorRegistry.class);

    private final Map<String, Connector> enabled;
    private final List<String> order;
    /**
     * The connectors on the classpath that are not enabled here, by id: built for what any node must
     * read of a vendor's answers (its webhook rules, its decline table), never for calls.
     */
    private final Map<String, Connector> disabled;

    public ConnectorRegistry(List<Connector> connectors) {
        this(connectors, Map.of());
    }

    /** @param disabled known connectors that are not enabled, by id */
    public ConnectorRegistry(List<Connector> connectors, Map<String, Connector> disabled) {
        Map<String, Connector> byId = new LinkedHashMap<>();
        for (Connector c : connectors) {
            if (byId.putIfAbsent(c.id(), c) != null) {
                throw new IllegalStateException("Two connectors claim the vendor id '" + c.id() + "'");
            }
            if (c.notFoundMeansNeverCharged() && c.lookupByPaymentIdRoute() == null) {
                // only a lookup under our paymentId can prove a charge never happened: by the vendor's
                // reference, "not found" proves nothing about a charge whose answer was lost
                throw new IllegalStateException("Connector '" + c.id() + "' says not found means never charged"
                        + " but has no lookup by paymentId");
            }
            if (c.capabilities().billingKeyIssuance() != (c.issueBillingKeyRoute() != null)) {
                throw new IllegalStateException("Connector '" + c.id() + "': billingKeyIssuance and issueBillingKeyRoute() disagree");
            }
        }
        for (String id : disabled.keySet()) {
            if (byId.containsKey(id)) {
                throw new IllegalStateException("Vendor '" + id + "' is both enabled and disabled");
            }
        }
        this.enabled = Map.copyOf(byId);
        this.order = List.copyOf(byId.keySet());
        this.disabled = Map.copyOf(disabled);
    }

    /**
     * The registry bound in this context, discovered and bound first if no configuration has done so
     * yet (the configurations camel-main finds run in no guaranteed order; each asks here).
     */
    public static synchronized ConnectorRegistry of(CamelContext context, Settings settings) {
        ConnectorRegistry bound = context.getRegistry().lookupByNameAndType(BEAN, ConnectorRegistry.class);
        if (bound == null) {
            bound = discover(context, settings);
            context.getRegistry().bind(BEAN, bound);
        }
        return bound;
    }

    /**
     * The connectors {@code paybridge.vendors} enables, each constructed with the settings; every
     * other connector on the classpath is constructed too, for its webhook rules only (one that
     * refuses the settings is left out with a warning: its webhooks then find no vendor).
     */
    public static ConnectorRegistry discover(CamelContext context, Settings settings) {
        List<String> wanted = Arrays.stream(settings.get("paybridge.vendors", "").split(","))
                .map(String::trim).filter(v -> !v.isEmpty()).distinct().toList();
        Map<String, Class<? extends Connector>> available = available(context);
        List<String> unknown = wanted.stream().filter(v -> !available.containsKey(v)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalStateException("paybridge.vendors names " + unknown + " but no connector serves "
                    + (unknown.size() == 1 ? "it" : "them") + "; connectors here: " + available.keySet());
        }
        List<Connector> connectors = new ArrayList<>();
        for (String id : wanted) {
            connectors.add(instantiate(available.get(id), settings));
        }
        Map<String, Connector> disabled = new LinkedHashMap<>();
        for (Map.Entry<String, Class<? extends Connector>> known : available.entrySet()) {
            if (wanted.contains(known.getKey())) {
                continue;
            }
            try {
                disabled.put(known.getKey(), instantiate(known.getValue(), settings));
            } catch (RuntimeException e) {
                // not enabled, so not needed to start; only its webhook deliveries cannot be checked and kept
                LOG.warn("Vendor {} is not enabled and its connector cannot be built ({}); its webhooks are refused as unknown"
                        + " and its declines read as SOFT here",
                        known.getKey(), e.getMessage());
            }
        }
        return new ConnectorRegistry(connectors, disabled);
    }

    /** Every connector class on the classpath, by the id its {@code ID} constant declares. */
    @SuppressWarnings("unchecked")
    static Map<String, Class<? extends Connector>> available(CamelContext context) {
        ClassLoader loader = context.getApplicationContextClassLoader() != null
                ? context.getApplicationContextClassLoader() : Connector.class.getClassLoader();
        Set<Class<?>> found = PackageClasses.implementing(Connector.class, PACKAGE, loader);
        Map<String, Class<? extends Connector>> byId = new TreeMap<>();
        for (Class<?> type : found) {
            if (type.isInterface() || Modifier.isAbstract(type.getModifiers()) || !Modifier.isPublic(type.getModifiers())) {
                continue;
            }
            String id = idOf(type);
            Class<?> previous = byId.put(id, (Class<? extends Connector>) type);
            if (previous != null && previous != type) {
                throw new IllegalStateException("Two connectors claim the vendor id '" + id + "': "
                        + previous.getName() + " and " + type.getName());
            }
        }
        return byId;
    }

    /** A connector class declares its id as {@code public static final String ID}. */
    private static String idOf(Class<?> type) {
        try {
            return (String) type.getField("ID").get(null);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException("Connector " + type.getName() + " must declare public static final String ID", e);
        }
    }

    private static Connector instantiate(Class<? extends Connector> type, Settings settings) {
        try {
            return type.getConstructor(Settings.class).newInstance(settings);
        } catch (java.lang.reflect.InvocationTargetException e) {
            // a connector refusing its settings: its own message says which
            throw new IllegalStateException("Connector " + type.getSimpleName() + " cannot start: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Connector " + type.getName() + " needs a public constructor taking Settings", e);
        }
    }

    /**
     * Adds the enabled connectors' routes, and the vendor-call templates they are made from: every
     * builder's routes and templates first, then the routes made from templates (as camel-main
     * does; {@code addRoutes} alone creates no templated route).
     */
    public void addRoutes(CamelContext context) throws Exception {
        List<RoutesBuilder> builders = new ArrayList<>();
        builders.add(new VendorCallTemplates());
        for (String id : order) {
            builders.add(enabled.get(id).routes());
        }
        for (RoutesBuilder builder : builders) {
            context.addRoutes(builder);
        }
        for (RoutesBuilder builder : builders) {
            context.addTemplatedRoutes(builder);
        }
    }

    /**
     * The vendor's decline table, asked of its connector, enabled here or not: a decline decided by a node
     * that serves the vendor may be applied to billing by one that does not (a run's prepare), and a HARD
     * decline read as SOFT would have dunning charge a dead card again. SOFT for an id no connector serves.
     */
    @Override
    public DeclineCategory categorize(String vendor, paybridge.canonical.Failure failure) {
        Connector connector = vendor == null ? null : enabled.getOrDefault(vendor, disabled.get(vendor));
        return connector == null ? DeclineCategory.SOFT : connector.declineCategory(failure);
    }

    /**
     * The webhook rules of any connector on the classpath with this id, enabled or not (a disabled
     * vendor's deliveries are checked by its own rules and kept until it is enabled); empty for an id
     * no connector serves.
     */
    public Optional<WebhookRules> webhookRules(String vendor) {
        if (vendor == null) {
            return Optional.empty();
        }
        Connector connector = enabled.get(vendor);
        Connector rules = connector != null ? connector : disabled.get(vendor);
        return rules == null ? Optional.empty() : Optional.of(rules.webhooks());
    }

    /** Every known connector's secret headers ({@link WebhookRules#secretHeaders()}), enabled or not. */
    public Set<String> secretHeaders() {
        Set<String> names = new java.util.TreeSet<>();
        enabled.values().forEach(c -> names.addAll(c.webhooks().secretHeaders()));
        disabled.values().forEach(c -> names.addAll(c.webhooks().secretHeaders()));
        return Set.copyOf(names);
    }

    /** The enabled connector for this vendor id, if any. */
    public Optional<Connector> find(String vendor) {
        return vendor == null ? Optional.empty() : Optional.ofNullable(enabled.get(vendor));
    }

    /** The enabled connector for this vendor id; a 422 naming {@code vendor} if none. */
    public Connector require(String vendor) {
        return find(vendor).orElseThrow(() -> notEnabled(vendor));
    }

    private ProblemException notEnabled(String vendor) {
        String enabledIds = String.join(", ", order);
        return new ProblemException(new Problem("https://paybridge.dev/problems/vendor-not-enabled",
                "Vendor not enabled", 422, "Vendor '" + vendor + "' is not enabled here; enabled vendors: " + enabledIds,
                List.of(new FieldError("vendor", "not enabled here; one of " + enabledIds))));
    }

    /**
     * Why no charge route serves this vendor and method: a 422 naming {@code method} and every pair the
     * enabled connectors support (their capabilities), or {@code vendor} when it is not enabled.
     */
    public ProblemException unsupported(String vendor, PaymentMethod method) {
        Connector connector = find(vendor).orElse(null);
        if (connector == null) {
            return notEnabled(vendor);
        }
        if (connector.capabilities().methods().contains(method)) {
            // the connector takes it, dispatch.camel.yaml has no branch for it: the deployment's mistake
            return new UnsupportedVendorException("No dispatch branch here serves " + vendor + " " + method
                    + "; supported: " + supportedPairs());
        }
        return new UnsupportedCommandException(vendor + " does not support " + method + "; supported: " + supportedPairs());
    }

    /** Every vendor and method pair the enabled connectors charge, e.g. "iamport KEY_IN, iamport BILLING_KEY". */
    public String supportedPairs() {
        List<String> pairs = new ArrayList<>();
        for (Connector c : enabled()) {
            for (PaymentMethod m : PaymentMethod.values()) {
                if (c.capabilities().methods().contains(m)) {
                    pairs.add(c.id() + " " + m);
                }
            }
        }
        return String.join(", ", pairs);
    }

    /** The enabled connectors, in {@code paybridge.vendors} order. */
    public List<Connector> enabled() {
        return order.stream().map(enabled::get).toList();
    }

    public List<String> ids() {
        return order;
    }
}
