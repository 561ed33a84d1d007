package org.keepwatch.app.asof;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.keepwatch.app.common.Tasks;
import org.keepwatch.app.instances.InstancesViewModel;
import org.keepwatch.app.routers.RoutersViewModel;
import org.keepwatch.fleet.FleetState;
import org.keepwatch.fleet.InstanceId;
import org.keepwatch.fleet.InstanceObservation;
import org.keepwatch.fleet.InstanceStats;
import org.keepwatch.fleet.RouterKey;
import org.keepwatch.fleet.RouterMember;
import org.keepwatch.fleet.RouterStatus;
import org.keepwatch.fleet.Verdict;
import org.keepwatch.fleet.VrrpState;
import org.keepwatch.history.InstanceAsOf;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * "As of" a moment: the Routers and Instances tables show the fleet as the history kept it then
 * ({@code HistoryStore.asOf}, read off the FX thread), clearly marked as the past, until {@link #backToLive()}; the
 * live rows keep following the fleet underneath. The moment is typed ({@link #textProperty()}: a time today, or a date
 * and a time), or given by a router's timeline or an event ({@link #goTo}).
 *
 * <p>The history keeps each instance's state transitions: the past rows carry the state each instance was in and
 * since when, the masters and a verdict judged from those states alone; priorities, VIPs and counters are the ones known
 * now, and {@link #summaryProperty()} says so.
 */
public final class AsOfViewModel {

    private static final Pattern TIME = Pattern.compile("(\\d{1,2}):(\\d{2})(?::(\\d{2}))?");
    private static final Pattern DATE_TIME = Pattern.compile("(\\d{4}-\\d{2}-\\d{2})[ T](\\d{1,2}:\\d{2}(?::\\d{2})?)");
    private static final String FORMS = "type HH:MM[:SS] (the last one that has passed) or YYYY-MM-DD HH:MM[:SS]";

    private final RoutersViewModel routers;
    private final InstancesViewModel instances;
    private final Supplier<FleetState> state;
    private final Clock clock;
    private final ZoneId zone;
    private final DateTimeFormatter shown;
    private Function<Instant, List<InstanceAsOf>> history;
    private Tasks tasks;
    private int generation;
    private final StringProperty text = new SimpleStringProperty(this, "text", "");
    private final ReadOnlyObjectWrapper<Instant> asOf = new ReadOnlyObjectWrapper<>(this, "asOf");
    private final ReadOnlyBooleanWrapper past = new ReadOnlyBooleanWrapper(this, "past");
    private final ReadOnlyBooleanWrapper available = new ReadOnlyBooleanWrapper(this, "available");
    private final ReadOnlyBooleanWrapper loading = new ReadOnlyBooleanWrapper(this, "loading");
    private final ReadOnlyStringWrapper banner = new ReadOnlyStringWrapper(this, "banner", "");
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper(this, "summary", "");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper(this, "error", "");

    public AsOfViewModel(RoutersViewModel routers, InstancesViewModel instances, Supplier<FleetState> state, Clock clock,
                         ZoneId zone) {
        this.routers = routers;
        this.instances = instances;
        this.state = state;
        this.clock = clock;
        this.zone = zone;
        this.shown = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(zone);
        text.addListener((obs, was, now) -> error.set(""));
    }

    /** Reads the fleet as of a moment through {@code reader} (the store's asOf), on {@code background}. */
    public void useHistory(Function<Instant, List<InstanceAsOf>> reader, Tasks background) {
        this.history = reader;
        this.tasks = background;
        available.set(true);
    }

    /** Goes to the moment typed in {@link #textProperty()}; a moment that is not one is said in {@link #errorProperty()}. */
    public void go() {
        try {
            goTo(parse(text.get(), clock, zone));
        } catch (IllegalArgumentException e) {
            error.set(e.getMessage());
        }
    }

    /** The tables as the fleet was at {@code at}, once the history is read. */
    public void goTo(Instant at) {
        if (history == null) {
            error.set("There is no history to show the past from (it is off, or could not be opened).");
            return;
        }
        if (at.isAfter(clock.instant())) {
            error.set(shown.format(at) + " is in the future: the history knows only what has happened.");
            return;
        }
        error.set("");
        int asked = ++generation;
        Function<Instant, List<InstanceAsOf>> reader = history;
        loading.set(true);
        tasks.run(() -> reader.apply(at)).onSuccess(rows -> {
            if (asked != generation) {
                return;
            }
            List<RouterStatus> then = pastRouters(rows, state.get(), at);
            routers.showPast(at, then);
            instances.showPast(at, then);
            asOf.set(at);
            past.set(true);
            text.set(shown.format(at));
            error.set("");
            banner.set("As of " + shown.format(at) + " — the past, not live");
            long members = then.stream().mapToLong(r -> r.members().size()).sum();
            summary.set(then.size() + " routers and " + members + " instances as the history kept them: their states and "
                    + "masters then; priorities, VIPs and counters are today's. Actions are off while the past is shown.");
        }).onError(failure -> {
            if (asked == generation) {
                error.set("The fleet as of " + shown.format(at) + " could not be read: " + Tasks.message(failure));
            }
        }).andFinally(() -> {
            if (asked == generation) {
                loading.set(false);
            }
        }).start();
    }

    /** The live tables again. */
    public void backToLive() {
        generation++;
        loading.set(false);
        routers.showLive();
        instances.showLive();
        asOf.set(null);
        past.set(false);
        banner.set("");
        summary.set("");
        error.set("");
        text.set("");
    }

    /**
     * A moment as an operator types it, in {@code zone}: {@code 03:12}, {@code 03:12:00} (today's, or yesterday's when
     * today's has not come yet), or
     * {@code 2026-12-05 03:12[:00]} (a {@code T} between them too); what is wrong is said naming the part.
     */
    public static Instant parse(String typed, Clock clock, ZoneId zone) {
        String value = typed == null ? "" : typed.strip();
        if (value.isEmpty()) {
            throw new IllegalArgumentException("Type a moment: " + FORMS + ".");
        }
        Matcher time = TIME.matcher(value);
        Matcher dateTime = DATE_TIME.matcher(value);
        LocalDate date;
        String clockPart;
        if (time.matches()) {
            date = LocalDate.now(clock.withZone(zone));
            clockPart = value;
        } else if (dateTime.matches()) {
            try {
                date = LocalDate.parse(dateTime.group(1), DateTimeFormatter.ofPattern("uuuu-MM-dd")
                        .withResolverStyle(ResolverStyle.STRICT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + value + "' is not a moment: the date " + dateTime.group(1) + " "
                        + why(e) + ".");
            }
            clockPart = dateTime.group(2);
        } else {
            throw new IllegalArgumentException("'" + value + "' is not a moment: " + FORMS + ".");
        }
        LocalTime at;
        try {
            String padded = clockPart.indexOf(':') == 1 ? "0" + clockPart : clockPart;
            at = LocalTime.parse(padded.length() == 5 ? padded + ":00" : padded,
                    DateTimeFormatter.ofPattern("HH:mm:ss").withResolverStyle(ResolverStyle.STRICT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + value + "' is not a moment: the time " + clockPart + " " + why(e) + ".");
        }
        Instant moment = LocalDateTime.of(date, at).atZone(zone).toInstant();
        if (time.matches() && moment.isAfter(clock.instant())) {
            // a time alone is the last one that has passed: 23:50 typed just after midnight is last night's
            moment = LocalDateTime.of(date.minusDays(1), at).atZone(zone).toInstant();
        }
        return moment;
    }

    /** The parser's complaint in words: "has no month 13", "has no hour 25". */
    private static String why(DateTimeParseException e) {
        String message = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
        Matcher invalid = Pattern.compile("Invalid value for (\\w+) \\(valid values ([^)]*)\\): (\\S+)").matcher(message);
        if (invalid.find()) {
            return "has no " + field(invalid.group(1)) + " " + invalid.group(3) + " (" + invalid.group(2).replace(" - ", " to ")
                    .replace("/", " or ") + ")";
        }
        Matcher day = Pattern.compile("Invalid date '([^']*)'").matcher(message);
        if (day.find()) {
            return "does not exist (" + day.group(1).toLowerCase(java.util.Locale.ROOT) + ")";
        }
        return "is not valid (" + message + ")";
    }

    private static String field(String chrono) {
        return switch (chrono) {
            case "HourOfDay" -> "hour";
            case "MinuteOfHour" -> "minute";
            case "SecondOfMinute" -> "second";
            case "MonthOfYear" -> "month";
            case "DayOfMonth" -> "day";
            default -> chrono;
        };
    }

    /**
     * The routers as the history kept them at {@code at}: each instance in the state of its last transition then
     * (instances not seen yet, or removed from their configuration by then, left out), the masters, and a verdict judged
     * from those states alone. What the history does not keep per moment (priorities, VIPs) is taken from the live
     * fleet when the instance is still there.
     */
    public static List<RouterStatus> pastRouters(List<InstanceAsOf> rows, FleetState live, Instant at) {
        Map<RouterKey, RouterStatus> now = new HashMap<>();
        Map<InstanceId, InstanceObservation> known = new HashMap<>();
        for (RouterStatus router : live.routers()) {
            now.put(router.key(), router);
            router.members().forEach(m -> known.put(m.lastKnown().id(), m.lastKnown()));
        }
        Map<String, List<InstanceAsOf>> byRouter = new LinkedHashMap<>();
        rows.forEach(r -> byRouter.computeIfAbsent(r.router(), k -> new ArrayList<>()).add(r));
        List<RouterStatus> out = new ArrayList<>();
        for (Map.Entry<String, List<InstanceAsOf>> entry : byRouter.entrySet()) {
            RouterKey key = key(entry.getKey());
            RouterStatus today = now.get(key);
            List<RouterMember> members = new ArrayList<>();
            for (InstanceAsOf row : entry.getValue()) {
                Optional<VrrpState> then = row.state().flatMap(AsOfViewModel::state);
                if (then.isEmpty()) {
                    continue;
                }
                InstanceId id = new InstanceId(row.node(), row.daemon(), row.instance());
                InstanceObservation observed = observation(id, known.get(id), key, then.get(), row.since(),
                        today == null ? List.of() : today.vips());
                members.add(new RouterMember(row.node(), observed, true, row.since().orElse(at),
                        then.get() == VrrpState.MASTER ? observed.vips() : List.of(), Optional.empty()));
            }
            if (members.isEmpty()) {
                continue; // no member of it was known then
            }
            List<String> masters = members.stream().filter(m -> m.state() == VrrpState.MASTER).map(RouterMember::node).toList();
            Verdict verdict = masters.size() > 1 ? Verdict.SPLIT_BRAIN : masters.isEmpty() ? Verdict.NO_MASTER : Verdict.HEALTHY;
            List<String> reasons = new ArrayList<>();
            if (masters.size() > 1) {
                reasons.add("MASTER on " + String.join(" and ", masters) + " at once");
            } else if (masters.isEmpty()) {
                reasons.add("no member was MASTER");
            }
            reasons.add("judged from the members' states the history kept (priorities and VIPs are today's)");
            List<String> vips = today != null ? today.vips() : members.get(0).lastKnown().vips();
            Map<String, List<String>> holders = new HashMap<>();
            vips.forEach(v -> holders.put(v, masters));
            String name = today != null ? today.name() : members.get(0).lastKnown().name();
            int vrid = today != null ? today.vrid() : members.get(0).lastKnown().vrid();
            out.add(new RouterStatus(key, name, vrid, vips, members, holders, verdict, reasons, at));
        }
        return out;
    }

    private static InstanceObservation observation(InstanceId id, InstanceObservation now, RouterKey key, VrrpState then,
                                                   Optional<Instant> since, List<String> vips) {
        if (now != null) {
            return new InstanceObservation(now.node(), now.daemon(), now.netns(), now.name(), now.vrid(), now.interfaceName(),
                    then, now.basePriority(), now.effectivePriority(), now.vips(), now.excludedVips(), now.advertInt(),
                    now.version(), now.authType(), now.nopreempt(), now.unicastPeers(), since, InstanceStats.NONE);
        }
        String digits = key.id().startsWith("v6/") ? key.id().substring(3) : key.id();
        int vrid = !digits.isEmpty() && digits.length() < 4 && digits.chars().allMatch(Character::isDigit) ? Integer.parseInt(digits) : 0;
        return new InstanceObservation(id.node(), id.daemon(), key.kind() == RouterKey.Kind.NEUTRON ? "qrouter-" + key.id() : "",
                id.name(), vrid, "", then, 0, 0, vips, List.of(), 0, 0, null, false, List.of(), since, InstanceStats.NONE);
    }

    private static Optional<VrrpState> state(String stored) {
        try {
            return Optional.of(VrrpState.valueOf(stored));
        } catch (IllegalArgumentException removed) {
            return Optional.empty(); // REMOVED: not in its configuration then
        }
    }

    /** A router as the history names it ("lab:51", "lab:v6/51", "net:3d611c8b-...") as the fleet's key. */
    static RouterKey key(String stored) {
        int colon = stored.indexOf(':');
        String scope = colon < 0 ? "" : stored.substring(0, colon);
        String id = stored.substring(colon + 1);
        String digits = id.startsWith("v6/") ? id.substring(3) : id;
        boolean vrrp = !digits.isEmpty() && digits.chars().allMatch(Character::isDigit);
        return new RouterKey(vrrp ? RouterKey.Kind.VRRP : RouterKey.Kind.NEUTRON, scope, id);
    }

    /** The moment typed, or shown once gone to (an input: the toolbar's field writes it). */
    public StringProperty textProperty() {
        return text;
    }

    /** The moment shown; null while live. */
    public ReadOnlyObjectProperty<Instant> asOfProperty() {
        return asOf.getReadOnlyProperty();
    }

    /** Whether the tables show the past. */
    public ReadOnlyBooleanProperty pastProperty() {
        return past.getReadOnlyProperty();
    }

    /** Whether there is a history to go back in (else the field is not offered). */
    public ReadOnlyBooleanProperty availableProperty() {
        return available.getReadOnlyProperty();
    }

    /** The history is being read. */
    public ReadOnlyBooleanProperty loadingProperty() {
        return loading.getReadOnlyProperty();
    }

    /** "As of 2026-12-05 03:12:00 — the past, not live" while the past is shown, else "". */
    public ReadOnlyStringProperty bannerProperty() {
        return banner.getReadOnlyProperty();
    }

    /** What the past rows are made of, and that actions are off. */
    public ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    /** Why the moment typed cannot be shown (not a moment, in the future, no history, a read that failed), or "". */
    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }
}
