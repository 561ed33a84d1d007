package org.keepwatch.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The typed view of an effective configuration: what an operator reads and edits. Every element keeps
 * its {@link Statement}, so the UI can jump to the line and edits know where to write.
 */
public record KeepalivedConfig(String configId, GlobalDefs globalDefs, List<VrrpScript> scripts, List<TrackFile> trackFiles,
                               List<TrackProcess> trackProcesses, List<SyncGroup> syncGroups, List<VrrpInstance> instances,
                               List<VirtualServer.Group> virtualServerGroups, List<VirtualServer> virtualServers) {

    public Optional<VrrpInstance> instance(String name) {
        return instances.stream().filter(i -> i.name().equals(name)).reduce((first, second) -> second);
    }

    public Optional<VrrpScript> script(String name) {
        return scripts.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** global_defs: the commonly edited keys typed, every keyword's values available by name. */
    public record GlobalDefs(Optional<String> routerId, boolean enableScriptSecurity, Optional<String> scriptUser,
                             List<String> notificationEmails, Map<String, List<String>> settings, Optional<Statement> node) {
    }

    /** vrrp_script NAME { script; interval; weight; rise; fall; timeout; user }. */
    public record VrrpScript(String name, Optional<String> script, OptionalDouble interval, OptionalDouble timeout,
                             OptionalInt weight, boolean reverse, OptionalInt rise, OptionalInt fall, Optional<String> user,
                             Statement node) {
    }

    /** track_file NAME { file; weight }. */
    public record TrackFile(String name, Optional<String> file, OptionalInt weight, boolean reverse, Statement node) {
    }

    /** vrrp_track_process NAME { process; param_match; weight; quorum; delay }. */
    public record TrackProcess(String name, List<String> process, OptionalInt weight, OptionalInt quorum,
                               OptionalDouble delay, Statement node) {
    }

    /** vrrp_sync_group NAME { group { ... }; notify scripts }. */
    public record SyncGroup(String name, List<String> members, VrrpInstance.Notify notifyScripts, Statement node) {
    }
}
