import jdk.jfr.consumer.*;
import java.nio.file.Path;
import java.util.*;
import java.util.stream.*;

/** Aggregates a JFR recording: top frames by self and inclusive execution samples, paybridge/camel
 *  frames, allocation by class and by first paybridge/camel frame. Run: java bench/JfrTop.java rec.jfr [N] [filter] */
public class JfrTop {
    static String name(RecordedFrame f) {
        RecordedMethod m = f.getMethod();
        String t = m.getType().getName();
        int lambda = t.indexOf("$$Lambda");
        if (lambda > 0) t = t.substring(0, lambda) + "$$Lambda";
        return t + "." + m.getName();
    }
    static final String[] OURS = System.getProperty("ours", "paybridge.,org.apache.camel.").split(",");
    static boolean ours(String k) { for (String o : OURS) if (k.startsWith(o)) return true; return false; }
    static void top(String title, Map<String, Long> m, long total, int n) {
        System.out.println("\n== " + title);
        m.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(n)
            .forEach(e -> System.out.printf("%5.1f%% %7d %s%n", 100.0 * e.getValue() / Math.max(total, 1), e.getValue(), e.getKey()));
    }
    public static void main(String[] a) throws Exception {
        int n = a.length > 1 ? Integer.parseInt(a[1]) : 40;
        String filterArg = a.length > 2 ? a[2] : null;
        Map<String, Long> self = new HashMap<>(), incl = new HashMap<>(), our = new HashMap<>(), selfOurs = new HashMap<>();
        Map<String, Long> allocCls = new HashMap<>(), allocSite = new HashMap<>();
        // "stacks=<text>": the heaviest allocation and execution stacks whose top frames contain <text>
        String stacksOf = filterArg != null && filterArg.startsWith("stacks=") ? filterArg.substring(7) : null;
        final String filter = stacksOf == null ? filterArg : null;
        Map<String, Long> stacks = new HashMap<>();
        long samples = 0, alloc = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(a[0]))) {
            String type = e.getEventType().getName();
            RecordedStackTrace st = e.getStackTrace();
            if (st == null) continue;
            List<RecordedFrame> frames = st.getFrames();
            if (frames.isEmpty()) continue;
            String onlyThread = System.getProperty("thread");
            if (onlyThread != null) {
                RecordedThread t = e.hasField("sampledThread") ? e.getThread("sampledThread") : e.hasField("eventThread") ? e.getThread("eventThread") : null;
                if (t == null || t.getJavaName() == null || !t.getJavaName().contains(onlyThread)) continue;
            }
            if (type.equals("jdk.ExecutionSample")) {
                if (filter != null && frames.stream().noneMatch(f -> name(f).contains(filter))) continue;
                samples++;
                self.merge(name(frames.get(0)), 1L, Long::sum);
                Set<String> seen = new HashSet<>();
                boolean firstOurs = true;
                for (RecordedFrame f : frames) {
                    String k = name(f);
                    if (firstOurs && ours(k)) { selfOurs.merge(k, 1L, Long::sum); firstOurs = false; }
                    if (!seen.add(k)) continue;
                    incl.merge(k, 1L, Long::sum);
                    if (ours(k)) our.merge(k, 1L, Long::sum);
                }
            } else if (type.equals("jdk.ObjectAllocationSample")) {
                long w = e.getLong("weight");
                alloc += w;
                allocCls.merge(e.getClass("objectClass").getName(), w, Long::sum);
                if (stacksOf != null) {
                    int at = -1;
                    for (int i = 0; i < frames.size(); i++) if (name(frames.get(i)).contains(stacksOf)) { at = i; break; }
                    if (at >= 0) {
                        StringBuilder b = new StringBuilder("alloc " + e.getClass("objectClass").getName());
                        for (int i = 0; i < Math.min(frames.size(), at + Integer.getInteger("depth", 8)); i++) b.append("\n      ").append(name(frames.get(i))).append(':').append(frames.get(i).getLineNumber());
                        stacks.merge(b.toString(), w, Long::sum);
                    }
                }
                String site = frames.stream().map(JfrTop::name).filter(JfrTop::ours).findFirst().orElse("?");
                allocSite.merge(site, w, Long::sum);
            }
        }
        if (stacksOf != null) { top("allocation stacks through " + stacksOf, stacks, alloc, n); return; }
        System.out.println("execution samples: " + samples + (filter == null ? "" : " (stacks containing " + filter + ")"));
        top("top self frames", self, samples, n);
        top("nearest paybridge/camel frame of each sample (where the CPU is spent below it)", selfOurs, samples, n);
        top("top inclusive frames (all)", incl, samples, n);
        top("top inclusive paybridge/camel frames", our, samples, 2 * n);
        System.out.printf("%n== allocation: sampled weight %d MB%n", alloc / 1_000_000);
        top("allocation by class", allocCls, alloc, 20);
        top("allocation by first paybridge/camel frame", allocSite, alloc, 30);
    }
}
