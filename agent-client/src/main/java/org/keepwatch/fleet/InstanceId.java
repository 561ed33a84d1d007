package org.keepwatch.fleet;

/** Where an instance lives: node, keepalived daemon on that node, instance name. */
public record InstanceId(String node, String daemon, String name) {
}
