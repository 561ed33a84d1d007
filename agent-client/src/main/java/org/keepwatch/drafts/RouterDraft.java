package org.keepwatch.drafts;

import org.keepwatch.config.ConfigDocument;
import org.keepwatch.config.PeerChecker;
import org.keepwatch.config.PeerMember;
import org.keepwatch.config.PeerReport;
import org.keepwatch.config.VrrpInstance;
import org.keepwatch.fleet.RouterKey;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * One VRRP router's configuration across its members, being edited once: each member's draft and the
 * instance it runs for the router. An edit of the router applies to every member's instance; the peer
 * report says where the members disagree. Immutable, like {@link ConfigDraft}.
 */
public record RouterDraft(RouterKey key, String label, List<Member> members) {

    /** One member: the node, its keepalived, the router's instance there, and its draft. */
    public record Member(EditTarget target, String instance, ConfigDraft draft) {
        public String node() {
            return target.node();
        }

        public Optional<VrrpInstance> model() {
            return draft.model().instance(instance);
        }

        public Optional<BlockRef> block() {
            return model().map(i -> new BlockRef(BlockKind.INSTANCE, i.name(), i.node()));
        }
    }

    public RouterDraft {
        members = List.copyOf(members);
    }

    public Optional<Member> member(String node) {
        return members.stream().filter(m -> m.node().equals(node)).findFirst();
    }

    /** The same change to the router's instance on every member. */
    public RouterDraft editAll(BlockKind.Field field, String value) {
        List<Member> out = new ArrayList<>();
        for (Member m : members) {
            BlockRef block = m.block().orElseThrow(() -> missing(m));
            out.add(new Member(m.target(), m.instance(), m.draft().edit(FormEdits.set(block, field, value))));
        }
        return new RouterDraft(key, label, out);
    }

    /** The same list on every member (the VIPs, say). */
    public RouterDraft editAllEntries(BlockKind.Field field, List<String> entries) {
        List<Member> out = new ArrayList<>();
        for (Member m : members) {
            BlockRef block = m.block().orElseThrow(() -> missing(m));
            out.add(new Member(m.target(), m.instance(), m.draft().edit(FormEdits.setEntries(block, field, entries))));
        }
        return new RouterDraft(key, label, out);
    }

    /** A change to one member's instance (its priority, its unicast peers). */
    public RouterDraft editMember(String node, UnaryOperator<ConfigDocument> edit) {
        List<Member> out = new ArrayList<>();
        for (Member m : members) {
            out.add(m.node().equals(node) ? new Member(m.target(), m.instance(), m.draft().edit(edit)) : m);
        }
        return new RouterDraft(key, label, out);
    }

    public RouterDraft withMember(Member member) {
        List<Member> out = new ArrayList<>();
        for (Member m : members) {
            out.add(m.node().equals(member.node()) ? member : m);
        }
        return new RouterDraft(key, label, out);
    }

    /** Whether the members agree on VIPs, timers and authentication, and unicast peers are mutual. */
    public PeerReport peers() {
        List<PeerMember> list = members.stream().map(m -> PeerMember.of(m.node(), m.draft().document(), m.draft().configId())).toList();
        return new PeerChecker().check(list);
    }

    public boolean changed() {
        return members.stream().anyMatch(m -> m.draft().changed());
    }

    private static IllegalStateException missing(Member m) {
        return new IllegalStateException(m.node() + ": its configuration has no vrrp_instance " + m.instance()
                + " (edit it in " + m.node() + "'s own editor)");
    }
}
