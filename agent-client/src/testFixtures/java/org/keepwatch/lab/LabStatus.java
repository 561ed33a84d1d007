package org.keepwatch.lab;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What `lab/status --json` reports: routers with their members, and who holds each VIP. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LabStatus(List<Router> routers) {

    public boolean healthy() {
        return routers.stream().allMatch(Router::oneMaster);
    }

    /** Healthy, and preemption is over: every MASTER has the highest priority of its router. */
    public boolean settled() {
        return healthy() && routers.stream().allMatch(Router::masterHasTopPriority);
    }

    public Optional<Router> router(String name) {
        return routers.stream().filter(r -> r.router().equals(name)).findFirst();
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Router(String router, int vrid, List<String> vips, List<Member> members,
                         List<String> masters, @JsonProperty("vip_holders") Map<String, List<String>> vipHolders,
                         String verdict) {

        public boolean oneMaster() {
            return "ONE_MASTER".equals(verdict) && vipHolders.values().stream().allMatch(h -> h.size() == 1);
        }

        public boolean masterHasTopPriority() {
            int top = members.stream().mapToInt(Member::priority).max().orElse(0);
            return members.stream().filter(m -> "MASTER".equals(m.state())).allMatch(m -> m.priority() == top);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Member(String node, String instance, String state, int priority,
                         @JsonProperty("effective_priority") int effectivePriority, String netns,
                         @JsonProperty("vips_held") List<String> vipsHeld) {
    }
}
