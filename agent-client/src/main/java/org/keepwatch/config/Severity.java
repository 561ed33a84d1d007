package org.keepwatch.config;

/** How bad a finding is: an error means keepalived will not run the configuration as written. */
public enum Severity {
    ERROR, WARNING
}
